import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { registerSenderMetrics } from './sender-metrics.ts';

test('the sender gauge reads the election at scrape time; handoffs count by result; docs/metrics.md names both', async () => {
  const registry = new Registry();
  let sender = false;
  const m = registerSenderMetrics(registry, () => sender);
  m.handoffs.inc({ result: 'handed' });
  const series = async () => (await registry.metrics()).split('\n').filter((l) => l.startsWith('notify_guard_relay_'));
  assert.deepEqual(await series(), [
    'notify_guard_relay_is_sender 0',
    'notify_guard_relay_handoffs_total{result="handed"} 1',
    'notify_guard_relay_handoffs_total{result="kept"} 0',
    'notify_guard_relay_handoffs_total{result="failed"} 0',
  ]);
  sender = true;
  assert.equal((await series())[0], 'notify_guard_relay_is_sender 1');
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'metrics.md'), 'utf8');
  for (const { name } of await registry.getMetricsAsJSON()) assert.ok(doc.includes(`\`${name}\``), name);
});
