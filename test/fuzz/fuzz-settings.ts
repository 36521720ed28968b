/**
 * How many cases a property runs and from which seed: a few thousand in `npm test`, 100,000 with
 * `npm run fuzz` (FUZZ_RUNS). The seed is random unless FUZZ_SEED is set, and is printed with
 * every run, so a failure is replayed with `FUZZ_SEED=<seed> npm run fuzz` (fast-check also
 * prints the shrunk counterexample and its path).
 */
import type { TestContext } from 'node:test';

/** Cases in `npm test` unless FUZZ_RUNS says otherwise. */
export function fuzzRuns(defaultRuns: number): number {
  const v = Number(process.env['FUZZ_RUNS']);
  return Number.isInteger(v) && v > 0 ? v : defaultRuns;
}

/** The seed of this run, printed as a test diagnostic (and on stderr for `npm run fuzz`). */
export function fuzzSeed(t: TestContext): number {
  const v = Number(process.env['FUZZ_SEED']);
  const seed = Number.isInteger(v) ? v : Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`fuzz seed ${seed}: replay with FUZZ_SEED=${seed} npm run fuzz`);
  if (process.env['FUZZ_RUNS']) process.stderr.write(`${t.name}: fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return seed;
}
