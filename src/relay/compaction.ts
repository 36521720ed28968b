/**
 * Journal compaction: the journal is rewritten with what a restart still needs, which is what
 * journal-state.ts keeps (events held, pending, not yet forwarded or with a dead letter in the
 * table, and each destination's running 429 pause). A rewrite happens only once the journal has
 * passed --journal-compact-at AND what is kept fills at most half of it: a journal of pending
 * records alone cannot shrink, and rewriting it on every record (as an earlier keeper did: 50
 * rewrites of 67 MB in 30 s under a storm) only doubles the disk writes. With that rule the bytes
 * rewritten are at most the bytes appended since the previous rewrite.
 */
import type { Logger } from '../observability/logger.ts';
import type { Journal } from './journal.ts';
import type { AcceptRecord, JournalState, RelayRecord } from './journal-state.ts';
import { planRewrite } from './journal-rewrite.ts';
import type { DamagedDelivery, Redelivery } from './journal-rewrite.ts';
import type { SpillReader } from './spill-reader.ts';

/** A rewrite happens only when what is kept is at most this fraction of the journal. */
export const SHRINK_FRACTION = 0.5;

/** True when a journal of `size` bytes should be rewritten to the `liveBytes` it keeps. */
export function shouldCompact(size: number, liveBytes: number, compactAtBytes: number): boolean {
  return size >= compactAtBytes && liveBytes <= size * SHRINK_FRACTION;
}

/** Rewrites the journal from the relay's state when that shrinks it enough. */
export interface JournalKeeper {
  /** Rewrites the journal when `shouldCompact` (one rewrite at a time). */
  compactIfLarge(): Promise<void>;
}

/**
 * Told of what a rewrite found damaged: dead letters, forwards lost, events to forward again from
 * memory, and spilled deliveries to queue again from their event in memory.
 */
export type Damaged = (
  dead: readonly DamagedDelivery[],
  lostForwards: number,
  reforward: readonly AcceptRecord[],
  redeliver: readonly Redelivery[],
) => void;

/** A keeper of the journal `o.journal`, whose meaning is `o.state` (kept up to date by the relay). */
export function createJournalKeeper(o: {
  journal: Journal<RelayRecord>;
  state: JournalState;
  compactAtBytes: number;
  logger: Logger;
  now?: () => number;
  /** Reads the journal file, when the state holds references into it (spilled events: journal-spill.ts). */
  reader?: SpillReader | undefined;
  /**
   * Told of the dead letters a rewrite made for references to damaged records (journaled already:
   * count and log them), of the spilled forwards it dropped with them, and of the events in memory
   * whose spilled forward or deliveries went with them (to forward or deliver from memory).
   */
  damaged?: Damaged;
}): JournalKeeper {
  let compacting = false;
  // A call while a rewrite runs is remembered: the state may have shrunk meanwhile (the last outcome
  // of a storm), and skipping it would leave the journal over the threshold until the next write.
  let askedAgain = false;
  const once = async () => {
    const before = o.journal.size();
    try {
      // Every record handed to the journal is in the state already (the relay applies it first):
      // records still queued are written again after the rewrite. Replay folds a second outcome as a
      // no-op, and folds whole an accept record it finds twice (journal-repeats.ts), so that its
      // deliveries are not spilled, and sent, twice.
      const damaged = await rewriteJournal(o.journal, o.state, (o.now ?? Date.now)(), o.reader, o.damaged);
      o.logger.info(
        { beforeBytes: before, afterBytes: o.journal.size(), events: o.state.events.size, damaged: damaged.length },
        'journal compacted',
      );
    } catch (err) {
      o.logger.error({ err }, 'journal compaction failed; the journal keeps growing until the next attempt');
      return false;
    }
    return true;
  };
  return {
    async compactIfLarge() {
      if (compacting) {
        askedAgain = true;
        return;
      }
      compacting = true;
      try {
        // At most one more rewrite per call that came in meanwhile; a failed rewrite waits for the next write.
        do {
          askedAgain = false;
          if (!shouldCompact(o.journal.size(), o.state.liveBytes, o.compactAtBytes)) break;
          if (!(await once())) break;
        } while (askedAgain);
      } finally {
        compacting = false;
      }
    },
  };
}

/**
 * Rewrites `journal` with what `state` keeps (at `at`, for pauses), spilled events copied as they
 * are (journal-rewrite.ts). `reader` opens the new file once it is written, before it replaces the
 * old one; once it has, in the same turn, the references move to it and `reader` reads it. When the
 * new file cannot be opened, this throws with nothing swapped: the journal, its offsets and the
 * references stay on the old file (a swap before the open, as before, let new appends record
 * offsets in the new file that the reader looked up in the old one).
 * Returns the dead letters made for references to damaged records (journal-rewrite.ts), told to
 * `damaged` too, also when the rewrite fails after making them: they are folded into the state
 * then, so they are appended to the old file, which keeps agreeing with it. What it hands back
 * to send from memory is told either way: its references are off their FIFOs already.
 */
export async function rewriteJournal(
  journal: Journal<RelayRecord>,
  state: JournalState,
  at: number,
  reader: SpillReader | undefined,
  damaged?: Damaged,
): Promise<readonly DamagedDelivery[]> {
  const plan = planRewrite(state, at, reader);
  const tell = () => {
    const { reforward, redeliver } = plan;
    if (plan.damaged.length + plan.lostForwards() + reforward.length + redeliver.length > 0)
      damaged?.(plan.damaged, plan.lostForwards(), reforward, redeliver);
  };
  let readNew: (() => void) | undefined;
  try {
    // The reader opens the new file before it replaces the old one: when it cannot, nothing is swapped.
    await journal.rewrite(plan.records, (newPath) => {
      try {
        readNew = reader?.reopen(newPath);
      } catch (err) {
        throw new Error('the compacted journal could not be opened for reading back; the journal is kept as it was', {
          cause: err,
        });
      }
    });
  } catch (err) {
    if (plan.damaged.length > 0) await journal.appendSoon(...plan.damaged);
    tell();
    throw err;
  }
  plan.moved();
  readNew?.();
  tell();
  return plan.damaged;
}
