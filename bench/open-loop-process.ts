/**
 * The relay benchmark's load generator, in a process of its own: a steady (open-loop) rate of
 * event POSTs, each timed from the moment it is written to the socket to the moment its whole
 * answer has arrived. It is kept lean so that its own work adds as little as possible to what it
 * measures: the requests are built before the clock starts, they go over raw keep-alive TCP
 * connections (one request at a time on each, no pipelining) and the answers are read by a few
 * lines of parsing instead of Node's http client.
 *
 * Asked over IPC with a LoadRequest, it answers a LoadReport, and exits on 'stop'.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { benchEvent } from './bench-events.ts';

export interface LoadRequest {
  readonly port: number;
  readonly rate: number;
  readonly seconds: number;
  /** Number of the first event (events are numbered so that none repeats a dedup key). */
  readonly first: number;
  /** Namespaces, hence Slack destinations, the events are spread over. */
  readonly spread: number;
}

export interface LoadReport {
  /** Latencies of the 202 answers, in ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly accepted: number;
  /** Answers other than 202, and connection errors (status 0), by status. */
  readonly other: Record<string, number>;
  /** The generator's own event-loop delay: how late it could have been to send or to read. */
  readonly ownLoopP99: number;
  /** Requests that found every connection busy and waited for one. */
  readonly queued: number;
}

const CONNECTIONS = 64;

/**
 * The first header carries when the request was written (process.hrtime, which is
 * CLOCK_MONOTONIC, shared by every process on the machine), so that the server can tell how long
 * the request waited before it was read: 20 digits, written in place just before each send.
 */
const SENT_AT = 'POST / HTTP/1.1\r\nx-sent-ns: '.length;
const SENT_DIGITS = 20;

function requestBytes(port: number, body: string): Buffer {
  return Buffer.from(
    `POST / HTTP/1.1\r\nx-sent-ns: ${'0'.repeat(SENT_DIGITS)}\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Reads one HTTP/1.1 answer from `buffer`: its status once it is complete, else undefined. */
function completeAnswer(buffer: Buffer): number | undefined {
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const head = buffer.toString('latin1', 0, headerEnd);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  const complete = length
    ? buffer.length >= headerEnd + 4 + Number(length[1])
    : buffer.subarray(buffer.length - 5).toString('latin1') === '0\r\n\r\n';
  return complete ? Number(head.slice(9, 12)) : undefined;
}

async function run(o: LoadRequest): Promise<LoadReport> {
  const total = Math.round(o.rate * o.seconds);
  const requests = Array.from({ length: total }, (_, i) => requestBytes(o.port, benchEvent(o.first + i, o.spread)));
  const latencies = new Float64Array(total);
  const other: Record<string, number> = {};
  let accepted = 0;
  let answered = 0;
  let queued = 0;
  const free: Socket[] = [];
  const waiting: Buffer[] = [];
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const count = (status: number) => {
    other[status] = (other[status] ?? 0) + 1;
  };
  const done = (socket: Socket | undefined) => {
    if (++answered === total) finish();
    const next = waiting.shift();
    if (socket && next) send(socket, next);
    else if (socket) free.push(socket);
  };
  /** When each busy connection's request was written. */
  const inFlight = new Map<Socket, number>();
  const send = (socket: Socket, bytes: Buffer) => {
    bytes.write(process.hrtime.bigint().toString().padStart(SENT_DIGITS, '0'), SENT_AT, 'latin1');
    inFlight.set(socket, performance.now());
    socket.write(bytes);
  };
  const open = () =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: o.port, noDelay: true }, () => resolve(socket));
      let buffer: Buffer | undefined;
      socket.on('data', (chunk: Buffer) => {
        const at = performance.now();
        buffer = buffer ? Buffer.concat([buffer, chunk]) : chunk;
        const status = completeAnswer(buffer);
        if (status === undefined) return;
        buffer = undefined;
        if (status === 202) latencies[accepted++] = at - inFlight.get(socket)!;
        else count(status);
        inFlight.delete(socket);
        done(socket);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (free.includes(socket)) free.splice(free.indexOf(socket), 1);
        if (inFlight.delete(socket)) {
          count(0);
          done(undefined);
        }
      });
    });
  free.push(...(await Promise.all(Array.from({ length: CONNECTIONS }, open))));

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const interval = 1000 / o.rate;
  const started = performance.now();
  let next = 0;
  const tick = () => {
    const now = performance.now();
    for (; next < total && started + next * interval <= now; next++) {
      const socket = free.pop();
      if (socket) send(socket, requests[next]!);
      else {
        queued++;
        waiting.push(requests[next]!);
      }
    }
    if (next < total) setTimeout(tick, Math.max(0, started + next * interval - performance.now()));
  };
  tick();
  await finished;
  loop.disable();
  for (const s of free) s.destroy();
  const sorted = latencies.subarray(0, accepted).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    accepted,
    other,
    ownLoopP99: loop.percentile(99) / 1e6,
    queued,
  };
}

process.on('message', (m: LoadRequest | 'stop') => {
  if (m === 'stop') process.exit(0);
  else void run(m).then((report) => process.send?.(report));
});
process.send?.('ready');
