/**
 * The holder's plan at exact instants (time is a parameter; nothing waits): creation, the
 * serving certificate's and the CA's renewal points, the two phases of a CA rotation, the bundle
 * losing an expired CA, injection, and no settings accepted at startup making a certificate that
 * is due as soon as it is made.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../flux/objects.ts';
import { buildBundle, toCaBundleField } from './ca-bundle.ts';
import type { WebhookConfigs } from './ca-injection.ts';
import type { CertSecretData } from './cert-secret.ts';
import { certLifetimesProblem } from './cert-settings.ts';
import { createCA, createServingCertificate, renewalPoint } from './certificates.ts';
import type { CertificatePem } from './certificates.ts';
import type { KeyPair } from './keys.ts';
import { generateRsaKeyPair } from './keys.ts';
import { planCertificates } from './rotation-plan.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const HOSTS = [
  'notify-guard-webhook',
  'notify-guard-webhook.notify-guard-system',
  'notify-guard-webhook.notify-guard-system.svc',
];
const settings = { hosts: HOSTS, renewBeforeMs: 30 * DAY };
const at = (iso: string, deltaMs = 0) => new Date(Date.parse(iso) + deltaMs);
// Keys made once (a leaf's origin is checked by signature, so each CA has its own key).
let keys: KeyPair;
let caKeys: KeyPair[] = [];
before(async () => {
  [keys, ...caKeys] = (await Promise.all([0, 1, 2].map(() => generateRsaKeyPair()))) as [KeyPair, ...KeyPair[]];
});

let caCount = 0;
const ca = (now: Date, validityDays: number) => createCA({ now, validityDays, keys: caKeys[caCount++ % 2]! });
const leafOf = (issuer: CertificatePem, now: Date, validityDays: number, hosts = HOSTS) =>
  createServingCertificate({ ca: issuer, now, validityDays, hosts, keys });
const secretOf = (
  issuer: CertificatePem,
  leaf: CertificatePem,
  bundlePem = buildBundle([issuer.certPem], NOW),
): CertSecretData => ({
  certPem: leaf.certPem,
  keyPem: leaf.keyPem,
  caPem: issuer.certPem,
  caKeyPem: issuer.keyPem,
  bundlePem,
});

/** Both configurations with every webhook carrying `bundlePem` (undefined: none injected). */
function configs(bundlePem: string | undefined): WebhookConfigs {
  const hook = (name: string) => ({
    name,
    clientConfig: {
      service: { name: 'notify-guard-webhook', namespace: 'notify-guard-system' },
      ...(bundlePem ? { caBundle: toCaBundleField(bundlePem) } : {}),
    },
  });
  const config = (kind: string, names: string[]): KubeObject => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: 'notify-guard', resourceVersion: '7' },
    webhooks: names.map(hook),
  });
  return new Map([
    ['ValidatingWebhookConfiguration', config('ValidatingWebhookConfiguration', ['flux', 'secrets'])],
    ['MutatingWebhookConfiguration', config('MutatingWebhookConfiguration', ['alerts'])],
  ]);
}

test('no Secret, or one missing a key: create a CA and a serving certificate', () => {
  assert.deepEqual(planCertificates(undefined, configs(undefined), NOW, settings), [{ type: 'create' }]);
});

test('a fresh Secret: inject the bundle into every webhook with a resourceVersion-guarded patch, nothing else', async () => {
  const issuer = await ca(NOW, 1825);
  const secret = secretOf(issuer, await leafOf(issuer, NOW, 90));
  const b64 = toCaBundleField(secret.bundlePem);
  assert.deepEqual(planCertificates(secret, configs(undefined), NOW, settings), [
    {
      type: 'inject',
      kind: 'ValidatingWebhookConfiguration',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64 },
        { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: b64 },
      ],
    },
    {
      type: 'inject',
      kind: 'MutatingWebhookConfiguration',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64 },
      ],
    },
  ]);
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), NOW, settings), []);
});

test('the serving certificate (90 days, 30 before) renews at two thirds of its life, 2027-01-22T11:58:20Z, to the millisecond', async () => {
  const issuer = await ca(NOW, 1825);
  const secret = secretOf(issuer, await leafOf(issuer, NOW, 90));
  const injected = configs(secret.bundlePem);
  assert.equal(renewalPoint(secret.certPem, 30 * DAY).toISOString(), '2027-01-22T11:58:20.000Z');
  assert.deepEqual(planCertificates(secret, injected, at('2027-01-22T11:58:20Z', -1), settings), []);
  assert.deepEqual(planCertificates(secret, injected, at('2027-01-22T11:58:20Z'), settings), [
    { type: 'renew-serving', reason: 'expiry ahead' },
  ]);
});

test('--cert-renew-before-days longer than a third of the life wins (whichever is sooner): 3 days, 2 before, renews after 1 day', async () => {
  const issuer = await ca(NOW, 1825);
  const secret = secretOf(issuer, await leafOf(issuer, NOW, 3));
  const s = { hosts: HOSTS, renewBeforeMs: 2 * DAY };
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), at('2026-11-24T12:00:00Z', -1), s), []);
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), at('2026-11-24T12:00:00Z'), s), [
    { type: 'renew-serving', reason: 'expiry ahead' },
  ]);
});

test('changed hosts renew the serving certificate at once', async () => {
  const issuer = await ca(NOW, 1825);
  const secret = secretOf(issuer, await leafOf(issuer, NOW, 90, ['old-name']));
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), NOW, settings), [
    { type: 'renew-serving', reason: 'hosts changed' },
  ]);
});

test('the CA (1825 days, 30 before) rotates at two thirds of its life, 2030-03-24T03:58:20Z (day 1217), to the millisecond', async () => {
  const issuer = await ca(NOW, 1825);
  const leafAt = at('2030-03-01T00:00:00Z');
  const secret = secretOf(issuer, await leafOf(issuer, leafAt, 90));
  assert.equal(renewalPoint(issuer.certPem, 30 * DAY).toISOString(), '2030-03-24T03:58:20.000Z');
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), at('2030-03-24T03:58:20Z', -1), settings), []);
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), at('2030-03-24T03:58:20Z'), settings), [
    { type: 'rotate-ca' },
  ]);
});

test('CA rotation, second phase: the serving certificate moves to the new CA only once both configurations hold it', async () => {
  const oldCa = await ca(NOW, 365);
  const rotatedAt = at('2027-08-20T00:00:00Z');
  const newCa = await ca(rotatedAt, 365);
  const bundle = buildBundle([oldCa.certPem, newCa.certPem], rotatedAt);
  const rotated = secretOf(newCa, await leafOf(oldCa, at('2027-07-01T00:00:00Z'), 90), bundle);
  const b64 = toCaBundleField(bundle);
  assert.deepEqual(
    planCertificates(rotated, configs(oldCa.certPem), rotatedAt, settings).map((a) => a.type),
    ['inject', 'inject'],
    "first phase: inject, keep serving the old CA's certificate",
  );
  const half = configs(bundle);
  (
    half.get('MutatingWebhookConfiguration')!['webhooks'] as { clientConfig: { caBundle?: string } }[]
  )[0]!.clientConfig.caBundle = toCaBundleField(oldCa.certPem);
  assert.deepEqual(planCertificates(rotated, half, rotatedAt, settings), [
    {
      type: 'inject',
      kind: 'MutatingWebhookConfiguration',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64 },
      ],
    },
  ]);
  assert.deepEqual(planCertificates(rotated, configs(bundle), rotatedAt, settings), [
    { type: 'renew-serving', reason: 'new CA' },
  ]);
});

test('the old CA stays in the bundle until it expires, and leaves it the next millisecond', async () => {
  const oldCa = await ca(NOW, 365);
  const newCa = await ca(at('2027-08-20T00:00:00Z'), 365);
  const bundle = buildBundle([oldCa.certPem, newCa.certPem], NOW);
  const secret = secretOf(newCa, await leafOf(newCa, at('2027-11-01T00:00:00Z'), 90), bundle);
  const oldExpiry = '2027-11-23T12:00:00Z';
  assert.deepEqual(planCertificates(secret, configs(bundle), at(oldExpiry), settings), []);
  assert.deepEqual(planCertificates(secret, configs(bundle), at(oldExpiry, 1), settings), [
    { type: 'rebuild-bundle', bundlePem: newCa.certPem },
  ]);
});

test('no lifetimes accepted at startup make a certificate that is due as soon as it is made; a refused one would', async () => {
  const accepted = [
    [1825, 90, 30],
    [2, 2, 1],
    [3, 2, 1],
    [90, 90, 89],
    [20, 10, 9],
    [36500, 3650, 3649],
  ] as const;
  for (const [caDays, leafDays, beforeDays] of accepted) {
    assert.equal(
      certLifetimesProblem({ caValidityDays: caDays, leafValidityDays: leafDays, renewBeforeDays: beforeDays }),
      undefined,
    );
    const issuer = await ca(NOW, caDays);
    const secret = secretOf(issuer, await leafOf(issuer, NOW, leafDays));
    assert.deepEqual(
      planCertificates(secret, configs(secret.bundlePem), NOW, { hosts: HOSTS, renewBeforeMs: beforeDays * DAY }),
      [],
      `${caDays}/${leafDays}/${beforeDays}`,
    );
  }
  // Issue 20's loop: --ca-validity-days 20 with the default 30 days before. Refused at startup.
  assert.notEqual(certLifetimesProblem({ caValidityDays: 20, leafValidityDays: 10, renewBeforeDays: 30 }), undefined);
  const issuer = await ca(NOW, 20);
  const secret = secretOf(issuer, await leafOf(issuer, NOW, 10));
  assert.deepEqual(planCertificates(secret, configs(secret.bundlePem), NOW, settings), [{ type: 'rotate-ca' }]);
});
