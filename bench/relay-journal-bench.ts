/**
 * `npm run bench:relay-journal`: the journal under a storm of pending events, without HTTP.
 * 1. Compaction storm: journal records of BENCH_EVENTS (default 200,000) pending events over 500
 *    destinations are folded through the journal state with --journal-compact-at at 8 MiB; prints
 *    how many rewrites the old rule (every record once past the threshold) and the new one
 *    (`shouldCompact`: only when what is kept fills at most half) would make, and the bytes each
 *    would rewrite.
 * 2. Replay: the same records written to a real journal, then opened and folded as a restart does
 *    (openJournal + replayState + liveRecords); prints the time (and the CPU time: on a busy machine
 *    the wall time is mostly waiting) and the RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shouldCompact } from '../src/relay/compaction.ts';
import { openJournal, recordBytes } from '../src/relay/journal.ts';
import type { RelayRecord } from '../src/relay/journal-state.ts';
import { apply, emptyState, liveRecords, replayState } from '../src/relay/journal-state.ts';
import { decodeEvent } from '../src/relay/flux-event.ts';
import { benchEvent } from './bench-events.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const COMPACT_AT = 8 * 1024 * 1024;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function accept(i: number): RelayRecord {
  const decoded = decodeEvent(JSON.parse(benchEvent(i, 500)));
  if (!decoded.ok) throw new Error(decoded.message);
  const ns = `team-${i % 500}`;
  return {
    t: 'accept',
    id: `e${i}`,
    at: i,
    key: `k${i}`,
    event: decoded.event,
    deliveries: [{ alert: `${ns}/all`, provider: `${ns}/slack`, metadata: { summary: 'prod' } }],
  };
}

// 1. The compaction storm, counted (in a function: its state is garbage before the replay is measured).
function compactionStorm(): void {
  const state = emptyState();
  let size = 0;
  const old = { rewrites: 0, bytes: 0 };
  const now = { rewrites: 0, bytes: 0 };
  for (let i = 0; i < EVENTS; i++) {
    const r = accept(i);
    const bytes = recordBytes(r);
    apply(state, r, bytes);
    size += bytes;
    if (size >= COMPACT_AT) {
      old.rewrites++;
      old.bytes += state.liveBytes;
    }
    if (shouldCompact(size, state.liveBytes, COMPACT_AT)) {
      now.rewrites++;
      now.bytes += state.liveBytes;
      size = state.liveBytes;
    }
  }
  console.log(`compaction storm: ${EVENTS} pending events, ${mb(state.liveBytes)} kept, compact-at ${mb(COMPACT_AT)}`);
  console.log(
    `  old rule (an upper bound: it rewrote at every record past the threshold, one rewrite at a time): ${old.rewrites} rewrites, ${mb(old.bytes)} rewritten; new rule: ${now.rewrites} rewrites, ${mb(now.bytes)} rewritten`,
  );
}
compactionStorm();

// 2. Replay of the same journal.
const dir = await mkdtemp(join(tmpdir(), 'relay-journal-bench-'));
try {
  const path = join(dir, 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  for (let i = 0; i < EVENTS; i += 1_000)
    await journal.append(...Array.from({ length: Math.min(1_000, EVENTS - i) }, (_, k) => accept(i + k)));
  await journal.close();
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { journal: again, replayed } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  const replayedState = replayState(replayed.records, replayed.sizes);
  const kept = liveRecords(replayedState, Date.now());
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  await again.close();
  console.log(
    `replay: ${replayed.records.length} records (${mb(replayedState.liveBytes)}) folded in ${ms.toFixed(0)} ms (CPU ${((user + system) / 1000).toFixed(0)} ms), ${kept.length} kept; RSS ${mb(rssBefore)} before, ${mb(process.memoryUsage().rss)} after`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
