/**
 * What an accept record must fit before it is journaled: a record's size limit (an event over it
 * can never be stored: EventTooLargeError, answered 413) and the journal's disk budget,
 * --journal-max-bytes (past it: JournalFullError, answered 503 with Retry-After, logged once per
 * episode, and a compaction is tried). Budgets count bytes as the journal writes them.
 */
import type { Logger } from '../observability/logger.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';
import type { Journal } from './journal.ts';
import { MAX_RECORD_BYTES, recordBytes } from './journal-record.ts';

/**
 * The journal's default disk budget: a compaction writes the kept half next to the full file, so
 * the volume must hold 1.5x the budget: 960 MiB of the 1 Gi volume in manifests/.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 640 * 1024 * 1024;
/** What a 503 for a full journal asks Flux to wait. */
export const JOURNAL_FULL_RETRY_AFTER_SECONDS = 10;

/** Returns the bytes a record takes once it may be journaled; throws when it may not. */
export function createJournalBudget(o: {
  journal: Journal<unknown>;
  maxBytes: number;
  keptBytes: () => number;
  compact: () => void;
  logger: Logger;
}): (record: unknown) => number {
  let full = false;
  return (record) => {
    const bytes = recordBytes(record);
    if (bytes > MAX_RECORD_BYTES) throw new EventTooLargeError(bytes, MAX_RECORD_BYTES);
    if (o.journal.size() + bytes > o.maxBytes) {
      if (!full)
        o.logger.warn(
          { journalBytes: o.journal.size(), maxBytes: o.maxBytes, keptBytes: o.keptBytes() },
          'journal at its disk budget: answering 503 with Retry-After until deliveries and compaction free space; nothing accepted is dropped',
        );
      full = true;
      o.compact();
      throw new JournalFullError(JOURNAL_FULL_RETRY_AFTER_SECONDS);
    }
    if (full)
      o.logger.info(
        { journalBytes: o.journal.size(), maxBytes: o.maxBytes },
        'journal below its disk budget again: accepting events',
      );
    full = false;
    return bytes;
  };
}
