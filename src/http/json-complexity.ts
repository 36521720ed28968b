/**
 * A bound on how many objects and arrays a request body may hold, checked on the raw bytes before
 * JSON.parse: parsing is the one step that cannot yield, and a body of tiny containers is the
 * costliest to parse (7 MiB of `[],` is 2.4 million arrays: about a second of event loop and
 * 100 MB of heap). Every `{` and `[` byte is counted, inside strings too, so the count is an upper
 * bound; the limit is far above any review or event a real client sends.
 */

/** Most `{` and `[` bytes a body may hold. */
export const MAX_JSON_CONTAINERS = 100_000;

/** Thrown (through body-parser's `verify`) for a body over the limit. */
class TooComplexError extends Error {
  readonly type = 'entity.too.complex';
  readonly status = 400;
  constructor(max: number) {
    super(`request body holds more than ${max} JSON objects and arrays`);
  }
}

/** True when `body` holds more than `max` `{` and `[` bytes; stops counting once past it. */
export function tooManyContainers(body: Buffer, max = MAX_JSON_CONTAINERS): boolean {
  // A body of at most `max` bytes cannot hold more: a review (1-10 KB) is not scanned at all.
  if (body.length <= max) return false;
  let count = 0;
  for (const byte of [0x7b, 0x5b]) {
    for (let at = body.indexOf(byte); at >= 0; at = body.indexOf(byte, at + 1)) {
      if (++count > max) return true;
    }
  }
  return false;
}

/** body-parser's `verify` hook: refuses a body over the limit before it is parsed. */
export function verifyJsonComplexity(_req: unknown, _res: unknown, body: Buffer): void {
  if (tooManyContainers(body)) throw new TooComplexError(MAX_JSON_CONTAINERS);
}
