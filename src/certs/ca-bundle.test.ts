import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBundle, bundleTrusts, splitBundle } from './ca-bundle.ts';
import { createCA, createServingCertificate, needsRenewal } from './certificates.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

test('a bundle keeps every unexpired CA once, oldest first, and drops expired ones', async () => {
  const old = await createCA({ now: new Date(NOW.getTime() - 300 * DAY), validityDays: 365 });
  const fresh = await createCA({ now: NOW, validityDays: 365 });
  const expired = await createCA({ now: new Date(NOW.getTime() - 400 * DAY), validityDays: 365 });
  const bundle = buildBundle([fresh.certPem, old.certPem + expired.certPem, fresh.certPem], NOW);
  assert.deepEqual(splitBundle(bundle), [old.certPem, fresh.certPem]);
  assert.deepEqual(splitBundle(buildBundle([bundle], new Date(NOW.getTime() + 70 * DAY))), [fresh.certPem]);
});

test('a bundle with the old and the new CA trusts serving certificates from both', async () => {
  const old = await createCA({ now: NOW, validityDays: 30 });
  const fresh = await createCA({ now: NOW, validityDays: 365 });
  const other = await createCA({ now: NOW, validityDays: 365 });
  const bundle = buildBundle([old.certPem, fresh.certPem], NOW);
  const hosts = ['svc.ns.svc'];
  assert.equal(
    bundleTrusts(bundle, (await createServingCertificate({ ca: old, now: NOW, validityDays: 1, hosts })).certPem),
    true,
  );
  assert.equal(
    bundleTrusts(bundle, (await createServingCertificate({ ca: fresh, now: NOW, validityDays: 1, hosts })).certPem),
    true,
  );
  assert.equal(
    bundleTrusts(bundle, (await createServingCertificate({ ca: other, now: NOW, validityDays: 1, hosts })).certPem),
    false,
  );
});

test('renewal is due within the lookahead, or past two thirds of the lifetime', async () => {
  const ca = await createCA({ now: NOW, validityDays: 90 });
  assert.equal(needsRenewal(ca.certPem, { at: NOW, renewBeforeMs: 30 * DAY }), false);
  assert.equal(needsRenewal(ca.certPem, { at: new Date(NOW.getTime() + 59 * DAY), renewBeforeMs: 30 * DAY }), false);
  assert.equal(needsRenewal(ca.certPem, { at: new Date(NOW.getTime() + 60 * DAY), renewBeforeMs: 30 * DAY }), true);
  assert.equal(needsRenewal(ca.certPem, { at: new Date(NOW.getTime() + 58 * DAY), renewBeforeMs: 1 * DAY }), false);
  assert.equal(
    needsRenewal(ca.certPem, { at: new Date(NOW.getTime() + 61 * DAY), renewBeforeMs: 1 * DAY }),
    true,
    'two thirds of 90 days (+5 min skew) have passed',
  );
});
