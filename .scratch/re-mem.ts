import { re2CompileError } from '../src/flux/re2.ts';
const rss = () => (process.memoryUsage().rss / 1e6).toFixed(0);
const heap = () => { globalThis.gc?.(); return (process.memoryUsage().heapUsed / 1e6).toFixed(0); };
console.log('before rss', rss(), 'heap', heap());
const kinds = [(i: number) => `(?:\\pL{1000}){10}${i}`, (i: number) => `\\pL{1000}x${i}`, (i: number) => `(?:\\pL{100}){10}y${i}`];
for (const k of kinds) {
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) re2CompileError(k(i));
  console.log(k(0), 'ms/pattern', ((performance.now() - t0) / 300).toFixed(2), 'rss', rss(), 'heap', heap(), 'err', re2CompileError(k(0))?.slice(0, 60));
}
