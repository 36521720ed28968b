/**
 * What a replica hands to the sender besides events (docs/relay-replicas.md): its open failure
 * episodes (Slack threads, slack-episodes.ts) and its delivery status table (delivery-status.ts),
 * so that after a failover the new sender replies in the old sender's threads, marks their parents
 * resolved, and answers for every Alert.
 * - The giver: whenever this replica is not the sender, knows which replica is, and has something
 *   that replica has not been given (the sender changed, this replica was the sender meanwhile, an
 *   Alert's status changed or an episode opened here), it POSTs `{episodes, statuses}` to the
 *   sender's `/handover`, beside its `/handoff` (handoff-endpoint.ts); `check` is called every
 *   second. Once the sender has answered, the episodes handed are closed here (journaled): the
 *   sender's journal holds them now. A failed handover is tried again at the next check.
 * - The receiver (`takeOver`): the sender merges the statuses (the later of each time) and opens
 *   each episode it has not open itself (an object that failed again on the new sender before the
 *   handover keeps its new thread). The episodes opened and the merged statuses are journaled
 *   durably before it answers, since the giver closes its episodes on that answer. A replica that
 *   is not the sender refuses, and the giver tries again; a journal that cannot take them rejects.
 */
import type { Logger } from '../observability/logger.ts';
import type { EpisodeChange } from './delivery-protocol.ts';
import type { DeliveryStatus } from './delivery-status.ts';
import type { HandoffClient } from './forwarder.ts';
import type { EpisodeRecord } from './journal-state.ts';
import type { StatusEntry, StatusRecord } from './journal-status.ts';
import { MAX_STATUSES } from './journal-status.ts';
import type { SenderGate } from './sender-gate.ts';

/** A replica's open episodes and status table, handed to the sender. */
export interface Handover {
  readonly episodes: readonly EpisodeChange[];
  readonly statuses: readonly StatusEntry[];
}

/** How a check of the giver ended. */
export type HandoverCheck = 'sender' | 'no-sender' | 'nothing' | 'handed' | 'failed';

/** The giver's side. */
export interface HandoverGiver {
  /** Something the sender has not been given: an Alert's status changed, or an episode opened. */
  changed(): void;
  /**
   * Hands everything over when due (see the file's comment); with a `deadline` (ms since the epoch,
   * a drain's end), the POST is bounded by the time left and not sent once none is left ('failed').
   */
  check(deadline?: number): Promise<HandoverCheck>;
  /** True when the replica that is the sender now holds everything this one would hand it. */
  current(): boolean;
}

/** What the giver reads and tells. */
export interface HandoverGiverOptions {
  readonly gate: SenderGate;
  readonly client: HandoffClient;
  readonly episodes: () => EpisodeChange[];
  readonly statuses: () => StatusEntry[];
  /** The sender holds these episodes now: close them here. */
  readonly handedAway: (keys: readonly string[]) => void;
  readonly log: Logger;
  readonly now?: () => number;
}

export function createHandoverGiver(o: HandoverGiverOptions): HandoverGiver {
  let handedTo: string | undefined;
  let dirty = false;
  let busy = false;
  let lastFailure: string | undefined;
  const now = o.now ?? Date.now;
  const hand = async (url: string, deadline: number | undefined): Promise<HandoverCheck> => {
    const h: Handover = { episodes: o.episodes(), statuses: o.statuses() };
    const left = deadline === undefined ? undefined : deadline - now();
    const some = h.episodes.length > 0 || h.statuses.length > 0;
    if (some && left !== undefined && left <= 0) return 'failed';
    dirty = false;
    if (some) {
      const r = await o.client.handOff(new URL('handover', url).href, h, left);
      if (r.kind !== 'ok') {
        dirty = true;
        const reason = 'reason' in r ? r.reason : r.kind;
        if (reason !== lastFailure) o.log.warn({ sender: url, reason }, 'cannot hand threads over yet');
        lastFailure = reason;
        return 'failed';
      }
      o.handedAway(h.episodes.map((e) => e.key));
      o.log.info(
        { sender: url, episodes: h.episodes.length, statuses: h.statuses.length },
        'handed open threads and delivery status to the sender',
      );
    }
    handedTo = url;
    lastFailure = undefined;
    return 'handed';
  };
  return {
    changed() {
      dirty = true;
    },
    current: () => !o.gate.isSender() && !dirty && handedTo !== undefined && handedTo === o.gate.senderUrl(),
    async check(deadline) {
      if (o.gate.isSender()) {
        handedTo = undefined;
        return 'sender';
      }
      const url = o.gate.senderUrl();
      if (!url) return 'no-sender';
      if (busy || (handedTo === url && !dirty)) return 'nothing';
      busy = true;
      try {
        return await hand(url, deadline);
      } finally {
        busy = false;
      }
    },
  };
}

/** What the receiver works with. */
export interface TakeOverDeps {
  readonly gate: SenderGate;
  readonly status: DeliveryStatus;
  /** True when this replica's journal holds an open episode for `key` (it keeps its own). */
  readonly isOpen: (key: string) => boolean;
  /** Journals records durably (resolves once fsync'd); rejects when it cannot. */
  readonly journal: (records: readonly (EpisodeRecord | StatusRecord)[]) => Promise<void>;
  /** Opens the episodes on the delivery thread (unless open there). */
  readonly open: (e: readonly EpisodeChange[]) => void;
}

/** The receiver's side: 'taken' once journaled, or 'not-sender' (the giver tries again); rejects when the journal cannot take it. */
export async function takeOver(d: TakeOverDeps, h: Handover): Promise<'taken' | 'not-sender'> {
  if (!d.gate.isSender()) return 'not-sender';
  d.status.merge(h.statuses);
  const alerts = new Set(h.statuses.map((s) => s.alert));
  const statuses = d.status.entries().filter((e) => alerts.has(e.alert));
  const episodes = h.episodes.filter((e) => !d.isOpen(e.key));
  await d.journal([
    ...episodes.map((e): EpisodeRecord => ({ t: 'episode', ...e })),
    ...statuses.map((s): StatusRecord => ({ t: 'status', ...s })),
  ]);
  d.open(episodes);
  return 'taken';
}

/**
 * Bounds of what is handed (no relay writes more): an Alert is `namespace/name` (63 + 1 + 253
 * characters), an episode key its Provider and object, Slack's `ts` and channel ids are short.
 * Longer reasons are cut to MAX_REASON; times after the receiver's `now` are taken as `now`.
 */
const MAX_ALERT = 317;
const MAX_KEY = 1024;
const MAX_ID = 64;
const MAX_REASON = 1024;

/** Reads a handover from a parsed JSON body at `now`; a string says what is wrong. */
export function decodeHandover(body: unknown, now: number): Handover | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
  const { episodes, statuses } = body as Record<string, unknown>;
  if (!Array.isArray(episodes) || episodes.length > MAX_STATUSES || !episodes.every(isOpenEpisode))
    return `episodes: expected at most ${MAX_STATUSES} of {key, episode: {since, reason, ts?, channel?}} (key at most ${MAX_KEY} characters, ts and channel ${MAX_ID})`;
  if (!Array.isArray(statuses) || statuses.length > MAX_STATUSES || !statuses.every(isStatus))
    return `statuses: expected at most ${MAX_STATUSES} of {alert, delivered?, announced?, error?: {at, reason}} (alert at most ${MAX_ALERT} characters)`;
  // Only the known fields are kept: what is journaled is what this relay wrote.
  const at = (t: number) => Math.min(t, now);
  return { episodes: episodes.map((e) => openEpisode(e, at)), statuses: statuses.map((e) => status(e, at)) };
}

const some = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
const cut = (reason: string) => reason.slice(0, MAX_REASON);

function openEpisode({ key, episode: e }: EpisodeChange, at: (t: number) => number): EpisodeChange {
  const { since, reason, ts, channel } = e!;
  return { key, episode: { since: at(since), reason: cut(reason), ...some('ts', ts), ...some('channel', channel) } };
}

function status({ alert, delivered, announced, error }: StatusEntry, at: (t: number) => number): StatusEntry {
  const e = error && { at: at(error.at), reason: cut(error.reason) };
  const time = (t: number | undefined) => (t === undefined ? undefined : at(t));
  return { alert, ...some('delivered', time(delivered)), ...some('announced', time(announced)), ...some('error', e) };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const optional = (v: unknown, is: (v: unknown) => boolean) => v === undefined || is(v);
const isText = (max: number) => (v: unknown) => typeof v === 'string' && v !== '' && v.length <= max;

function isOpenEpisode(v: unknown): v is EpisodeChange {
  if (!isObject(v) || !isText(MAX_KEY)(v['key']) || !isObject(v['episode'])) return false;
  const e = v['episode'];
  return (
    isTime(e['since']) &&
    typeof e['reason'] === 'string' &&
    optional(e['ts'], isText(MAX_ID)) &&
    optional(e['channel'], isText(MAX_ID))
  );
}

function isStatus(v: unknown): v is StatusEntry {
  if (!isObject(v) || !isText(MAX_ALERT)(v['alert'])) return false;
  const error = v['error'];
  return (
    optional(v['delivered'], isTime) &&
    optional(v['announced'], isTime) &&
    optional(error, (x) => isObject(x) && isTime(x['at']) && typeof x['reason'] === 'string')
  );
}
