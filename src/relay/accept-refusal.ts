/**
 * Why the relay refuses to store an event, as errors `Relay.accept` rejects with. The event API
 * (event-endpoint.ts) answers each as Flux should see it: 413 for an event that can never be
 * stored (Flux does not retry 4xx), 503 with Retry-After while the journal is at its disk budget
 * (Flux retries 5xx). Neither error carries any part of the event.
 */

/** An event whose journal record exceeds what a record may hold, even cut to what Slack shows. */
export class EventTooLargeError extends Error {
  readonly bytes: number;
  constructor(bytes: number, maxBytes: number) {
    super(
      `the event needs ${bytes} bytes in the journal, even cut to what Slack shows; at most ${maxBytes} can be stored: send it with fewer or shorter metadata entries`,
    );
    this.name = 'EventTooLargeError';
    this.bytes = bytes;
  }
}

/** The journal has reached --journal-max-bytes; accepts resume once deliveries and compaction free space. */
export class JournalFullError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("the relay's journal is at its disk budget (--journal-max-bytes); retry later");
    this.name = 'JournalFullError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
