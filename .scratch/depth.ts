import fastJsonPatch from 'fast-json-patch';
for (const d of [1000, 5000, 10000, 20000, 100000]) {
  let o: any = 1; for (let i = 0; i < d; i++) o = { a: o };
  const text = JSON.stringify({ x: o });
  let res: string[] = [];
  try { JSON.parse(text); res.push('parse ok'); } catch (e) { res.push('parse ' + (e as Error).message); }
  try { JSON.stringify(o); res.push('stringify ok'); } catch (e) { res.push('stringify ' + (e as Error).message); }
  try { fastJsonPatch.compare({ a: o }, { a: o, b: 1 }); res.push('compare ok'); } catch (e) { res.push('compare ' + (e as Error).message); }
  try { fastJsonPatch.compare({ a: o }, { a: { ...o, z: 1 } }); res.push('compare2 ok'); } catch (e) { res.push('compare2 ' + (e as Error).message); }
  try { structuredClone(o); res.push('clone ok'); } catch (e) { res.push('clone ' + (e as Error).message); }
  console.log(d, res.join('; '));
}
