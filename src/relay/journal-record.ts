/**
 * The journal's record framing, pure: each record is [u32 length][u32 CRC-32 of the payload]
 * [payload: UTF-8 JSON], little-endian. A header of zeros ends the records (the file is kept
 * zero-filled ahead of them). Decoding stops at the first record that is cut short, has a wrong
 * checksum or is not JSON: that is where a crash tore the file, and nothing after it was
 * acknowledged. The writer (journal-writer.ts) only moves these bytes to and from the disk.
 */
import { crc32 } from 'node:zlib';

/** Bytes of a record's header (length and checksum). */
export const HEADER_BYTES = 8;
/** Records larger than this are refused (an event body is at most 3 MiB). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/**
 * The last record encoded: measuring a record (`recordBytes`) and then appending it serialises it
 * once. One slot, not a cache per record: records stay alive while pending, their bytes need not.
 */
let lastEncoded: { record: unknown; payload: Buffer } | undefined;

function encodePayload(record: unknown): Buffer {
  if (lastEncoded && lastEncoded.record === record) return lastEncoded.payload;
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  lastEncoded = { record, payload };
  return payload;
}

/** The bytes `record` takes in the journal (header included). */
export function recordBytes(record: unknown): number {
  return HEADER_BYTES + encodePayload(record).length;
}

/** A record framed for the file; throws when its payload exceeds MAX_RECORD_BYTES. */
export function encodeRecord(record: unknown): Buffer {
  const payload = encodePayload(record);
  if (payload.length > MAX_RECORD_BYTES)
    throw new Error(`journal record of ${payload.length} bytes exceeds ${MAX_RECORD_BYTES}`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Records framed one after the other (one write's worth). */
export function encodeRecords(records: readonly unknown[]): Buffer {
  return Buffer.concat(records.map(encodeRecord));
}

/**
 * Records framed one after the other, in buffers of about `chunkBytes` (a rewrite's worth, never
 * all at once). A Buffer among them is a record framed already (a copy from the old file), taken as it is.
 */
export function* encodeInChunks(records: Iterable<unknown>, chunkBytes = 1024 * 1024): Generator<Buffer> {
  let chunk: Buffer[] = [];
  let bytes = 0;
  for (const r of records) {
    const framed = Buffer.isBuffer(r) ? r : encodeRecord(r);
    chunk.push(framed);
    bytes += framed.length;
    if (bytes < chunkBytes) continue;
    yield Buffer.concat(chunk, bytes);
    chunk = [];
    bytes = 0;
  }
  if (bytes > 0) yield Buffer.concat(chunk, bytes);
}

/**
 * One record's payload at an offset (framing and, unless `checksum` is false, checksum checked;
 * not parsed), or undefined where the records end.
 */
export function decodeFrame(
  image: Buffer,
  at: number,
  checksum = true,
): { payload: Buffer; bytes: number } | undefined {
  if (at + HEADER_BYTES > image.length) return undefined;
  const length = image.readUInt32LE(at);
  if (length === 0) return undefined; // the preallocated zeros: no record is empty
  if (length > MAX_RECORD_BYTES || at + HEADER_BYTES + length > image.length) return undefined;
  const payload = image.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length);
  if (checksum && crc32(payload) !== image.readUInt32LE(at + 4)) return undefined;
  return { payload, bytes: HEADER_BYTES + length };
}

/** One record decoded at an offset: the record and the bytes it takes, or undefined where the records end. */
export function decodeRecord<T>(image: Buffer, at: number): { record: T; bytes: number } | undefined {
  const frame = decodeFrame(image, at);
  if (!frame) return undefined;
  try {
    return { record: JSON.parse(frame.payload.toString('utf8')) as T, bytes: frame.bytes };
  } catch {
    return undefined;
  }
}

/**
 * How many bytes from `at` the next record takes, header included, as far as its header says (8
 * while the header itself is cut short), or 0 where the records end whatever follows (zeros, or a
 * length no record has): whether reading more of the file could complete it.
 */
export function bytesWanted(image: Buffer, at: number): number {
  if (at + HEADER_BYTES > image.length) return HEADER_BYTES;
  const length = image.readUInt32LE(at);
  return length === 0 || length > MAX_RECORD_BYTES ? 0 : HEADER_BYTES + length;
}

/** Parses a journal image; stops at the first incomplete or corrupt record. */
export function parseJournal<T>(image: Buffer): { records: T[]; sizes: number[]; goodBytes: number } {
  const records: T[] = [];
  const sizes: number[] = [];
  let at = 0;
  for (let r = decodeRecord<T>(image, at); r; r = decodeRecord<T>(image, at)) {
    records.push(r.record);
    sizes.push(r.bytes);
    at += r.bytes;
  }
  return { records, sizes, goodBytes: at };
}

/**
 * How many bytes after the good records are a torn or corrupt tail (up to the last byte other
 * than zero); 0 when only zeros follow them, which is a clean end.
 */
export function tornTailBytes(image: Buffer, goodBytes: number): number {
  let end = image.length;
  while (end > goodBytes && image[end - 1] === 0) end--;
  return end - goodBytes;
}
