import { test } from 'node:test';
import assert from 'node:assert/strict';
import forge from 'node-forge';
import { certificateHosts, createCA, createServingCertificate, serviceHosts } from './certificates.ts';
import { tlsClientProblem } from '../../test/support/tls-client-check.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const HOST = 'notify-guard-webhook.notify-guard-system.svc';

test('a serving certificate is valid at issue, for its service names, and invalid after its lifetime', async () => {
  const ca = await createCA({ now: NOW, validityDays: 3650 });
  const leaf = await createServingCertificate({
    ca,
    now: NOW,
    validityDays: 30,
    hosts: [...serviceHosts('notify-guard-webhook', 'notify-guard-system'), 'localhost', '127.0.0.1'],
  });
  assert.equal(tlsClientProblem(leaf.certPem, { caPem: ca.certPem, at: NOW, host: HOST }), undefined);
  assert.equal(
    tlsClientProblem(leaf.certPem, { caPem: ca.certPem, at: new Date('2026-12-23T11:59:00Z'), host: HOST }),
    undefined,
  );
  assert.equal(
    tlsClientProblem(leaf.certPem, { caPem: ca.certPem, at: new Date('2026-12-23T12:00:01Z') }),
    'expired at 2026-12-23T12:00:00.000Z',
  );
  assert.equal(
    tlsClientProblem(leaf.certPem, { caPem: ca.certPem, at: NOW, host: 'other.svc' }),
    'not valid for host other.svc',
  );
  assert.deepEqual(certificateHosts(leaf.certPem), [
    'notify-guard-webhook',
    'notify-guard-webhook.notify-guard-system',
    HOST,
    'localhost',
    '127.0.0.1',
  ]);
});

test('notBefore is backdated five minutes for clock skew', async () => {
  const ca = await createCA({ now: NOW, validityDays: 1 });
  assert.equal(tlsClientProblem(ca.certPem, { caPem: ca.certPem, at: new Date('2026-11-23T11:55:30Z') }), undefined);
  assert.equal(
    tlsClientProblem(ca.certPem, { caPem: ca.certPem, at: new Date('2026-11-23T11:54:59Z') }),
    'not valid before 2026-11-23T11:55:00.000Z',
  );
});

test('a certificate from another CA is rejected', async () => {
  const ca = await createCA({ now: NOW, validityDays: 10 });
  const other = await createCA({ now: NOW, validityDays: 10 });
  const leaf = await createServingCertificate({ ca: other, now: NOW, validityDays: 5, hosts: [HOST] });
  assert.equal(tlsClientProblem(leaf.certPem, { caPem: ca.certPem, at: NOW }), 'not signed by the CA');
});

test('CA and leaf carry the key usages, constraints and random 128-bit serials', async () => {
  const ca = await createCA({ now: NOW, validityDays: 10 });
  const leaf = await createServingCertificate({ ca, now: NOW, validityDays: 5, hosts: [HOST] });
  const c = forge.pki.certificateFromPem(ca.certPem);
  const l = forge.pki.certificateFromPem(leaf.certPem);
  assert.equal((c.getExtension('basicConstraints') as { cA: boolean }).cA, true);
  assert.equal((c.getExtension('keyUsage') as { keyCertSign: boolean }).keyCertSign, true);
  assert.equal((l.getExtension('basicConstraints') as { cA: boolean }).cA, false);
  assert.equal((l.getExtension('extKeyUsage') as { serverAuth: boolean }).serverAuth, true);
  assert.equal(l.subject.getField('CN').value, HOST);
  // 128 random bits with the top bit cleared (positive); DER drops leading zero bytes, so the hex
  // may be shorter than 32 digits. At least 64 bits fails with probability about 2^-63.
  for (const serial of [c.serialNumber, l.serialNumber]) {
    assert.match(serial, /^[0-9a-f]{1,32}$/);
    assert.ok(BigInt(`0x${serial}`) >= 2n ** 64n && BigInt(`0x${serial}`) < 2n ** 127n, serial);
  }
  assert.notEqual(c.serialNumber, l.serialNumber);
});
