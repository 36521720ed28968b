import { re2CompileError, re2CacheUsage } from '../src/flux/re2.ts';
const rss = () => (process.memoryUsage().rss / 1e6).toFixed(0);
const heap = () => { globalThis.gc?.(); return (process.memoryUsage().heapUsed / 1e6).toFixed(0); };
console.log('before rss', rss(), 'heap', heap());
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < 500; i++) re2CompileError(`\\pL{1000}x${round}-${i}`);
  console.log('round', round, 'rss', rss(), 'heap', heap(), JSON.stringify(re2CacheUsage()));
}
