/**
 * Leader election at client-go's production timing (15 s lease, 10 s renew deadline, 2 s retry),
 * against the test API server, on a virtual clock: each replica's tries are events on one
 * timeline, so minutes of elections run in a moment and every instant is exact. Nothing sleeps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, certResources } from '../../test/servers/fake-apiserver.ts';
import { kubeApiFor } from '../../test/support/live-cluster.ts';
import type { KubeApi } from './kube-api.ts';
import { CLIENT_GO_TIMING, createElector, electionTimingProblem, takeoverBoundMs } from './leader-election.ts';
import type { Elector } from './leader-election.ts';
import { decideLease, releasedLease } from './lease.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const NS = 'notify-guard-system';
let server: FakeApiServer;
let api: KubeApi;
let leaseCount = 0;
before(async () => {
  server = new FakeApiServer(certResources());
  await server.start();
  api = kubeApiFor(server.url);
});
after(() => server.close());

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimReplica {
  readonly id: string;
  readonly elector: Elector;
  next: number;
  stepping: boolean;
}

/** Replicas on one virtual timeline; each has its own clock offset (skew) and jitter source. */
function simulation(seed: number) {
  const lease = `lease-${++leaseCount}`;
  const random = prng(seed);
  let t = T0;
  const replicas: SimReplica[] = [];
  const leadersAt: { at: number; leaders: string[] }[] = [];
  const leaders = () => replicas.filter((r) => r.elector.isLeader()).map((r) => r.id);
  return {
    get now() {
      return t;
    },
    add(id: string, skewMs = 0) {
      const elector = createElector({
        api,
        namespace: NS,
        name: lease,
        identity: id,
        timing: CLIENT_GO_TIMING,
        now: () => t + skewMs,
        random,
      });
      const r = { id, elector, next: t, stepping: true };
      replicas.push(r);
      return r;
    },
    leaders,
    leadersAt,
    /** Runs every replica's tries until `until`; `check` runs after each try. */
    async runUntil(until: number, check: (leaders: string[]) => void = () => undefined) {
      for (;;) {
        const r = replicas.filter((x) => x.stepping).sort((a, b) => a.next - b.next)[0];
        if (!r || r.next > until) break;
        t = r.next;
        r.next = t + (await r.elector.step());
        const now = leaders();
        assert.ok(now.length <= 1, `two leaders at +${t - T0} ms: ${now.join(', ')}`);
        leadersAt.push({ at: t, leaders: now });
        check(now);
      }
      t = until;
    },
    lease: () =>
      server.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: lease })![
        'spec'
      ] as Record<string, unknown>,
  };
}

const MIN = 60_000;

test('client-go timing is accepted; unsafe timings are refused', () => {
  assert.equal(electionTimingProblem(CLIENT_GO_TIMING), undefined);
  assert.equal(takeoverBoundMs(CLIENT_GO_TIMING), 19_400);
  assert.equal(
    electionTimingProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    'the lease duration must be greater than the renew deadline',
  );
  assert.equal(
    electionTimingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }),
    'the renew deadline must be greater than the retry period times 1.2',
  );
  assert.equal(
    electionTimingProblem({ leaseDurationMs: 15_500, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    'the lease duration must be whole seconds (the Lease stores seconds)',
  );
  assert.equal(
    electionTimingProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 }),
    'the retry period must be above zero',
  );
});

test('the Lease decision: create, renew keeping acquireTime, wait on a live holder, take over after a whole lease of silence', () => {
  const me = { identity: 'pod-1', durationSeconds: 15 };
  const none = { record: undefined, at: 0 };
  assert.deepEqual(decideLease(undefined, none, { ...me, now: T0 }), {
    write: 'create',
    observation: none,
    spec: {
      holderIdentity: 'pod-1',
      leaseDurationSeconds: 15,
      acquireTime: '2026-12-01T00:00:00.000000Z',
      renewTime: '2026-12-01T00:00:00.000000Z',
      leaseTransitions: 0,
    },
  });
  const held = {
    holderIdentity: 'pod-0',
    leaseDurationSeconds: 15,
    acquireTime: '2026-11-30T00:00:00.000000Z',
    renewTime: '2030-01-01T00:00:00.000000Z',
    leaseTransitions: 3,
  };
  const first = decideLease(held, none, { ...me, now: T0 });
  assert.deepEqual(
    first,
    { write: 'none', holder: 'pod-0', lapsesAt: T0 + 15_000, observation: { record: JSON.stringify(held), at: T0 } },
    'a renewTime in the future or past is not trusted',
  );
  assert.equal(decideLease(held, first.observation, { ...me, now: T0 + 14_999 }).write, 'none');
  assert.deepEqual(decideLease(held, first.observation, { ...me, now: T0 + 15_000 }), {
    write: 'update',
    observation: first.observation,
    spec: {
      holderIdentity: 'pod-1',
      leaseDurationSeconds: 15,
      acquireTime: '2026-12-01T00:00:15.000000Z',
      renewTime: '2026-12-01T00:00:15.000000Z',
      leaseTransitions: 4,
    },
  });
  const renewed = { ...held, renewTime: '2026-12-01T00:00:10.000000Z' };
  assert.deepEqual(
    decideLease(renewed, first.observation, { ...me, now: T0 + 15_000 }),
    {
      write: 'none',
      holder: 'pod-0',
      lapsesAt: T0 + 30_000,
      observation: { record: JSON.stringify(renewed), at: T0 + 15_000 },
    },
    'a change restarts the wait',
  );
  assert.deepEqual(decideLease(held, none, { identity: 'pod-0', durationSeconds: 15, now: T0 }), {
    write: 'update',
    observation: { record: JSON.stringify(held), at: T0 },
    spec: { ...held, renewTime: '2026-12-01T00:00:00.000000Z' },
  });
  const released = releasedLease(held, T0);
  assert.deepEqual(released, {
    leaseDurationSeconds: 1,
    leaseTransitions: 3,
    renewTime: '2026-12-01T00:00:00.000000Z',
  });
  assert.equal(decideLease(released, none, { ...me, now: T0 }).write, 'update', 'a released Lease is taken at once');
});

test('healthy replicas: one holder over 10 minutes (300 renewals, three seeds), never a lapse, never a second leader', async () => {
  for (const seed of [1, 2, 3]) {
    const sim = simulation(seed);
    sim.add('pod-0');
    await sim.runUntil(T0 + 700);
    sim.add('pod-1', 7 * MIN);
    sim.add('pod-2', -3 * MIN);
    const holders = new Set<string>();
    await sim.runUntil(T0 + 10 * MIN, (leaders) => {
      assert.deepEqual(
        leaders,
        ['pod-0'],
        `seed ${seed}: at +${sim.now - T0} ms the leaders are [${leaders.join(', ')}]`,
      );
      holders.add(leaders[0]!);
    });
    assert.deepEqual([...holders], ['pod-0']);
    assert.equal(sim.lease()['leaseTransitions'], 0);
  }
});

test("a replica started at any point of the holder's renewal cycle never takes the live Lease", async () => {
  const sim = simulation(7);
  sim.add('pod-0');
  await sim.runUntil(T0 + 1_000);
  // Join at every 100 ms of a 2.4 s stretch: whatever the phase against the holder's renewals.
  for (let i = 0; i < 24; i++) {
    sim.add(`late-${i}`);
    await sim.runUntil(sim.now + 100, (leaders) => assert.deepEqual(leaders, ['pod-0']));
  }
  await sim.runUntil(sim.now + 5 * MIN, (leaders) => assert.deepEqual(leaders, ['pod-0']));
  assert.equal(sim.lease()['holderIdentity'], 'pod-0');
});

test('after the holder stops renewing, another takes over within the documented bound, and never two leaders', async () => {
  const bound = takeoverBoundMs(CLIENT_GO_TIMING);
  const takeovers: number[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const sim = simulation(100 + seed);
    const holder = sim.add('pod-0');
    await sim.runUntil(T0 + 500);
    sim.add('pod-1', 90_000);
    sim.add('pod-2', -45_000);
    await sim.runUntil(T0 + 2 * MIN + seed * 337);
    const lastRenewal = Date.parse(sim.lease()['renewTime'] as string);
    holder.stepping = false; // crashed or cut off: no more tries; its clock still runs
    let takeover: number | undefined;
    await sim.runUntil(sim.now + MIN, (leaders) => {
      assert.ok(!leaders.includes('pod-0') || takeover === undefined);
      if (takeover === undefined && leaders.length === 1 && leaders[0] !== 'pod-0') takeover = sim.now - lastRenewal;
    });
    assert.ok(takeover !== undefined, `seed ${seed}: no takeover`);
    assert.ok(
      takeover >= CLIENT_GO_TIMING.leaseDurationMs && takeover <= bound,
      `seed ${seed}: takeover ${takeover} ms after the last renewal`,
    );
    takeovers.push(takeover);
  }
  assert.ok(Math.max(...takeovers) <= 19_400, takeovers.join(','));
});

test('the holder counts itself leader only until its renew deadline, before any candidate may take over', async () => {
  const sim = simulation(42);
  const holder = sim.add('pod-0');
  await sim.runUntil(T0 + 30_000);
  const lastRenewal = Date.parse(sim.lease()['renewTime'] as string);
  holder.stepping = false;
  await sim.runUntil(lastRenewal + 9_999);
  assert.equal(holder.elector.isLeader(), true);
  await sim.runUntil(lastRenewal + 10_000);
  assert.equal(holder.elector.isLeader(), false);
});

test('a holder that stops gives the Lease up: another replica leads within one try (4.4 s)', async () => {
  const sim = simulation(9);
  const holder = sim.add('pod-0');
  await sim.runUntil(T0 + 500);
  const other = sim.add('pod-1');
  await sim.runUntil(T0 + MIN);
  assert.deepEqual([holder.elector.holder(), other.elector.holder()], ['pod-0', 'pod-0'], 'both know the holder');
  holder.stepping = false;
  await holder.elector.release();
  const stoppedAt = sim.now;
  assert.equal(holder.elector.isLeader(), false);
  assert.equal(holder.elector.holder(), undefined);
  await sim.runUntil(stoppedAt + 4_400);
  assert.deepEqual(sim.leaders(), ['pod-1']);
  assert.equal(other.elector.holder(), 'pod-1');
  assert.equal(sim.lease()['leaseTransitions'], 1);
});

test('a Lease the replica may not read is reported, and the replica does not lead', async () => {
  const errors: (string | undefined)[] = [];
  const elector = createElector({
    api,
    namespace: NS,
    name: `lease-${++leaseCount}`,
    identity: 'pod-0',
    timing: CLIENT_GO_TIMING,
    now: () => T0,
    random: () => 0.5,
    onError: (err) => errors.push(err?.message),
  });
  server.forbid('leases');
  try {
    assert.equal(await elector.step(), 3_200, "a candidate's jittered period");
  } finally {
    server.allow('leases');
  }
  assert.equal(elector.isLeader(), false);
  assert.equal(await elector.step(), 2_000, "the holder's period");
  assert.equal(elector.isLeader(), true);
  assert.deepEqual(errors, [`reading Lease notify-guard-system/lease-${leaseCount}: HTTP 403`, undefined]);
});
