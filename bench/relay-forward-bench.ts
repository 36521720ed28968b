/**
 * The relay with --forward-to while notification-controller cannot take events: N unique events
 * (default 100,000) pushed as fast as the relay accepts them (64 concurrent senders) into 500 Slack
 * destinations (the stand-in at 1 message/s per webhook, burst 3), digests off, every event also
 * forwarded to a target that answers 503 (`--forward-answer 503`) or holds every request unanswered
 * (`hold`). Before forward-window.ts, every forward went to the delivery thread as it was accepted,
 * so such a storm kept every event in memory. Prints the load average, the accept rate, the relay's
 * RSS (peak, the kernel's VmHWM, and after the storm settles), its V8 heaps, the journal's size, the
 * forwards the target saw, and a restart on the same journal (replay time and RSS).
 * Run: `node bench/relay-forward-bench.ts --events 100000`; BENCH_RELAY_DIST=dir runs a build kept
 * elsewhere (the code before a change) in place of building dist/, as relay-storm-bench.ts does.
 * A benchmark, not a test: nothing here is judged.
 */
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchEvent } from './bench-events.ts';
import {
  BENCH_DESTINATIONS,
  memoryOf,
  metric,
  post,
  relayMain,
  sleep,
  startRelay,
  writeCluster,
} from './relay-bench-process.ts';

const DESTINATIONS = BENCH_DESTINATIONS;
const CONCURRENCY = 64;
/** How long the relay runs after the last accept before it is measured again (forwards retrying meanwhile). */
const SETTLE_MS = 20_000;

/** notification-controller that cannot take events: 503 to each, or no answer at all; counts the requests. */
async function forwardTarget(answer: '503' | 'hold') {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    if (answer === '503') req.on('end', () => res.writeHead(503).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    requests: () => requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function startSlack() {
  const child = fork(join(import.meta.dirname, 'fake-slack-process.ts'), ['1', '3'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((r) => child.once('message', (m) => r((m as { url: string }).url)));
  return { url, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.send('stop'))) };
}

/** Pushes `events` unique events (64 senders; a 503 or a dead connection is retried); returns the seconds it took. */
async function push(port: number, events: number): Promise<{ seconds: number; refused: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let [next, accepted, refused] = [0, 0, 0];
  const retry: number[] = [];
  const began = performance.now();
  const worker = async () => {
    while (accepted < events) {
      const i = retry.pop() ?? (next < events ? next++ : -1);
      if (i < 0) {
        await sleep(20);
        continue;
      }
      const status = await post(agent, port, benchEvent(i, DESTINATIONS));
      if (status === 202 || status === 429) accepted++;
      else {
        refused++;
        retry.push(i);
        await sleep(status === 503 ? 200 : 20);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return { seconds: (performance.now() - began) / 1000, refused };
}

const n = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  `load average ${loadavg()
    .map((l) => n(l, 2))
    .join(' ')}`;

/** The relay's heaps (main and delivery thread), in MB. */
async function heaps(port: number): Promise<string> {
  const [main, thread] = await Promise.all([
    metric(port, 'notify_guard_relay_nodejs_heap_size_used_bytes'),
    metric(port, 'notify_guard_relay_delivery_thread_heap_used_bytes'),
  ]);
  return `heap used ${n(main / 1048576)} MB (delivery thread ${n(thread / 1048576)} MB)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      'forward-answer': { type: 'string', default: '503' },
    },
  });
  const events = Number(values.events);
  const answer = values['forward-answer'] === 'hold' ? 'hold' : '503';
  relayMain(); // dist/ built now, before anything is measured
  const slack = await startSlack();
  const target = await forwardTarget(answer);
  const dir = await mkdtemp(join(tmpdir(), 'ng-relay-forward-'));
  const flags = ['--forward-to', target.url, '--digest-after', '0'];
  try {
    await writeCluster(dir, slack.url);
    let relay = await startRelay(dir, flags);
    let peak = 0;
    const every = setInterval(() => (peak = Math.max(peak, memoryOf(relay.child.pid!).hwm)), 200);
    console.log(
      `relay: ${process.env['BENCH_RELAY_DIST'] ?? (process.env['BENCH_RELAY_SOURCE'] === 'ts' ? 'src/ (this tree)' : 'dist/ (this tree)')}; forward target answers ${answer}`,
    );
    console.log(`  start: ${load()}; RSS ${n(memoryOf(relay.child.pid!).rss)} MB`);
    const pushed = await push(relay.port, events);
    const atEnd = memoryOf(relay.child.pid!);
    console.log(
      `  ${n(events)} events over ${DESTINATIONS} destinations, digests off: ${n(events / pushed.seconds)}/s over ${n(pushed.seconds, 1)} s (${n(pushed.refused)} refused and retried); ${load()}`,
    );
    console.log(
      `  at the last accept: RSS ${n(atEnd.rss)} MB (high-water ${n(atEnd.hwm)} MB); ${await heaps(relay.port)}`,
    );
    await sleep(SETTLE_MS);
    clearInterval(every);
    const settled = memoryOf(relay.child.pid!);
    const journalMB = statSync(join(dir, 'relay.journal')).size / 1048576;
    console.log(
      `  ${SETTLE_MS / 1000} s later: RSS ${n(settled.rss)} MB, high-water ${n(Math.max(peak, settled.hwm))} MB; ${await heaps(relay.port)}; journal ${n(journalMB, 1)} MB; forward requests seen ${n(target.requests())}; ${load()}`,
    );
    relay.child.kill('SIGKILL');
    await new Promise((r) => relay.child.once('exit', r));
    relay = await startRelay(dir, flags);
    await sleep(5_000);
    const replayed = memoryOf(relay.child.pid!);
    console.log(
      `  kill -9 and restart: listening after ${n(relay.startMs)} ms (replay included); 5 s later RSS ${n(replayed.rss)} MB (high-water ${n(replayed.hwm)} MB); ${await heaps(relay.port)}; ${load()}`,
    );
    relay.child.kill('SIGKILL');
  } finally {
    await target.close();
    await slack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
