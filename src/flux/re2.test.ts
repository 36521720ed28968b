import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CACHE_BYTES,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_LENGTH_PER_OBJECT,
  MAX_UNICODE_CLASSES_PER_OBJECT,
  re2CacheUsage,
  repeatExpansion,
  re2CompileError,
  re2Matches,
  withPatternBudget,
} from './re2.ts';

test('compiled programs are kept within the byte budget, however many distinct patterns arrive', () => {
  for (let i = 0; i < 300; i++) assert.equal(re2CompileError(`\\pL{1000}x${i}`), undefined);
  const usage = re2CacheUsage();
  assert.ok(usage.bytes <= CACHE_BYTES, `${usage.bytes} bytes held`);
  assert.ok(usage.entries < 300, `${usage.entries} programs held`);
});

test('a pattern longer than the cap is refused with the reason; the relay still matches it', () => {
  const long = `^${'a'.repeat(MAX_PATTERN_LENGTH)}`;
  assert.equal(
    re2CompileError(long),
    'the pattern is 1025 characters long, more than the 1024 notify-guard checks (compiling it would stall every admission); no event filter needs one this long: shorten it',
  );
  assert.equal(re2CompileError(long.slice(1)), undefined);
  assert.equal(re2Matches(long, `x${'a'.repeat(MAX_PATTERN_LENGTH)}`), false);
  assert.equal(re2Matches(long, 'a'.repeat(MAX_PATTERN_LENGTH + 1)), true);
});

test('within one object, distinct patterns are checked up to the budget; a repeated pattern counts once', () => {
  const p = (i: number) => `${String(i).padStart(4, '0')}${'b'.repeat(1020)}`;
  const errors = withPatternBudget(() => [p(1), p(2), p(1), p(3), p(4), p(2), p(5)].map(re2CompileError));
  assert.equal(MAX_PATTERN_LENGTH_PER_OBJECT, 4096);
  assert.deepEqual(errors, [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    "this object's patterns hold more than 4096 characters in all, more than notify-guard checks for one object: shorten or merge them",
  ]);
  assert.equal(re2CompileError(p(5)), undefined, 'outside a budget, only the length cap applies');
});

test('Go regexp errors are reported as re2js reports them', () => {
  assert.equal(re2CompileError('(?:\\pL{1000}){10}'), 'error parsing regexp: invalid repeat count: `{10}`');
  assert.equal(re2CompileError('(?=x)'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
});

test('within one object, Unicode classes are checked up to the budget, each costing a table build', () => {
  const errors = withPatternBudget(() =>
    ['\\pL{10}', `a${'\\pL'.repeat(30)}`, '\\p{Greek}', '\\PN', 'plain'].map(re2CompileError),
  );
  assert.equal(MAX_UNICODE_CLASSES_PER_OBJECT, 32);
  assert.deepEqual(errors, [
    undefined,
    undefined,
    undefined,
    "this object's patterns use more than 32 Unicode classes (\\p{...}) in all, more than notify-guard checks for one object (each is slow to compile): use fewer, e.g. one class with a repeat",
    undefined,
  ]);
});

test('repeat expansion is estimated from the counts and what they repeat', () => {
  assert.deepEqual(
    [
      'a{3}',
      '[^a]{1000}',
      '\\pL{10,20}',
      '(abc){5}',
      '(a|b){2,}',
      'x{',
      'a{1,3}b{2}',
      '\\p{Greek}{4}',
      '[]{]{3}',
      '.*',
    ].map(repeatExpansion),
    [3, 1000, 20, 20, 12, 0, 5, 4, 3, 0],
  );
});

test('within one object, counted repeats are checked up to the budget', () => {
  const errors = withPatternBudget(() =>
    ['[^a]{1000}', ...Array.from({ length: 19 }, (_, i) => `[^${i}]{1000}`), 'x{2}', 'a*'].map(re2CompileError),
  );
  assert.deepEqual(errors.slice(0, 20), Array(20).fill(undefined));
  assert.deepEqual(errors.slice(20), [
    "this object's counted repeats ({n}) add up to more than 20000 compiled instructions, more than notify-guard checks for one object: use smaller counts, or * and +",
    undefined,
  ]);
});
