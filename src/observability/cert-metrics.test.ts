import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createCertMetrics } from './cert-metrics.ts';

async function samples(secondsToExpiry: () => number | undefined): Promise<string[]> {
  const registry = new Registry();
  createCertMetrics(registry, secondsToExpiry);
  return (await registry.metrics())
    .split('\n')
    .filter((l) => l.startsWith('notify_guard_') && !l.startsWith('notify_guard_ca_bundle'));
}

test('the expiry is read at scrape time; rotations of both certificates start at 0', async () => {
  assert.deepEqual(await samples(() => 86_400), [
    'notify_guard_serving_certificate_expiry_seconds 86400',
    'notify_guard_certificate_rotations_total{certificate="ca"} 0',
    'notify_guard_certificate_rotations_total{certificate="serving"} 0',
    'notify_guard_certificate_leader 0',
  ]);
});

test('with no certificate served yet the expiry is NaN, which no expiry alert (a < comparison) takes for expired', async () => {
  // prom-client spells it Nan; Prometheus's parser takes any case (promtool check metrics agrees).
  assert.equal((await samples(() => undefined))[0], 'notify_guard_serving_certificate_expiry_seconds Nan');
});
