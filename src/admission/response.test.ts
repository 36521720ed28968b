import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowed, headerSafe, patched } from './response.ts';

test('warnings are printable ASCII, single-line and at most 256 characters', () => {
  assert.equal(
    headerSafe('spec.channel: “general” is\nignored — use a bot'),
    'spec.channel: "general" is ignored ? use a bot',
  );
  const long = headerSafe(`x: ${'a'.repeat(400)}`);
  assert.equal(long.length, 256);
  assert.ok(long.endsWith('...'));
});

test('duplicate and empty warnings are dropped; no warnings field without warnings', () => {
  assert.deepEqual(allowed('u', ['a: b', 'a: b', ' ']), { uid: 'u', allowed: true, warnings: ['a: b'] });
  assert.deepEqual(allowed('u'), { uid: 'u', allowed: true });
});

test('a patch response carries base64 JSON Patch; without operations it is a plain allow', () => {
  assert.deepEqual(patched('u', [{ op: 'replace', path: '/spec/eventSeverity', value: 'error' }]), {
    uid: 'u',
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from('[{"op":"replace","path":"/spec/eventSeverity","value":"error"}]').toString('base64'),
  });
  assert.deepEqual(patched('u', []), { uid: 'u', allowed: true });
});
