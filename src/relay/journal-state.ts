/**
 * The one description of what the relay's journal means: a reducer, `apply(state, record, bytes)`,
 * folds journal records into the state a restart needs, and small read functions answer from it.
 * Replay (relay.ts startup), compaction (compaction.ts, the startup rewrite in relay-command.ts)
 * and the running relay all fold the same records through it, so they agree on what is pending,
 * what is dead and what can be dropped.
 *
 * Meaning of the records:
 * - `accept`: an event and its deliveries. A second accept with the same id supersedes the first
 *   (a held event, accepted before the cluster view synced, then routed: routing-gate.ts).
 * - `done` / `dead`: delivery `i` of an event is settled (sent or skipped / failed for good).
 * - `forwarded`: the event went to notification-controller (--forward-to), or gave up trying. A
 *   forward spilled (journal-spill.ts) makes the event count as forwarded at once, `forwardSpilled`
 *   until this record comes: the spilled forward owns it, and a compaction writes no `forwarded` for it.
 * - `paused`: a destination answered 429 with Retry-After; the latest pause of each destination
 *   counts, and only while it runs.
 * - `episode`: an object's failure episode at a Provider (its Slack thread, slack-episodes.ts) opened
 *   or changed (`episode` set) or closed (unset); the latest record of each open one counts.
 * - `status`: an Alert's delivery status changed; the latest of each Alert counts (journal-status.ts).
 * - `fold`, `digest`, `digest-done`, `digest-dead`: burst digests (journal-digests.ts). A `fold`
 *   settles a delivery into its destination's digest, so an absorbed event's own state is dropped.
 * - `spill-dead`: a spilled delivery whose journal record was damaged (journal-spill.ts): a row of
 *   the dead-letter table, kept (and its bytes live) while it is in the table. Its reference was
 *   taken off its FIFO by whoever found the damage (as `materialise` takes one read back).
 * An event is finished once it is routed, every delivery is settled and it is forwarded (when it
 * had to be). A finished event is dropped, unless one of its dead deliveries is still in the
 * dead-letter table, which keeps the latest MAX_DEAD_LETTERS dead deliveries: an event leaves with
 * its last dead letter. `liveBytes` counts the journal bytes of what is kept, so compaction knows
 * how far a rewrite can shrink the file.
 *
 * `apply` mutates and returns `state` (a copy per record would make replaying a million records
 * quadratic); it reads nothing else: no clock, no I/O. Adding a record kind is one union member
 * and one case in `apply`.
 */
import type { EpisodeChange, Pause } from './delivery-protocol.ts';
import type { DigestRecord } from './digest.ts';
import type { FluxEvent } from './flux-event.ts';
import type { DigestBook, DigestDeadRecord, DigestJournalRecord, FoldRecord } from './journal-digests.ts';
import { digestSnapshots, foldInto, forgetDeadDigest, settleDigest, snapshot } from './journal-digests.ts';
import { recordBytes } from './journal-record.ts';
import type { SpillBook, SpillDeadRecord } from './journal-spill.ts';
import { forwardPending, pushForward, sameSpillDead, takeSpilled } from './journal-spill.ts';
import { SpillFifo } from './spill-fifo.ts';
import type { StatusBook, StatusRecord } from './journal-status.ts';
import { applyStatus, statusRecords } from './journal-status.ts';

/** One Slack delivery decided at accept time. */
export interface DeliveryTarget {
  /** `namespace/name` of the Alert. */
  readonly alert: string;
  /** `namespace/name` of the Provider. */
  readonly provider: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Journal records. */
export type RelayRecord =
  | {
      readonly t: 'accept';
      readonly id: string;
      readonly at: number;
      readonly key: string;
      readonly event: FluxEvent;
      readonly deliveries: readonly DeliveryTarget[];
      readonly forward?: true;
      /** Accepted before the view synced: not routed yet. A later accept record with this id carries the routing. */
      readonly held?: true;
    }
  | { readonly t: 'forwarded'; readonly id: string }
  | { readonly t: 'done'; readonly id: string; readonly i: number }
  | { readonly t: 'dead'; readonly id: string; readonly i: number; readonly at: number; readonly reason: string }
  | ({ readonly t: 'paused' } & Pause)
  | ({ readonly t: 'episode' } & EpisodeChange)
  | StatusRecord
  | DigestJournalRecord
  | SpillDeadRecord;

export type AcceptRecord = Extract<RelayRecord, { t: 'accept' }>;
export type OutcomeRecord = Extract<RelayRecord, { t: 'done' | 'dead' | 'fold' }>;
export type DeadRecord = Extract<RelayRecord, { t: 'dead' }>;
/** A row of the dead-letter table: a delivery, a digest (which names how many events it held), or a damaged spilled delivery. */
export type DeadEntry = DeadRecord | DigestDeadRecord | SpillDeadRecord;
export type PausedRecord = Extract<RelayRecord, { t: 'paused' }>;
export type EpisodeRecord = Extract<RelayRecord, { t: 'episode' }>;

/** Dead deliveries kept in the table (and the events they belong to). */
export const MAX_DEAD_LETTERS = 1000;

/** What is kept of one unfinished (or dead-lettered) event. */
export interface EventState {
  accept: AcceptRecord;
  /** Outcome records, in journal order; at most one per delivery. */
  readonly outcomes: OutcomeRecord[];
  readonly settled: Set<number>;
  forwarded: boolean;
  /** Its dead deliveries still in the dead-letter table. */
  deadLetters: number;
  /** Journal bytes of its accept record, outcomes and forwarded record. */
  bytes: number;
  /** Journal bytes of its accept record alone. */
  acceptBytes: number;
  /** Where its accept record is in the journal file, when known (replayed, read back, or written by this relay). */
  offset?: number;
  /** Its deliveries spilled and not read back yet (journal-spill.ts): it is kept while any is. */
  spilled?: number;
  /** Its forward is spilled or read back, not settled yet (journal-spill.ts): `forwarded` is true, but not journaled. */
  forwardSpilled?: true;
}

/** The journal's meaning (its digests: journal-digests.ts; its spilled deliveries: journal-spill.ts). */
export interface JournalState extends DigestBook, StatusBook, SpillBook {
  readonly events: Map<string, EventState>;
  /** The latest pause of each `queue destination` (expired ones are filtered by readers). */
  readonly pauses: Map<string, { readonly record: PausedRecord; readonly bytes: number }>;
  /** The latest record of each open failure episode, by its key. */
  readonly episodes: Map<string, { readonly record: EpisodeRecord; readonly bytes: number }>;
  /** The dead-letter table, oldest first, at most MAX_DEAD_LETTERS. */
  readonly dead: DeadEntry[];
  /** Journal bytes of everything kept: what a compaction would write. */
  liveBytes: number;
}

/** An empty journal. */
export function emptyState(): JournalState {
  return {
    ...{ events: new Map(), pauses: new Map(), episodes: new Map(), dead: [], liveBytes: 0 },
    ...{ digests: new Map(), deadDigests: new Map(), statuses: new Map(), spill: new Map() },
    ...{ forwards: new SpillFifo(), forwarding: new Map() },
  };
}

/** Folds one record of `bytes` journal bytes (at `offset` in the file, when known) into `state`; returns it. */
export function apply(state: JournalState, r: RelayRecord, bytes: number, offset?: number): JournalState {
  if (r.t === 'paused') {
    const key = `${r.queue} ${r.destination}`;
    state.liveBytes += bytes - (state.pauses.get(key)?.bytes ?? 0);
    state.pauses.set(key, { record: r, bytes });
    return state;
  }
  if (r.t === 'episode') {
    state.liveBytes -= state.episodes.get(r.key)?.bytes ?? 0;
    if (r.episode) {
      state.episodes.set(r.key, { record: r, bytes });
      state.liveBytes += bytes;
    } else {
      state.episodes.delete(r.key);
    }
    return state;
  }
  if (r.t === 'status') {
    applyStatus(state, r, bytes);
    return state;
  }
  if (r.t === 'accept') {
    acceptEvent(state, r, bytes, offset);
    return state;
  }
  if (r.t === 'digest' || r.t === 'digest-done' || r.t === 'digest-dead') {
    applyDigest(state, r, bytes);
    return state;
  }
  if (r.t === 'spill-dead') {
    if (state.dead.some((d) => d.t === 'spill-dead' && sameSpillDead(d, r))) return state;
    state.liveBytes += bytes;
    addDeadLetter(state, r);
    return state;
  }
  const e = state.events.get(r.id);
  if (!e) return state; // finished and dropped already (or an outcome replayed twice)
  if (r.t === 'forwarded') {
    if (e.forwarded && !e.forwardSpilled) return state;
    e.forwarded = true;
    delete e.forwardSpilled;
    grow(state, e, bytes);
  } else {
    if (e.settled.has(r.i)) return state;
    e.settled.add(r.i);
    e.outcomes.push(r);
    grow(state, e, bytes);
    if (r.t === 'dead') addDeadLetter(state, r, e);
    if (r.t === 'fold') foldInto(state, r, e.accept.event, e.accept.at);
  }
  dropIfFinished(state, r.id);
  return state;
}

function acceptEvent(state: JournalState, r: AcceptRecord, bytes: number, offset: number | undefined): void {
  let e = state.events.get(r.id);
  if (e) {
    // The routing of a held event: it replaces the held record.
    grow(state, e, bytes - e.acceptBytes);
    e.accept = r;
    e.acceptBytes = bytes;
    e.forwarded = !r.forward;
  } else {
    e = newEvent(r, bytes);
    state.events.set(r.id, e);
    state.liveBytes += bytes;
  }
  if (offset === undefined) delete e.offset;
  else e.offset = offset;
  dropIfFinished(state, r.id);
}

/** The state of an event just accepted (or read back), nothing settled yet. */
function newEvent(r: AcceptRecord, bytes: number): EventState {
  return {
    ...{ accept: r, outcomes: [], settled: new Set<number>(), forwarded: !r.forward },
    ...{ deadLetters: 0, bytes, acceptBytes: bytes },
  };
}

/**
 * Spills the forward of event `id` (to forward, not yet forwarded, its accept record's place in the
 * file known): its reference joins the forwards' FIFO and the event counts as forwarded (the
 * reference owns the forward), so it leaves the map once its deliveries are settled or spilled.
 * Returns false, changing nothing, when it cannot.
 */
export function spillForward(state: JournalState, id: string): boolean {
  const e = state.events.get(id);
  if (!e || e.offset === undefined || e.accept.held || !e.accept.forward || e.forwarded) return false;
  pushForward(state, { offset: e.offset, length: e.acceptBytes, index: 0, acceptedAt: e.accept.at });
  e.forwarded = true;
  e.forwardSpilled = true;
  dropIfFinished(state, id);
  return true;
}

/**
 * Materialises the front spilled delivery of `destination`, whose accept record `r` was read back
 * from the journal: takes it from its FIFO and returns it with its event, the one already
 * materialised for another of its destinations, else a new one (its bytes were live already).
 * Undefined when nothing of `destination` is spilled.
 */
export function materialise(
  state: JournalState,
  destination: string,
  r: AcceptRecord,
): { event: EventState; index: number } | undefined {
  const ref = takeSpilled(state, destination);
  if (!ref) return undefined;
  let event = state.events.get(r.id);
  if (event?.spilled) {
    event.spilled--;
    // Settled meanwhile (with replicas, handed to the sender whole): it goes now, the delivery with it.
    dropIfFinished(state, r.id);
  }
  if (!event) {
    const bytes = ref.length;
    event = newEvent(r, bytes);
    event.offset = ref.offset;
    // Its forward is done, or owned by the spilled forward: it never waits for one (journal-spill.ts).
    event.forwarded = true;
    if (r.forward && forwardPending(state, ref.offset)) event.forwardSpilled = true;
    // Its other deliveries are spilled still (an event is spilled whole): it stays until they are read back.
    if (r.deliveries.length > 1) event.spilled = r.deliveries.length - 1;
    state.events.set(r.id, event);
  }
  return { event, index: ref.index };
}

function grow(state: JournalState, e: EventState, bytes: number): void {
  e.bytes += bytes;
  state.liveBytes += bytes;
}

/** A digest's own records: its whole accumulator, delivered, or dead (a row of the dead-letter table). */
function applyDigest(state: JournalState, r: DigestRecord | Exclude<DigestJournalRecord, FoldRecord>, bytes: number) {
  if (r.t === 'digest') snapshot(state, r, bytes);
  else if (r.t === 'digest-done') settleDigest(state, r.id);
  else if (!state.deadDigests.has(r.id)) {
    settleDigest(state, r.id, bytes);
    addDeadLetter(state, r);
  }
}

function addDeadLetter(state: JournalState, r: DeadEntry, e?: EventState): void {
  state.dead.push(r);
  if (e) e.deadLetters++;
  if (state.dead.length <= MAX_DEAD_LETTERS) return;
  const evicted = state.dead.shift()!;
  if (evicted.t === 'digest-dead') return forgetDeadDigest(state, evicted.id);
  if (evicted.t === 'spill-dead') return void (state.liveBytes -= recordBytes(evicted));
  const owner = state.events.get(evicted.id);
  if (!owner) return;
  owner.deadLetters--;
  dropIfFinished(state, evicted.id);
}

/** True once an event is routed, settled in every delivery and forwarded when it had to be. */
export function isFinished(e: EventState): boolean {
  return !e.accept.held && e.forwarded && e.settled.size >= e.accept.deliveries.length;
}

function dropIfFinished(state: JournalState, id: string): void {
  const e = state.events.get(id);
  if (!e || !isFinished(e) || e.deadLetters > 0 || e.spilled) return;
  state.events.delete(id);
  state.liveBytes -= e.bytes;
}

/** The pauses still running at `at` (epoch ms). */
export function pausesAt(state: JournalState, at: number): PausedRecord[] {
  return [...state.pauses.values()].map((p) => p.record).filter((p) => p.until > at);
}

/**
 * What a compacted journal holds besides the spilled events' accept records (which a rewrite copies
 * as they are: journal-rewrite.ts, as it does, with `copied`, the accept records of the events whose
 * `offset` is known): each kept event's records, then the digests not yet settled
 * (after the folds of kept events, which they supersede), the dead digests in the table, the pauses
 * running at `at`, the open episodes, each Alert's latest status. A fold into a digest already
 * settled is written as `done`: replayed as a fold, it would open that digest again.
 */
export function liveRecords(state: JournalState, at: number, copied = false): RelayRecord[] {
  const records: RelayRecord[] = [];
  for (const [id, e] of state.events) {
    if (!copied || e.offset === undefined) records.push(e.accept);
    for (const o of e.outcomes)
      records.push(o.t === 'fold' && !state.digests.has(o.digest) ? { t: 'done', id: o.id, i: o.i } : o);
    if (e.forwarded && e.accept.forward && !e.forwardSpilled) records.push({ t: 'forwarded', id });
  }
  records.push(...digestSnapshots(state));
  records.push(...state.dead.filter((d): d is DigestDeadRecord | SpillDeadRecord => d.t !== 'dead'));
  records.push(...pausesAt(state, at), ...openEpisodes(state), ...statusRecords(state));
  return records;
}

/** The latest record of each open failure episode. */
export function openEpisodes(state: JournalState): EpisodeRecord[] {
  return [...state.episodes.values()].map((e) => e.record);
}

/** Deliveries (by index) of a routed event not settled yet. */
export function unsettled(e: EventState): number[] {
  if (e.accept.held) return [];
  const open: number[] = [];
  for (let i = 0; i < e.accept.deliveries.length; i++) if (!e.settled.has(i)) open.push(i);
  return open;
}

/** Folds `records` (a replayed journal; `sizes`: their bytes in it, when known) into a new state. */
export function replayState(records: readonly RelayRecord[], sizes?: readonly number[]): JournalState {
  const state = emptyState();
  for (let i = 0; i < records.length; i++) apply(state, records[i]!, sizes?.[i] ?? recordBytes(records[i]));
  return state;
}

/** Records where event `id`'s accept record is in the journal file (learnt once it is written). */
export function locate(state: JournalState, id: string, offset: number): void {
  const e = state.events.get(id);
  if (e && !e.spilled) e.offset = offset;
}

/** Forgets an accept the journal failed to write (its sender was answered 503 and retries). */
export function discard(state: JournalState, id: string): void {
  const e = state.events.get(id);
  if (!e || e.outcomes.length > 0) return;
  state.events.delete(id);
  state.liveBytes -= e.bytes;
}
