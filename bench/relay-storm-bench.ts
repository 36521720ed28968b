/**
 * The storm phase of `npm run bench:relay` (also runnable alone: `node bench/relay-storm-bench.ts
 * --events 20000`): N unique events (default 1,000,000) pushed as fast as the relay accepts them
 * (64 concurrent senders) into 500 Slack destinations, the Slack stand-in (fake-slack-process.ts)
 * at 1 message/s per webhook with burst 3. The relay is the real CLI (`notify-guard relay`), in a
 * process of its own, killed with SIGKILL when half the events are accepted and started again on
 * the same journal. Prints: accept rate, RSS peak (the kernel's VmHWM) and at the end, journal
 * bytes peak (the file's size), messages Slack received (alone, digests and the events they
 * hold), time until every destination is drained, and the restart's replay time and RSS. The
 * baseline, in the same run: the same storm of fewer events with digests off (`--digest-after 0`),
 * and a start on an empty journal. A benchmark, not a test: nothing here is judged.
 * `--slack-per-second X` sets Slack's pace (a slower Slack makes a backlog form on a machine too
 * busy to accept faster than 500 destinations drain); `--baseline-events N` the digests-off run's size.
 * The relay runs as the image runs it: the compiled JavaScript (`tsc -p tsconfig.build.json` into
 * dist/, built first), not the TypeScript sources, whose type stripping costs each thread about
 * 20 MB of RSS more (BENCH_RELAY_SOURCE=ts measures the sources; BENCH_RELAY_DIST=dir runs a build
 * kept elsewhere, e.g. the code before a change, in place of building dist/).
 */
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchEvent } from './bench-events.ts';
import { BENCH_DESTINATIONS, memoryOf, metric, post, sleep, startRelay, writeCluster } from './relay-bench-process.ts';
import type { Relay } from './relay-bench-process.ts';
import { describeMemory, memoryDetail, traceMemory } from './relay-memory-detail.ts';
import type { MemoryDetail } from './relay-memory-detail.ts';
import { runBacklog } from './relay-backlog-bench.ts';

const DESTINATIONS = BENCH_DESTINATIONS;
const CONCURRENCY = 64;

/**
 * startRelay, and with BENCH_MEMORY_TRACE=<seconds> a line on stderr every so often for as long as
 * the relay runs (relay-memory-detail.ts `traceMemory`): where its RSS grows while it drains.
 */
async function tracedRelay(dir: string, flags: string[]): Promise<Relay> {
  const relay = await startRelay(dir, flags);
  const every = Number(process.env['BENCH_MEMORY_TRACE'] ?? 0) * 1000;
  if (every > 0) {
    const stop = traceMemory(relay.child.pid!, relay.port, every, (line) => console.error(line));
    relay.child.once('exit', stop);
  }
  return relay;
}

/** The Slack stand-in (`perSecond` messages/s per webhook, burst 3), in a process of its own. */
async function startSlack(perSecond: number) {
  const child = fork(join(import.meta.dirname, 'fake-slack-process.ts'), [String(perSecond), '3'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((r) => child.once('message', (m) => r((m as { url: string }).url)));
  return {
    url,
    count: () =>
      new Promise<{ alone: number; digests: number; digestEvents: number }>((r) => {
        child.once('message', (m) =>
          r((m as { count: { alone: number; digests: number; digestEvents: number } }).count),
        );
        child.send('count');
      }),
    stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.send('stop'))),
  };
}

/** What one storm measured. */
interface Storm {
  events: number;
  acceptSeconds: number;
  /** Accepts per second: over the storm (the restart excluded), and the slowest whole second. */
  rate: number;
  slowestSecond: number;
  journalFull: number;
  rssPeakMB: number;
  rssAtStormEndMB: number;
  rssEndMB: number;
  /** The relay's V8 heap in use (live and not yet collected) when drained, and its peak among the samples. */
  heapEndMB: number;
  heapPeakMB: number;
  /** The delivery thread's V8 heap in use (an isolate of its own): peak among the samples, and drained. */
  threadHeapPeakMB: number;
  threadHeapEndMB: number;
  journalPeakMB: number;
  drainSeconds: number;
  slack: { alone: number; digests: number; digestEvents: number };
  deadLetters: number;
  restart?: { replayMs: number; rssMB: number; hwmMB: number; journalMB: number };
  /** Where the RSS went (relay-memory-detail.ts): at the start, at the highest RSS sampled, at the storm's end, drained. */
  memory: MemoryDetail[];
}

/** Samples the relay's RSS (and the kernel's high-water mark) and the journal's size every 200 ms, its heap every 2 s. */
function sampling(dir: string, relay: () => Relay) {
  const peak = { rss: 0, journal: 0, heap: 0, threadHeap: 0, detail: undefined as MemoryDetail | undefined };
  let detailing = false;
  /** Reads where the memory went when the RSS is a new high (at most one read at a time). */
  const detailPeak = (rss: number) => {
    if (detailing || rss <= (peak.detail?.maps?.rss ?? 0) + 1) return;
    detailing = true;
    void memoryDetail('at the highest RSS sampled', relay().child.pid!, relay().port).then((d) => {
      if ((d.maps?.rss ?? 0) > (peak.detail?.maps?.rss ?? 0)) peak.detail = d;
      detailing = false;
    });
  };
  const heap = setInterval(() => {
    void metric(relay().port, 'notify_guard_relay_nodejs_heap_size_used_bytes').then((b) => {
      if (b > 0) peak.heap = Math.max(peak.heap, b / 1048576);
    });
    void metric(relay().port, 'notify_guard_relay_delivery_thread_heap_used_bytes').then((b) => {
      if (b > 0) peak.threadHeap = Math.max(peak.threadHeap, b / 1048576);
    });
  }, 2000);
  const sample = () => {
    const m = memoryOf(relay().child.pid!);
    peak.rss = Math.max(peak.rss, m.hwm, m.rss);
    detailPeak(m.rss);
    try {
      peak.journal = Math.max(peak.journal, statSync(join(dir, 'relay.journal')).size / 1024 / 1024);
    } catch {
      /* between a rewrite's rename and the next stat */
    }
  };
  const every = setInterval(sample, 200);
  return { peak, sample, stop: () => (clearInterval(every), clearInterval(heap)) };
}

/** Pushes `events` unique events through a relay started with `flags`; kills and restarts it halfway when `kill`. */
async function storm(events: number, flags: string[], kill: boolean, slackPerSecond: number): Promise<Storm> {
  const slack = await startSlack(slackPerSecond);
  const dir = await mkdtemp(join(tmpdir(), 'ng-relay-storm-'));
  await mkdir(join(dir, 'cluster'));
  await writeCluster(dir, slack.url);
  let relay = await tracedRelay(dir, flags);
  const { peak, sample, stop } = sampling(dir, () => relay);
  const r: Partial<Storm> = { events, journalFull: 0 };
  const memory = [await memoryDetail('at the start', relay.child.pid!, relay.port)];
  const load = await pushEvents(
    events,
    () => relay,
    kill
      ? async () => {
          sample();
          relay.child.kill('SIGKILL');
          await new Promise((res) => relay.child.once('exit', res));
          relay = await tracedRelay(dir, flags);
          const m = memoryOf(relay.child.pid!);
          r.restart = {
            replayMs: relay.startMs,
            rssMB: m.rss,
            hwmMB: m.hwm,
            journalMB: statSync(join(dir, 'relay.journal')).size / 1048576,
          };
        }
      : undefined,
  );
  sample();
  r.rssAtStormEndMB = memoryOf(relay.child.pid!).rss;
  memory.push(await memoryDetail("at the storm's end", relay.child.pid!, relay.port));
  const drainStart = performance.now();
  while ((await metric(relay.port, 'notify_guard_relay_pending_deliveries')) !== 0) {
    if (performance.now() - drainStart > 30 * 60_000) break;
    await sleep(500);
  }
  r.drainSeconds = (performance.now() - drainStart) / 1000;
  sample();
  stop();
  r.rssEndMB = memoryOf(relay.child.pid!).rss;
  memory.push(await memoryDetail('drained', relay.child.pid!, relay.port));
  if (peak.detail) memory.splice(1, 0, peak.detail);
  r.heapEndMB = (await metric(relay.port, 'notify_guard_relay_nodejs_heap_size_used_bytes')) / 1048576;
  r.threadHeapEndMB = (await metric(relay.port, 'notify_guard_relay_delivery_thread_heap_used_bytes')) / 1048576;
  r.deadLetters = await metric(relay.port, 'notify_guard_relay_dead_letters');
  await sleep(1500);
  r.slack = await slack.count();
  relay.child.kill('SIGKILL');
  await slack.stop();
  await rm(dir, { recursive: true, force: true });
  return {
    ...(r as Storm),
    memory,
    ...load,
    ...{ rssPeakMB: peak.rss, heapPeakMB: peak.heap, threadHeapPeakMB: peak.threadHeap, journalPeakMB: peak.journal },
  };
}

/** Closed-loop load: CONCURRENCY senders until `events` are accepted; a 503 or a dead connection is retried. */
async function pushEvents(events: number, relay: () => Relay, midway?: () => Promise<void>) {
  let [next, accepted, journalFull] = [0, 0, 0];
  const retry: number[] = [];
  let agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let pause: Promise<void> | undefined;
  let pausedMs = 0;
  const perSecond: number[] = [];
  let lastCount = 0;
  const ticker = setInterval(() => {
    if (!pause) perSecond.push(accepted - lastCount);
    lastCount = accepted;
  }, 1000);
  const began = performance.now();
  const worker = async () => {
    while (accepted < events) {
      if (pause) await pause;
      const i = retry.pop() ?? (next < events ? next++ : -1);
      if (i < 0) {
        await sleep(20);
        continue;
      }
      const status = await post(agent, relay().port, benchEvent(i, DESTINATIONS));
      // 429: a duplicate, i.e. journaled before (its 202 was lost with the killed relay).
      if (status === 202 || status === 429) accepted++;
      else {
        if (status === 503) journalFull++;
        retry.push(i);
        await sleep(status === 503 ? 200 : 20);
      }
      if (midway && accepted >= events / 2 && !pause) {
        const run = midway;
        midway = undefined;
        const t = performance.now();
        pause = run().then(() => {
          agent.destroy();
          agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
          pausedMs = performance.now() - t;
          pause = undefined;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(ticker);
  agent.destroy();
  const acceptSeconds = (performance.now() - began - pausedMs) / 1000;
  const whole = perSecond.slice(1, -1);
  return {
    acceptSeconds,
    rate: events / acceptSeconds,
    slowestSecond: whole.length > 0 ? Math.min(...whole) : NaN,
    journalFull,
  };
}

/** An empty journal's start, for the replay's baseline. */
async function emptyStart(): Promise<{ ms: number; rssMB: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'ng-relay-empty-'));
  await mkdir(join(dir, 'cluster'));
  await writeCluster(dir, 'http://127.0.0.1:9');
  const relay = await startRelay(dir, []);
  const rssMB = memoryOf(relay.child.pid!).rss;
  relay.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  return { ms: relay.startMs, rssMB };
}

const n = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function describeStorm(name: string, s: Storm, slackPerSecond: number): string[] {
  const lines = [
    `${name}: ${n(s.events)} events into ${DESTINATIONS} destinations (Slack ${slackPerSecond}/s per webhook, burst 3)`,
    `  accepts: ${n(s.rate)}/s over ${n(s.acceptSeconds, 1)} s (slowest whole second ${n(s.slowestSecond)}); 503 journal full: ${n(s.journalFull)}`,
    `  RSS: peak ${n(s.rssPeakMB)} MB, at the storm's end ${n(s.rssAtStormEndMB)} MB, drained ${n(s.rssEndMB)} MB; V8 heap used: peak ${n(s.heapPeakMB)} MB, drained ${n(s.heapEndMB)} MB (delivery thread: ${n(s.threadHeapPeakMB)} MB, ${n(s.threadHeapEndMB)} MB); journal peak ${n(s.journalPeakMB, 1)} MB`,
    `  Slack received ${n(s.slack.alone + s.slack.digests)} messages: ${n(s.slack.alone)} alone, ${n(s.slack.digests)} digests holding ${n(s.slack.digestEvents)} events; accounted ${n(s.slack.alone + s.slack.digestEvents)} of ${n(s.events)} (+ ${n(s.deadLetters)} dead letters; repeats come from the kill)`,
    `  every destination drained ${n(s.drainSeconds, 1)} s after the last accept`,
  ];
  lines.push(...s.memory.flatMap(describeMemory));
  if (s.restart)
    lines.push(
      `  kill -9 halfway, restart on a ${n(s.restart.journalMB, 1)} MB journal: listening after ${n(s.restart.replayMs)} ms (replay included), RSS ${n(s.restart.rssMB)} MB (high-water ${n(s.restart.hwmMB)} MB)`,
    );
  return lines;
}

/** How the storm phase runs: Slack's pace per webhook (1/s), and the digests-off baseline's events (50,000; 0: none). */
interface StormOptions {
  readonly slackPerSecond?: number;
  readonly baselineEvents?: number;
}

/** The storm phase: the storm with digests (killed halfway), a smaller one with digests off, an empty start. */
async function runStorm(events: number, o: StormOptions = {}): Promise<string[]> {
  const pace = o.slackPerSecond ?? 1;
  const empty = await emptyStart();
  const withDigests = await storm(events, [], true, pace);
  const baselineEvents = Math.min(events, o.baselineEvents ?? 50_000);
  const off = baselineEvents > 0 ? await storm(baselineEvents, ['--digest-after', '0'], false, pace) : undefined;
  return [
    ...describeStorm('storm', withDigests, pace),
    `  baseline: a start on an empty journal listens after ${n(empty.ms)} ms, RSS ${n(empty.rssMB)} MB`,
    ...(off ? describeStorm('baseline, digests off (--digest-after 0)', off, pace) : []),
  ];
}

export { runStorm };

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      'slack-per-second': { type: 'string', default: '1' },
      'baseline-events': { type: 'string', default: '50000' },
      // The backlog phase (relay-backlog-bench.ts): N pending events written to a journal, the relay started on it.
      'backlog-events': { type: 'string', default: '0' },
      'backlog-only': { type: 'boolean', default: false },
    },
  });
  const o = { slackPerSecond: Number(values['slack-per-second']), baselineEvents: Number(values['baseline-events']) };
  if (!values['backlog-only']) for (const line of await runStorm(Number(values.events), o)) console.log(line);
  const backlog = Number(values['backlog-events']);
  const helpers = { destinations: DESTINATIONS, startRelay: tracedRelay, writeCluster, startSlack, memoryOf, metric };
  if (backlog > 0) for (const line of await runBacklog(backlog, helpers)) console.log(line);
}
