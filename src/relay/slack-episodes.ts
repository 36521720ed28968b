/**
 * Failure episodes, per Provider and involved object: the first error delivered opens one; an
 * info event delivered while one is open closes it ("recovered after 12m"). With a bot token
 * (chat.postMessage answers with the message's `ts`), the first error's message is the parent of
 * a thread: later events about the object reply in it (errors also broadcast to the channel), and
 * on recovery the parent is updated to show the resolved state. With an incoming webhook (no
 * message id comes back), the recovering event's message says it recovered, once. Pure: time is a
 * parameter; the delivery thread keeps the map and the relay thread journals each change.
 */
import type { FluxEvent } from './flux-event.ts';

/** An open failure episode. */
export interface Episode {
  /** When the first error was delivered (epoch ms). */
  readonly since: number;
  /** The first error's reason. */
  readonly reason: string;
  /** The parent message (bot token only). */
  readonly ts?: string;
  readonly channel?: string;
}

/** What the next message of an object does. */
export interface EpisodePlan {
  /** Reply in this thread. */
  readonly threadTs?: string;
  /** Also show the reply in the channel (errors in a thread). */
  readonly broadcast: boolean;
  /** The episode this event ends, and how long it lasted, e.g. `12m`. */
  readonly recovered?: { readonly after: string; readonly episode: Episode };
}

/** The key of an object's episode at one Provider. */
export function episodeKey(provider: string, e: FluxEvent): string {
  const o = e.involvedObject;
  return `${provider} ${o.kind}/${o.namespace}/${o.name}`;
}

/** What to do for `e`, given the open episode (if any), at `now`. */
export function planEpisode(open: Episode | undefined, e: FluxEvent, now: number): EpisodePlan {
  if (!open) return { broadcast: false };
  const threadTs = open.ts ? { threadTs: open.ts } : {};
  if (e.severity === 'error') return { ...threadTs, broadcast: open.ts !== undefined };
  return { ...threadTs, broadcast: false, recovered: { after: formatDuration(now - open.since), episode: open } };
}

/** The episode after `e` was delivered (`posted`: the message's ts and channel, when Slack said). */
export function nextEpisode(
  open: Episode | undefined,
  e: FluxEvent,
  now: number,
  posted: { ts?: string; channel?: string } = {},
): Episode | undefined {
  if (e.severity === 'info') return undefined;
  if (open) return open;
  return {
    since: now,
    reason: e.reason,
    ...(posted.ts ? { ts: posted.ts } : {}),
    ...(posted.channel ? { channel: posted.channel } : {}),
  };
}

/** `45s`, `12m`, `1h5m`, `2d3h`: the largest two units. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d${h > 0 ? `${h}h` : ''}`;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}`;
  return m > 0 ? `${m}m` : `${s}s`;
}

/** The open episodes the delivery thread keeps; `set` reports each change (for the journal). */
export interface EpisodeBook {
  get(key: string): Episode | undefined;
  set(key: string, episode: Episode | undefined): void;
}

/**
 * A book of at most `max` open episodes: opening one more forgets the oldest, reported as closed
 * (an object that failed and was then deleted never recovers; its episode must not stay forever).
 */
export function createEpisodeBook(
  initial: Iterable<readonly [string, Episode]>,
  onChange: (key: string, episode: Episode | undefined) => void,
  max = 10_000,
): EpisodeBook {
  const open = new Map(initial);
  return {
    get: (key) => open.get(key),
    set(key, episode) {
      open.delete(key);
      if (episode) open.set(key, episode);
      onChange(key, episode);
      if (open.size <= max) return;
      const oldest = open.keys().next().value!;
      open.delete(oldest);
      onChange(oldest, undefined);
    },
  };
}

/**
 * Episodes another replica handed over, or that this one handed away (sender-handover.ts): one
 * with `episode` opens unless its key is open already (an object that failed again here keeps the
 * thread it has), one without closes it; each change is reported as any other.
 */
export function takeEpisodes(
  book: EpisodeBook,
  changes: readonly { readonly key: string; readonly episode?: Episode }[],
): void {
  for (const c of changes) {
    const open = book.get(c.key) !== undefined;
    if (c.episode ? !open : open) book.set(c.key, c.episode);
  }
}
