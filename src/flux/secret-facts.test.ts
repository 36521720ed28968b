import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretFacts } from './secret-facts.ts';

const URL = 'https://hooks.slack.com/services/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';

test('keeps key names and address facts and drops every value', () => {
  const f = secretFacts({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-url', namespace: 'apps', labels: { team: 'a' } },
    data: { address: Buffer.from(URL).toString('base64'), token: Buffer.from('xoxb-secret-token').toString('base64') },
  });
  assert.deepEqual(f.keys, ['address', 'token']);
  assert.equal(f.address?.host, 'hooks.slack.com');
  assert.equal(f.type, 'Opaque');
  const serialised = JSON.stringify(f);
  for (const secret of [URL, 'xoxb-secret-token', Buffer.from(URL).toString('base64'), 'q1w2e3r4']) {
    assert.equal(serialised.includes(secret), false, `facts must not contain ${secret}`);
  }
});

test('reads stringData as the API server would merge it over data', () => {
  const f = secretFacts({
    metadata: { name: 's', namespace: 'n' },
    data: { address: Buffer.from('https://example.org/x').toString('base64') },
    stringData: { address: URL, url: 'x' },
  });
  assert.deepEqual(f.keys, ['address', 'url']);
  assert.equal(f.address?.host, 'hooks.slack.com');
});

test('a SOPS-encrypted Secret has its key names but no address facts: its values are ciphertext', () => {
  const f = secretFacts({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-url', namespace: 'apps' },
    stringData: { address: 'ENC[AES256_GCM,data:q2Fz,iv:AAAA,tag:BBBB,type:str]' },
    sops: { age: [{ recipient: 'age1qqqq', enc: '-----BEGIN AGE ENCRYPTED FILE-----' }], version: '3.9.0' },
  });
  assert.deepEqual(f.keys, ['address']);
  assert.equal(f.address, undefined);
});
