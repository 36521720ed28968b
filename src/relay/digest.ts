/**
 * A burst digest: the accumulator that a destination's queued events fold into when Slack's pace
 * cannot carry them one by one (digest-trigger.ts decides when), rendered as one message
 * (digest-blocks.ts, digest-legacy.ts). notification-controller has nothing like it: its event
 * handler (`internal/server/event_handlers.go`, `dispatchNotification`) sends every event that an
 * Alert matches as its own message, so a burst reaches Slack one event at a time.
 *
 * The accumulator counts events by group (severity, reason, involved object kind and namespace),
 * with the first and last time of each group; keeps a few examples with their messages, errors
 * before infos and one per group before a second; and accounts for every delivery folded
 * (digest-ids.ts). It is plain JSON, so it can be a journal record (`DigestRecord`), and bounded:
 * at most MAX_GROUPS groups (events of groups beyond them are counted per severity in `overflow`;
 * an error group takes the place of the smallest info group), MAX_EXAMPLES examples, every string
 * cut to a bound in code points. A code point costs at most 6 bytes of JSON (`\u0001`), so the
 * record's size has a bound, DIGEST_RECORD_MAX_BYTES, whatever was folded and however often.
 *
 * `foldEvent` reads nothing but its arguments (time is `at`); like the journal's `apply`, it
 * mutates the accumulator and returns it, so folding a million events costs no copies.
 */
import type { FluxEvent } from './flux-event.ts';
import type { DigestIds } from './digest-ids.ts';
import { addId, emptyIds, MAX_LISTED_ID_LENGTH, MAX_LISTED_IDS } from './digest-ids.ts';
import { compareText } from './plain-text.ts';

/** Groups counted one by one. */
export const MAX_GROUPS = 40;
/** Examples kept, and of one group. */
export const MAX_EXAMPLES = 10;
export const MAX_EXAMPLES_PER_GROUP = 3;
/** Bounds in code points of the strings kept. */
export const TEXT_BOUNDS = { kind: 63, namespace: 63, reason: 128, name: 253, message: 500 } as const;

/** Events of one severity, reason, kind and namespace. */
export interface DigestGroup {
  readonly severity: 'error' | 'info';
  readonly reason: string;
  readonly kind: string;
  readonly namespace: string;
  count: number;
  /** First and last accept time (epoch ms). */
  first: number;
  last: number;
}

/** An event kept as an example. */
export interface DigestExample {
  readonly severity: 'error' | 'info';
  readonly reason: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The message, cut to TEXT_BOUNDS.message code points. */
  readonly message: string;
  /** Code points cut from the message. */
  readonly cut: number;
  readonly at: number;
}

/** Events in groups not counted one by one. */
export interface OverflowCount {
  count: number;
  first: number;
  last: number;
}

/** A destination's digest. */
export interface DigestAcc {
  /** Events folded. */
  count: number;
  errors: number;
  /** First and last accept time of any event folded (0 when none). */
  first: number;
  last: number;
  readonly groups: DigestGroup[];
  readonly overflow: { readonly error: OverflowCount; readonly info: OverflowCount };
  readonly examples: DigestExample[];
  readonly ids: DigestIds;
}

/** The journal record of a digest (to be): the accumulator of `destination`, named `id`. */
export interface DigestRecord {
  readonly t: 'digest';
  /** The Provider, `namespace/name`: at most MAX_DESTINATION_LENGTH code points. */
  readonly destination: string;
  /** The digest's id, told with every delivery it absorbed: at most MAX_DIGEST_ID_LENGTH code points. */
  readonly id: string;
  readonly acc: DigestAcc;
}

/** A Provider's `namespace/name` (63 + 1 + 253). */
export const MAX_DESTINATION_LENGTH = 317;
/** A digest id (a UUID is 36). */
export const MAX_DIGEST_ID_LENGTH = 64;

/** JSON bytes per code point at most. */
const WORST_BYTES_PER_CODE_POINT = 6;
/** A number (epoch ms or a count) in JSON. */
const NUMBER_BYTES = 16;
const groupText = TEXT_BOUNDS.reason + TEXT_BOUNDS.kind + TEXT_BOUNDS.namespace;
const exampleText = groupText + TEXT_BOUNDS.name + TEXT_BOUNDS.message;

/**
 * The most JSON bytes (UTF-8) a DigestRecord can take, whatever was folded and however often:
 * groups 69,280 + examples 62,740 + listed ids 15,456 + destination and id 2,286 + the rest 1,024
 * = 150,786 bytes (147 KiB). Events of ASCII text take far less (a few KiB to 30 KiB).
 */
export const DIGEST_RECORD_MAX_BYTES =
  MAX_GROUPS * (groupText * WORST_BYTES_PER_CODE_POINT + 3 * NUMBER_BYTES + 160) +
  MAX_EXAMPLES * (exampleText * WORST_BYTES_PER_CODE_POINT + 2 * NUMBER_BYTES + 200) +
  MAX_LISTED_IDS * (MAX_LISTED_ID_LENGTH * WORST_BYTES_PER_CODE_POINT + 3) +
  (MAX_DESTINATION_LENGTH + MAX_DIGEST_ID_LENGTH) * WORST_BYTES_PER_CODE_POINT +
  1024;

/** An empty digest. */
export function emptyDigest(): DigestAcc {
  return {
    count: 0,
    errors: 0,
    first: 0,
    last: 0,
    groups: [],
    overflow: { error: { count: 0, first: 0, last: 0 }, info: { count: 0, first: 0, last: 0 } },
    examples: [],
    ids: emptyIds(),
  };
}

/** The journal record of `acc`; throws (a bug) when `destination` or `id` is longer than its bound. */
export function digestRecord(destination: string, id: string, acc: DigestAcc): DigestRecord {
  if (destination.length > MAX_DESTINATION_LENGTH || id.length > MAX_DIGEST_ID_LENGTH)
    throw new Error(`digest record: destination or id over its bound (${destination.length}, ${id.length})`);
  return { t: 'digest', destination, id, acc };
}

/** Folds delivery `id` of event `e`, accepted at `at` (epoch ms), into `acc` (mutated and returned). */
export function foldEvent(acc: DigestAcc, e: FluxEvent, at: number, id: string): DigestAcc {
  const severity = e.severity === 'error' ? 'error' : 'info';
  const o = e.involvedObject;
  const key = {
    severity,
    reason: cut(e.reason, TEXT_BOUNDS.reason).text,
    kind: cut(o.kind, TEXT_BOUNDS.kind).text,
    namespace: cut(o.namespace, TEXT_BOUNDS.namespace).text,
  } as const;
  acc.count++;
  if (severity === 'error') acc.errors++;
  acc.first = acc.count === 1 ? at : Math.min(acc.first, at);
  acc.last = Math.max(acc.last, at);
  const group = acc.groups.find((g) => sameGroup(g, key)) ?? openGroup(acc, key);
  if (group) {
    widen(group, at);
    keepExample(acc, key, e, at);
  } else widen(acc.overflow[severity], at);
  addId(acc.ids, id);
  return acc;
}

type GroupKey = Pick<DigestGroup, 'severity' | 'reason' | 'kind' | 'namespace'>;

function sameGroup(a: GroupKey, b: GroupKey): boolean {
  return a.severity === b.severity && a.reason === b.reason && a.kind === b.kind && a.namespace === b.namespace;
}

/** Counts one more event at `at`. */
function widen(c: { count: number; first: number; last: number }, at: number): void {
  c.first = c.count === 0 ? at : Math.min(c.first, at);
  c.last = Math.max(c.last, at);
  c.count++;
}

/** A new group, when there is room or an error group can take the place of the smallest info group. */
function openGroup(acc: DigestAcc, key: GroupKey): DigestGroup | undefined {
  const group: DigestGroup = { ...key, count: 0, first: 0, last: 0 };
  if (acc.groups.length < MAX_GROUPS) {
    acc.groups.push(group);
    return group;
  }
  if (key.severity !== 'error') return undefined;
  let smallest = -1;
  acc.groups.forEach((g, i) => {
    if (g.severity === 'info' && (smallest < 0 || g.count < acc.groups[smallest]!.count)) smallest = i;
  });
  if (smallest < 0) return undefined;
  const gone = acc.groups[smallest]!;
  const info = acc.overflow.info;
  info.first = info.count === 0 ? gone.first : Math.min(info.first, gone.first);
  info.last = Math.max(info.last, gone.last);
  info.count += gone.count;
  acc.examples.splice(0, acc.examples.length, ...acc.examples.filter((x) => !sameGroup(x, gone)));
  acc.groups[smallest] = group;
  return group;
}

/**
 * Keeps `e` as an example when its group has fewer than MAX_EXAMPLES_PER_GROUP and there is room;
 * else in the place of an info example (for an error), or of one of a group with several (for the
 * first of its group), the latest such.
 */
function keepExample(acc: DigestAcc, key: GroupKey, e: FluxEvent, at: number): void {
  const ex = acc.examples;
  const own = ex.filter((x) => sameGroup(x, key)).length;
  if (own >= MAX_EXAMPLES_PER_GROUP) return;
  let place = ex.length < MAX_EXAMPLES ? ex.length : -1;
  if (place < 0 && key.severity === 'error') place = ex.findLastIndex((x) => x.severity === 'info');
  if (place < 0 && own === 0) {
    let most = 2;
    ex.forEach((x, i) => {
      const n = ex.filter((y) => sameGroup(y, x)).length;
      if (x.severity === key.severity && n >= most) [most, place] = [n, i];
    });
  }
  if (place < 0) return;
  const message = cut(e.message, TEXT_BOUNDS.message);
  ex[place] = {
    ...key,
    name: cut(e.involvedObject.name, TEXT_BOUNDS.name).text,
    message: message.text,
    cut: message.cut,
    at,
  };
}

/** `s` cut to `max` code points, and how many were cut. */
function cut(s: string, max: number): { text: string; cut: number } {
  if (s.length <= max) return { text: s, cut: 0 };
  let [end, kept] = [0, 0];
  for (const ch of s) {
    if (kept === max) break;
    end += ch.length;
    kept++;
  }
  if (end === s.length) return { text: s, cut: 0 };
  let rest = 0;
  for (const _ of s.slice(end)) rest++;
  return { text: s.slice(0, end), cut: rest };
}

/** The groups in the order a message shows them: errors first, then by count, then by first time. */
export function orderedGroups(acc: DigestAcc): DigestGroup[] {
  return [...acc.groups].sort(
    (a, b) =>
      (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1) ||
      b.count - a.count ||
      a.first - b.first ||
      compareText(`${a.reason} ${a.kind} ${a.namespace}`, `${b.reason} ${b.kind} ${b.namespace}`),
  );
}

/** The examples of `g`, oldest first. */
export function examplesOf(acc: DigestAcc, g: GroupKey): DigestExample[] {
  return acc.examples.filter((x) => sameGroup(x, g)).sort((a, b) => a.at - b.at);
}
