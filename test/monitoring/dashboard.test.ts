/**
 * The Grafana dashboard (manifests/monitoring/dashboard.json): well-formed panels that read only
 * metrics the code exports, with label names those metrics have. That every expression parses and
 * finds its series in a real Prometheus is checked in prometheus-scrape.test.ts; here promtool
 * parses each one (as a recording rule), where it is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DASHBOARD, asSent, dashboardQueries } from '../support/dashboard.ts';
import { TARGET_LABELS, exportedSamples, labelsUsedIn, metricsIn } from '../support/exported-metrics.ts';
import { tempDir } from '../support/temp-dir.ts';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const skip =
  promtool.status !== 0 ? 'promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it)' : false;

test('the dashboard: a data source and a namespace variable; every panel titled, described, on the grid without overlap, with at least one query', () => {
  assert.deepEqual([DASHBOARD.uid, DASHBOARD.title], ['flux-notify-guard', 'flux-notify-guard']);
  assert.deepEqual(
    DASHBOARD.templating.list.map((v) => [v.name, v.type]),
    [
      ['datasource', 'datasource'],
      ['namespace', 'query'],
    ],
  );
  const ids = new Set<number>();
  const cells = new Set<string>();
  for (const p of DASHBOARD.panels) {
    assert.ok(!ids.has(p.id), `panel id ${p.id} twice`);
    ids.add(p.id);
    assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, p.title);
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
        cells.add(`${x},${y}`);
      }
    }
    if (p.type === 'row') continue;
    assert.ok(p.title && (p.description ?? '').length > 20, `panel ${p.id}: title and description`);
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    assert.ok((p.targets ?? []).length > 0, p.title);
  }
});

test('the dashboard shows what the issue asks for: admission, live view, certificates, relay', () => {
  const rows = DASHBOARD.panels.filter((p) => p.type === 'row').map((p) => p.title);
  assert.deepEqual(rows, ['Admission', 'Live cluster view', 'Certificates', 'Relay', 'Processes']);
  const used = new Set(dashboardQueries().flatMap((q) => metricsIn(q.expr)));
  for (const m of [
    'notify_guard_admission_requests_total',
    'notify_guard_admission_duration_seconds_bucket',
    'notify_guard_findings_total',
    'notify_guard_cluster_objects',
    'notify_guard_cluster_last_event_age_seconds',
    'notify_guard_cluster_relists_total',
    'notify_guard_serving_certificate_expiry_seconds',
    'notify_guard_relay_events_total',
    'notify_guard_relay_deliveries_total',
    'notify_guard_relay_pending_deliveries',
    'notify_guard_relay_dead_letters',
    'notify_guard_relay_delivery_attempts_total',
  ]) {
    assert.ok(used.has(m), `no panel shows ${m}`);
  }
});

test('every dashboard query reads only metrics the code exports, with label names those metrics have', async () => {
  const exported = await exportedSamples();
  for (const q of dashboardQueries()) {
    const names = metricsIn(q.expr);
    assert.ok(names.length > 0, q.panel);
    for (const n of names) assert.ok(exported.has(n), `${q.panel}: ${n} is not exported`);
    const labels = new Set([...TARGET_LABELS, 'le', ...names.flatMap((n) => exported.get(n)!)]);
    for (const l of labelsUsedIn(q.expr))
      assert.ok(labels.has(l), `${q.panel}: label ${l} is on none of ${names.join(', ')}`);
  }
});

test('every dashboard query parses (promtool check rules, each query as a recording rule)', { skip }, () => {
  const queries = dashboardQueries();
  const file = join(tempDir('dashboard-queries'), 'queries.yaml');
  writeFileSync(
    file,
    stringify({
      groups: [
        { name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: asSent(q.expr) })) },
      ],
    }),
  );
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, `Checking ${file}\n  SUCCESS: ${queries.length} rules found\n\n`);
});
