import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactJson, intern } from './compact-json.ts';

test('compactJson copies plain JSON deeply, keys in order, sharing nothing with the parse tree', () => {
  const parsed = JSON.parse('{"spec":{"b":[1,"x",{"c":null}],"a":true},"kind":"Alert"}') as Record<string, unknown>;
  const copy = compactJson(parsed);
  assert.deepEqual(copy, parsed);
  assert.deepEqual(Object.keys(copy['spec'] as object), ['b', 'a']);
  assert.notEqual(copy['spec'], parsed['spec']);
  assert.notEqual((copy['spec'] as { b: unknown }).b, (parsed['spec'] as { b: unknown }).b);
});

test("intern keeps every string's value, across more distinct strings than its cache holds, and long strings as they are", () => {
  const names = Array.from({ length: 25_000 }, (_, i) => `ns-${i}/alert-${i}`);
  const first = names.map((n) => intern(n.slice(0)));
  assert.deepEqual(
    first.map((s, i) => intern(`ns-${i}/alert-${i}`) === s),
    names.map(() => true),
  );
  assert.equal(intern('x'.repeat(300)), 'x'.repeat(300));
});
