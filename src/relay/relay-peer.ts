/**
 * The relay's part, with replicas, in what follows the sender besides events
 * (docs/relay-replicas.md): it hands its open threads and status table to the sender when it is
 * not the sender (sender-handover.ts, checked every `everyMs`), takes the other replica's when it
 * is, and answers `GET /deliveries` with the sender's table (deliveries-answer.ts). On a graceful
 * stop, the drain also waits for the handover (the other replica takes the Lease within seconds).
 */
import type { Logger } from '../observability/logger.ts';
import type { EpisodeChange } from './delivery-protocol.ts';
import type { DeliveriesAnswer } from './deliveries-answer.ts';
import { answerDeliveries, senderTable } from './deliveries-answer.ts';
import type { DeliveryStatus } from './delivery-status.ts';
import { createDeliveryStatus } from './delivery-status.ts';
import type { Journal } from './journal.ts';
import { recordBytes } from './journal.ts';
import type { JournalState, RelayRecord } from './journal-state.ts';
import { apply, openEpisodes } from './journal-state.ts';
import type { StatusBook, StatusRecord } from './journal-status.ts';
import { statusEntries } from './journal-status.ts';
import type { DeliveryCallbacks } from './delivery-thread.ts';
import type { HandoffClient } from './forwarder.ts';
import { createHandoffClient } from './forwarder.ts';
import type { RelayJob } from './relay-queue.ts';
import type { SenderGate } from './sender-gate.ts';
import type { Handover, TakeOverDeps } from './sender-handover.ts';
import { createHandoverGiver, takeOver } from './sender-handover.ts';

/** The running part. */
export interface RelayPeer {
  /** This replica's status changed or an episode opened: the sender may not have it. */
  changed(): void;
  /** Takes the other replica's threads and status (the peer endpoint's `POST /handover`), journaled durably. */
  takeOver(h: Handover): Promise<'taken' | 'not-sender'>;
  /** GET /deliveries. */
  deliveries(): Promise<DeliveriesAnswer>;
  /**
   * On a graceful stop (the Lease given up): waits at most `ms` for another replica to hold the
   * Lease and hands it everything; true once it holds it, when there is nothing to hand, or as soon
   * as the gate finds this replica `alone` (none seen, none took the Lease within a takeover).
   */
  handOver(ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** What it works with (read when needed: the relay builds them after this). */
export interface RelayPeerDeps {
  readonly gate: SenderGate;
  readonly status: () => DeliveryStatus;
  /** The open episodes the journal holds. */
  readonly episodes: () => EpisodeChange[];
  /** Opens (unless open) or closes episodes on the delivery thread. */
  readonly setEpisodes: (changes: readonly EpisodeChange[]) => void;
  /** What a handover taken is journaled with (sender-handover.ts `takeOver`). */
  readonly journaling: Pick<TakeOverDeps, 'isOpen' | 'journal'>;
  readonly log: Logger;
  /** How often the handover is checked (default 1 s). */
  readonly everyMs?: number;
  readonly sendTimeoutMs?: number;
  /** Sent with each request to the sender (the peer token, peer-auth.ts). */
  readonly headers?: () => Record<string, string>;
  /** Injected in tests: the client to the sender, the clock, and the wait between handover tries. */
  readonly client?: HandoffClient;
  readonly now?: () => number;
  readonly wait?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function startRelayPeer(d: RelayPeerDeps): RelayPeer {
  const client = d.client ?? createHandoffClient(d.sendTimeoutMs ?? 15_000, d.headers);
  const now = d.now ?? Date.now;
  const wait = d.wait ?? sleep;
  const giver = createHandoverGiver({
    now,
    gate: d.gate,
    client,
    episodes: d.episodes,
    statuses: () => d.status().entries(),
    handedAway: (keys) => d.setEpisodes(keys.map((key) => ({ key }))),
    log: d.log,
  });
  const timer = setInterval(() => void giver.check(), d.everyMs ?? 1_000);
  timer.unref();
  const fromSender = senderTable(2_000, d.headers);
  return {
    changed: () => giver.changed(),
    takeOver: (h) => takeOver({ ...d.journaling, gate: d.gate, status: d.status(), open: d.setEpisodes }, h),
    deliveries: () => answerDeliveries(() => d.status().list(), d.gate, fromSender),
    async handOver(ms) {
      if (d.episodes().length === 0 && d.status().entries().length === 0) return true;
      clearInterval(timer); // the stop's own tries, each bounded by the time left, replace the timer's
      const deadline = now() + ms;
      while (!giver.current() && now() < deadline) {
        if (d.gate.alone?.()) {
          d.log.info(
            'no other replica seen, none took the Lease: no sender to hand threads and status to; they stay in the journal',
          );
          return true;
        }
        if ((await giver.check(deadline)) === 'handed') break;
        const left = deadline - now();
        if (left > 0) await wait(Math.min(200, left));
      }
      return giver.current();
    },
    async stop() {
      clearInterval(timer);
      // A periodic handover under way is not waited for: the stop's deadline has passed; it is tried again at the next start.
      await client.close(true);
    },
  };
}

/** A relay peer over the journal's open episodes, with the relay's settings (`live`: built after it). */
export function startPeerOver(
  state: JournalState,
  o: {
    readonly sender: SenderGate;
    readonly journal: Journal<RelayRecord>;
    readonly sendTimeoutMs?: number;
    readonly peerHeaders?: () => Record<string, string>;
  },
  log: Logger,
  live: Pick<RelayPeerDeps, 'status' | 'setEpisodes'>,
): RelayPeer {
  return startRelayPeer({
    ...live,
    gate: o.sender,
    log,
    episodes: () => openEpisodes(state).map(({ key, episode }) => ({ key, ...(episode ? { episode } : {}) })),
    journaling: {
      isOpen: (key) => state.episodes.has(key),
      journal: async (records) => {
        for (const r of records) apply(state, r, recordBytes(r));
        await o.journal.append(...records);
      },
    },
    ...(o.sendTimeoutMs ? { sendTimeoutMs: o.sendTimeoutMs } : {}),
    ...(o.peerHeaders ? { headers: o.peerHeaders } : {}),
  });
}

/** Each Alert's delivery status, from the journal and journaled at each change (delivery-status.ts); `peer` hears each change. */
export function journaledStatus(o: {
  announceEveryMs: number;
  state: StatusBook;
  record: (r: StatusRecord) => void;
  peer: RelayPeer | undefined;
}): DeliveryStatus {
  return createDeliveryStatus({
    announceEveryMs: o.announceEveryMs,
    initial: statusEntries(o.state),
    onChange: (entry) => {
      o.record({ t: 'status', ...entry });
      o.peer?.changed();
    },
  });
}

/** Delivers for at most `ms`; with replicas, then hands threads and status to the next sender within the same time. */
export async function drainAndHandOver(
  drain: (ms: number) => Promise<boolean>,
  peer: RelayPeer | undefined,
  ms: number,
  now: () => number = Date.now,
): Promise<boolean> {
  const deadline = now() + ms;
  const drained = await drain(ms);
  return peer ? (await peer.handOver(Math.max(0, deadline - now()))) && drained : drained;
}

/** The delivery callbacks, telling `peer` of each episode opened. */
export function tellingOpens<C extends Pick<DeliveryCallbacks<RelayJob>, 'onEpisode'>>(
  callbacks: C,
  peer: RelayPeer | undefined,
): C {
  if (!peer) return callbacks;
  return {
    ...callbacks,
    onEpisode: (c: EpisodeChange) => {
      callbacks.onEpisode?.(c);
      if (c.episode) peer.changed();
    },
  };
}
