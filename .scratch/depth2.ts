for (const d of [1000, 3000, 5000, 100000, 1000000]) {
  const text = '{"a":'.repeat(d) + '1' + '}'.repeat(d);
  const t0 = performance.now();
  try { JSON.parse(text); console.log(d, 'parse ok', performance.now() - t0); } catch (e) { console.log(d, 'parse', (e as Error).message); }
  const arr = '['.repeat(d) + ']'.repeat(d);
  try { JSON.parse(arr); console.log(d, 'arr ok'); } catch (e) { console.log(d, 'arr', (e as Error).message); }
}
