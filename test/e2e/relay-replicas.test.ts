/**
 * Two relay processes, one sender per destination (docs/relay-replicas.md): both read the cluster
 * and elect their sender on a Lease of the test API server (short timing through
 * --sender-lease-timing; the production timing is checked on a virtual clock in
 * src/cluster/leader-election.test.ts). Events are posted to both, some to both (Flux retrying on
 * the other replica): Slack sees each once, and only the Lease holder posts. Then the sender is
 * killed (kill -9) in the middle of a burst: the other takes the Lease and delivers, the killed one
 * restarts on its journal and hands what it had not posted to the new sender; every event answered
 * 202 reaches Slack, with at most one repeat per destination.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FakeApiServer, fluxResources } from '../servers/fake-apiserver.ts';
import { FakeSlack, shownMessage } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { kubeconfigFor } from '../support/live-relay.ts';
import { tempDir } from '../support/temp-dir.ts';
import { slackDestination } from '../support/objects.ts';
import { call, freePort, metric, startReplica as start } from '../support/relay-replicas.ts';
import type { Replica } from '../support/relay-replicas.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TEAMS = 4;
const startReplica = (kubeconfig: string, journal: string, peerPort: number) =>
  start({ kubeconfig, journal, peerPort, lease: LEASE, namespace: NS });
const NS = 'notify-guard-system';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
const manifest = (file: string) =>
  parseAllDocuments(readFileSync(join(ROOT, 'manifests', 'base', file), 'utf8')).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[]; spec?: any }, // eslint-disable-line @typescript-eslint/no-explicit-any
  );
/** The Lease the StatefulSet's relay is elected on, and the rules of the relay's Role. */
const relayContainer = manifest('statefulset.yaml')[0]!.spec.template.spec.containers.find(
  (c: { name: string }) => c.name === 'relay',
) as { args: string[] };
const LEASE = relayContainer.args.find((a) => a.startsWith('--sender-lease='))!.split('=')[1]!;
const ROLE = manifest('rbac.yaml').find((d) => d.kind === 'Role' && d.metadata.name === 'notify-guard-relay-sender')!;

/** "group/resource verb [name]" for each grant; a rule without resourceNames grants every name. */
function grants(rules: readonly Rule[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) =>
        r.verbs.flatMap((v) => (r.resourceNames ?? ['']).map((n) => `${g}/${res} ${v}${n ? ` ${n}` : ''}`)),
      ),
    ),
  );
}

const event = (i: number) =>
  JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: `team-${i % TEAMS}`,
      name: `app-${i}`,
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'error',
    timestamp: '',
    message: `event ${i}`,
    reason: 'r',
    reportingController: 'kustomize-controller',
  });

function seed(api: FakeApiServer, slackUrl: string): void {
  for (let t = 0; t < TEAMS; t++) {
    const ns = `team-${t}`;
    for (const o of slackDestination(ns, `${slackUrl}/services/T0REPL${t}/B0REPL/abcdefgh${t}`)) api.apply(o);
  }
}

/** How many times Slack showed each message, per webhook path. */
function counts(slack: FakeSlack): Map<string, number> {
  const c = new Map<string, number>();
  for (const m of slack.received) {
    const k = `${m.path} ${shownMessage(m.body) ?? ''}`;
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return c;
}

test('two replicas: one sender posts each event once; after kill -9 of the sender the other takes over and every accepted event is delivered, at most one repeat per destination', async (t) => {
  const slack = new FakeSlack({ perSecond: 50, burst: 50 });
  const slackUrl = await slack.start();
  const api = new FakeApiServer([
    ...fluxResources(),
    { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases' },
    { group: '', version: 'v1', kind: 'Event', plural: 'events' },
  ]);
  const kubeconfig = await kubeconfigFor(await api.start());
  seed(api, slackUrl);
  const dir = tempDir('replicas');
  const peerPorts = [await freePort(), await freePort()];
  const replicas = [
    await startReplica(kubeconfig, join(dir, 'a.journal'), peerPorts[0]!),
    await startReplica(kubeconfig, join(dir, 'b.journal'), peerPorts[1]!),
  ];
  const holder = () =>
    (
      api.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: LEASE })?.['spec'] as
        { holderIdentity?: string } | undefined
    )?.holderIdentity;
  try {
    await eventually('a sender elected', () => replicas.some((r) => r.identity === holder()), 10_000);
    const sender = replicas.find((r) => r.identity === holder())!;
    const other = replicas.find((r) => r !== sender)!;
    await eventually('both replicas ready', async () => {
      const ready = await Promise.all(replicas.map((r) => call(r.port, 'GET', '/readyz')));
      return ready.every((a) => a.status === 200);
    });

    // Phase 1: events to both replicas; every fourth also to the other one, as Flux retries.
    const answers: number[] = [];
    let toOther = 0;
    const postTo = async (r: Replica, i: number) => {
      if (r === other) toOther++;
      answers.push((await call(r.port, 'POST', '/', event(i))).status);
    };
    for (let i = 0; i < 40; i++) {
      await postTo(replicas[i % 2]!, i);
      if (i % 4 === 0) await postTo(replicas[(i + 1) % 2]!, i);
    }
    assert.deepEqual(
      answers.filter((s) => s !== 202),
      [],
      'every post accepted (a retry on the other replica is accepted there)',
    );
    await eventually('all 40 events in Slack', () => counts(slack).size === 40, 15_000);
    assert.deepEqual(
      [...counts(slack).values()].filter((n) => n > 1),
      [],
      'each event posted once',
    );
    assert.equal(await metric(other, 'notify_guard_relay_deliveries_total{result="sent"}'), 0, 'only the holder posts');
    assert.equal(await metric(sender, 'notify_guard_relay_is_sender'), 1);
    assert.equal(await metric(other, 'notify_guard_relay_is_sender'), 0);
    assert.equal(
      await metric(other, 'notify_guard_relay_handoffs_total{result="handed"}'),
      toOther,
      'the other replica handed every event it accepted to the sender',
    );

    // Phase 2: Slack fails, so the sender holds pending deliveries; a burst to both; kill -9 the sender.
    slack.fault('*', 'error-503');
    const accepted: string[] = [];
    let killedAt = 0;
    for (let i = 40; i < 80; i++) {
      const r = i % 2 === 0 ? sender : other;
      if (i === 60) {
        sender.child.kill('SIGKILL');
        killedAt = Date.now();
      }
      if ((await call(r.port, 'POST', '/', event(i))).status === 202) accepted.push(`event ${i}`);
    }
    await eventually('the other replica took the Lease', () => holder() === other.identity, 15_000);
    // Figures only (the bound at this timing is 3 s + 0.5 s x 2.2 = 4.1 s after the last renewal).
    t.diagnostic(`Lease taken ${Date.now() - killedAt} ms after the kill`);
    slack.fault('*', 'none');
    const restarted = await startReplica(
      kubeconfig,
      join(dir, sender === replicas[0] ? 'a.journal' : 'b.journal'),
      Number(sender.identity.split(':')[1]),
    );
    replicas.push(restarted);
    const shown = () => new Set([...counts(slack).keys()].map((k) => k.slice(k.indexOf(' ') + 1)));
    await eventually('every accepted event delivered', () => accepted.every((m) => shown().has(m)), 30_000);
    t.diagnostic(`${accepted.length} accepted in the burst, all delivered ${Date.now() - killedAt} ms after the kill`);
    assert.equal(holder(), other.identity, 'the restarted replica does not take the Lease back');
    const repeats = new Map<string, number>();
    for (const [k, n] of counts(slack)) {
      const path = k.slice(0, k.indexOf(' '));
      repeats.set(path, (repeats.get(path) ?? 0) + n - 1);
    }
    assert.deepEqual(
      [...repeats].filter(([, n]) => n > 1),
      [],
      'at most one repeat per destination',
    );
    const leaseCalls = api.calls.filter((c) => c.resource === 'leases');
    assert.deepEqual(
      [
        ...new Set(
          leaseCalls.map((c) => `${c.group}/${c.resource} ${c.verb}${c.verb !== 'create' ? ` ${c.name}` : ''}`),
        ),
      ].sort(),
      grants(ROLE.rules!).sort(),
      "the Lease calls are exactly what the relay's Role grants",
    );
    assert.deepEqual([...new Set(leaseCalls.map((c) => c.namespace))], [NS]);
  } finally {
    for (const r of replicas) r.child.kill('SIGKILL');
    await slack.close();
    await api.close();
  }
});
