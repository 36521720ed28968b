import { RE2JS } from 're2js';
function measure(label: string, p: string) {
  globalThis.gc?.();
  const m0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let re: RE2JS | undefined; let err = '';
  try { re = RE2JS.compile(p); } catch (e) { err = (e as Error).message.slice(0, 80); }
  const t1 = performance.now();
  globalThis.gc?.();
  const m1 = process.memoryUsage().heapUsed;
  const prog = (re as any)?.re2Input?.prog;
  console.log(label, `len=${p.length}`, `ms=${(t1 - t0).toFixed(1)}`, `retainedMB=${((m1 - m0) / 1e6).toFixed(2)}`, `insts=${prog?.inst?.length}`, err);
  return re;
}
const keep: unknown[] = [];
keep.push(measure('pL1000x10', '(?:\\pL{1000}){10}'));
keep.push(measure('pL1000x100', '(?:\\pL{1000}){100}'));
keep.push(measure('a{1000}x1000', '(?:a{1000}){1000}'));
keep.push(measure('lit32k', 'a'.repeat(32768)));
keep.push(measure('lit256k', 'ab|'.repeat(87381)));
keep.push(measure('class32k', '[a-z]'.repeat(6553)));
keep.push(measure('alt 4k', Array.from({length: 800}, (_, i) => `word${i}`).join('|')));
keep.push(measure('pL 4k', '\\pL'.repeat(1365)));
