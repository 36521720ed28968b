/**
 * Replay in two passes, so that a journal of a million pending events is not a million parsed
 * events in memory (docs/relay.md "Storms"). Pass 1 (while the journal is opened and its torn tail
 * cut) collects the ids of events a Slack outcome or a routing after a held accept follows, and of
 * those forwarded (--forward-to); sets bounded by what was dispatched since the last compaction;
 * and which accept records are in the file twice (journal-repeats.ts), which are folded whole.
 * Pass 2 folds every record through the reducer (journal-state.ts `apply`), except the accept
 * records of the other events: nothing was done about those but accepting them (and perhaps
 * forwarding them), so they are spilled (journal-spill.ts), each delivery a reference into the
 * file, and the forward one when it is still to do, read only as far as that needs: the head of
 * the record (id, time, dedup key) and its tail (deliveries, forward), from its bytes
 * (accept-scan.ts), or with JSON.parse when it is in another form (accept-parts.ts). They are
 * read back when their turn comes (relay-window.ts, forward-window.ts). The accept records of the
 * events kept whole are folded with their offsets, so a compaction copies them as they are.
 * The dedup window is restored from the last RECENT_KEYS accepts only, those within the window of
 * the newest: remembering a million keys one by one into the deduplicator's bounded map (which
 * evicts from its front at every insert once full) took most of a replay's time.
 */
import { open } from 'node:fs/promises';
import { openJournal } from './journal.ts';
import type { Journal } from './journal.ts';
import { readJournal } from './journal-reader.ts';
import type { SkippedRecord } from './journal-reader.ts';
import { ACCEPT_PREFIX, acceptHead, acceptTail, isAccept } from './accept-parts.ts';
import { endsHeld, scanAccept, scratchAccept, text } from './accept-scan.ts';
import type { ScannedAccept } from './accept-scan.ts';
import { acceptIdHash, repeatFinder } from './journal-repeats.ts';
import { pushForward, spillAccept } from './journal-spill.ts';
import type { AcceptRecord, JournalState, RelayRecord } from './journal-state.ts';
import { apply, emptyState } from './journal-state.ts';
import { openSpillReader } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';

/** A journal opened and replayed. */
export interface ReplayedJournal {
  readonly journal: Journal<RelayRecord>;
  /** What it means, spilled events included. */
  readonly state: JournalState;
  /** Reads spilled records back (open until the relay stops: close it then). */
  readonly reader: SpillReader;
  /** Bytes cut from a torn tail (0 when the file was clean). */
  readonly truncatedBytes: number;
  /**
   * Records damaged in place and passed over (journal-reader.ts): what they recorded is lost (an accept:
   * its event; an outcome: what it settled is sent again); the records after them are not.
   */
  readonly skipped: readonly SkippedRecord[];
}

/** How many of the latest accepts' dedup keys a replay restores (the deduplicator's bound: event-key.ts). */
export const RECENT_KEYS = 100_000;

/**
 * Opens and replays the journal at `path`; `remember` hears, oldest first, the dedup key and time of
 * the last RECENT_KEYS accepted events within `dedupWindowMs` of the newest (default: all of them).
 */
export async function replayJournal(
  path: string,
  remember: (key: string, at: number) => void,
  o: { preallocateBytes?: number; readChunkBytes?: number; dedupWindowMs?: number } = {},
): Promise<ReplayedJournal> {
  const followed = new Set<string>();
  const forwarded = new Set<string>();
  const done = new Map<string, number>();
  const accepts = repeatFinder();
  let acceptCount = 0;
  const accepted = (idHash: number) => (acceptCount++, accepts.add(idHash));
  const sets = { followed, forwarded, done };
  const { journal, replayed } = await openJournal<RelayRecord>(path, {
    ...o,
    visit: (payload) => noteFollowUp(payload, sets, accepted),
  });
  const twice = accepts.repeated();
  let reader: SpillReader | undefined;
  try {
    reader = openSpillReader(path);
    const state = emptyState();
    const recent = recentKeys();
    const first: FirstPass = { followed, forwarded, done, twice, acceptCount };
    const pass: SecondPass = {
      ...{ ...first, seen: 0, scan: scratchAccept(), spilled: { at: 0, providers: [] } },
      needIds: followed.size + forwarded.size + done.size > 0,
    };
    const file = await open(path, 'r');
    try {
      // Pass 1 checked every record, and the file ends where it did (its torn tail was cut).
      await readJournal(file, o.readChunkBytes, {
        visit: (payload, offset, bytes) => replayRecord(state, pass, recent.add, payload, offset, bytes),
        // Pass 1 passed over these (damaged in place): unchecked here, they would be folded.
        skip: replayed.skipped.map((r) => r.offset),
        checksum: false,
      });
    } finally {
      await file.close();
    }
    recent.replay(remember, o.dedupWindowMs ?? Infinity);
    return { journal, state, reader, truncatedBytes: replayed.truncatedBytes, skipped: replayed.skipped };
  } catch (err) {
    reader?.close();
    await journal.close();
    throw err;
  }
}

/**
 * The last RECENT_KEYS dedup keys added, in a ring. Every accept's time is added (the newest of
 * them bounds the window), but only the last RECENT_KEYS accepts' keys (pass 2 knows which from
 * pass 1's count): a key read for each of a million accepts was a million strings for nothing.
 */
function recentKeys() {
  const keys: (string | undefined)[] = [];
  const ats = new Float64Array(RECENT_KEYS);
  let next = 0;
  let newest = -Infinity;
  return {
    add(key: string | undefined, at: number) {
      keys[next % RECENT_KEYS] = key;
      ats[next % RECENT_KEYS] = at;
      next++;
      newest = Math.max(newest, at);
    },
    /** Tells `remember` the ring's keys, oldest first, skipping those older than `windowMs` before the newest. */
    replay(remember: (key: string, at: number) => void, windowMs: number) {
      for (let k = Math.max(0, next - RECENT_KEYS); k < next; k++) {
        const at = ats[k % RECENT_KEYS]!;
        const key = keys[k % RECENT_KEYS];
        if (key !== undefined && newest - at < windowMs) remember(key, at);
      }
    },
  };
}

/**
 * Pass 1: adds the id of the event `payload`'s record follows up on to `followed`, and hands the
 * hash of an accept's id to `accepted` (journal-repeats.ts).
 */
function noteFollowUp(
  payload: Buffer,
  { followed, forwarded, done }: Pick<FirstPass, 'followed' | 'forwarded' | 'done'>,
  accepted: (idHash: number) => void,
): void {
  if (isAccept(payload)) {
    accepted(acceptIdHash(payload, ACCEPT_PREFIX.length));
    if (endsHeld(payload)) followed.add(acceptHead(payload).id);
    return;
  }
  const r = JSON.parse(payload.toString('utf8')) as RelayRecord;
  if (r.t === 'done' && r.i < DONE_BITS) done.set(r.id, (done.get(r.id) ?? 0) | (1 << r.i));
  else if (r.t === 'done' || r.t === 'dead' || r.t === 'fold') followed.add(r.id);
  if (r.t === 'forwarded') forwarded.add(r.id);
}

/** Deliveries `done` tracks by index (a bit each); a `done` of a later index keeps its event whole. */
const DONE_BITS = 30;

/** How many bits of `mask` are set. */
function bitsSet(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/**
 * What pass 1 found: the events a Slack outcome or a routing follows up on, the events forwarded,
 * the hashes of accept ids seen twice, and how many accept records there are.
 */
interface FirstPass {
  readonly followed: Set<string>;
  readonly forwarded: Set<string>;
  /** The deliveries (a bit per index) `done` records settle, of events nothing else but a forward follows. */
  readonly done: Map<string, number>;
  readonly twice: Set<number>;
  readonly acceptCount: number;
}

/** Pass 2 as it goes: the accept records seen so far, the scratch record of accept-scan.ts, and whether ids are looked up at all. */
interface SecondPass extends FirstPass {
  seen: number;
  readonly scan: ScannedAccept;
  /** What spillAccept is handed (one object, reused: it keeps nothing of it). */
  readonly spilled: { at: number; providers: readonly string[] };
  /** False when nothing follows any event (a backlog never sent): no accept's id is read. */
  readonly needIds: boolean;
}

/**
 * Pass 2: folds the record, or spills it (an accept written once that no Slack outcome follows):
 * its deliveries each a reference, and its forward one when it is to forward and not forwarded.
 * An accept record is read from its bytes (accept-scan.ts), else, in a form that does not read,
 * with accept-parts.ts (`readParsed`).
 */
function replayRecord(
  state: JournalState,
  pass: SecondPass,
  remember: (key: string | undefined, at: number) => void,
  payload: Buffer,
  offset: number,
  bytes: number,
): void {
  if (!isAccept(payload)) return void apply(state, JSON.parse(payload.toString('utf8')) as RelayRecord, bytes);
  const s = pass.scan;
  const scanned = scanAccept(payload, s);
  const head = scanned ? undefined : acceptHead(payload);
  const at = head ? head.at : s.at;
  const keyed = pass.seen++ >= pass.acceptCount - RECENT_KEYS;
  remember(head ? head.key : keyed ? text(payload, s.keyStart, s.keyEnd) : undefined, at);
  const id = head ? head.id : pass.needIds ? text(payload, s.idStart, s.idEnd) : undefined;
  const whole =
    (id !== undefined && pass.followed.has(id)) ||
    (pass.twice.size > 0 && pass.twice.has(acceptIdHash(payload, ACCEPT_PREFIX.length)));
  const tail = whole ? undefined : scanned ? s : readParsed(payload, s);
  if (!tail) return keepWhole(state, payload, offset, bytes);
  const toForward = tail.forward && !(id !== undefined && pass.forwarded.has(id));
  const deliveries = tail.providers.length;
  const done = id === undefined ? undefined : pass.done.get(id);
  if (done !== undefined) {
    // Delivered: spilled as a forward alone when every delivery is done and the forward is not (its
    // `done` records then find no event: nothing to fold); else kept whole, as any event followed.
    if (!toForward || tail.held || bitsSet(done) !== deliveries) return keepWhole(state, payload, offset, bytes);
    return pushForward(state, { offset, length: bytes, index: 0, acceptedAt: at });
  }
  if (tail.held || (deliveries === 0 && !toForward)) return keepWhole(state, payload, offset, bytes);
  if (toForward) pushForward(state, { offset, length: bytes, index: 0, acceptedAt: at });
  if (deliveries === 0) return;
  pass.spilled.at = at;
  pass.spilled.providers = tail.providers;
  spillAccept(state, pass.spilled, offset, bytes);
}

/** Folds accept record `payload` whole (parsed), with its offset. */
function keepWhole(state: JournalState, payload: Buffer, offset: number, bytes: number): void {
  apply(state, JSON.parse(payload.toString('utf8')) as AcceptRecord, bytes, offset);
}

/** The tail of accept record `payload` parsed (accept-parts.ts) into `s`; undefined when it has none. */
function readParsed(payload: Buffer, s: ScannedAccept): ScannedAccept | undefined {
  const tail = acceptTail(payload);
  if (!tail) return undefined;
  s.providers.length = 0;
  for (const d of tail.deliveries) s.providers.push(d.provider);
  s.forward = tail.forward === true;
  s.held = tail.held === true;
  return s;
}
