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

/** The answers so far: latencies of the 202s, other statuses, and when every request is answered. */
function createTally(total: number) {
  const latencies = new Float64Array(total);
  const other: Record<string, number> = {};
  let accepted = 0;
  let answered = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const answer = () => {
    if (++answered === total) finish();
  };
  return {
    finished,
    accepted(ms: number) {
      latencies[accepted++] = ms;
      answer();
    },
    other(status: number) {
      other[status] = (other[status] ?? 0) + 1;
      answer();
    },
    report(ownLoopP99: number, queued: number): LoadReport {
      const sorted = latencies.subarray(0, accepted).sort();
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
      return {
        p50: at(0.5),
        p99: at(0.99),
        max: sorted[sorted.length - 1] ?? NaN,
        accepted,
        other,
        ownLoopP99,
        queued,
      };
    },
  };
}

type Tally = ReturnType<typeof createTally>;

/** CONNECTIONS keep-alive connections, one request at a time on each; requests wait for a free one. */
async function openPool(port: number, tally: Tally) {
  const free: Socket[] = [];
  const waiting: Buffer[] = [];
  let queued = 0;
  /** When each busy connection's request was written. */
  const inFlight = new Map<Socket, number>();
  const send = (socket: Socket, bytes: Buffer) => {
    bytes.write(process.hrtime.bigint().toString().padStart(SENT_DIGITS, '0'), SENT_AT, 'latin1');
    inFlight.set(socket, performance.now());
    socket.write(bytes);
  };
  const release = (socket: Socket) => {
    const next = waiting.shift();
    if (next) send(socket, next);
    else free.push(socket);
  };
  const open = () =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
      let buffer: Buffer | undefined;
      socket.on('data', (chunk: Buffer) => {
        const at = performance.now();
        buffer = buffer ? Buffer.concat([buffer, chunk]) : chunk;
        const status = completeAnswer(buffer);
        if (status === undefined) return;
        buffer = undefined;
        const sentAt = inFlight.get(socket)!;
        inFlight.delete(socket);
        if (status === 202) tally.accepted(at - sentAt);
        else tally.other(status);
        release(socket);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (free.includes(socket)) free.splice(free.indexOf(socket), 1);
        if (inFlight.delete(socket)) tally.other(0);
      });
    });
  free.push(...(await Promise.all(Array.from({ length: CONNECTIONS }, open))));
  return {
    dispatch(bytes: Buffer) {
      const socket = free.pop();
      if (socket) send(socket, bytes);
      else {
        queued++;
        waiting.push(bytes);
      }
    },
    queued: () => queued,
    close: () => free.forEach((s) => s.destroy()),
  };
}

/** Sends request `i` at `i / rate` seconds after the start (open loop: never waits for answers). */
function pace(requests: readonly Buffer[], rate: number, dispatch: (bytes: Buffer) => void): void {
  const interval = 1000 / rate;
  const started = performance.now();
  let next = 0;
  const tick = () => {
    const now = performance.now();
    for (; next < requests.length && started + next * interval <= now; next++) dispatch(requests[next]!);
    if (next < requests.length) setTimeout(tick, Math.max(0, started + next * interval - performance.now()));
  };
  tick();
}

async function run(o: LoadRequest): Promise<LoadReport> {
  const total = Math.round(o.rate * o.seconds);
  const requests = Array.from({ length: total }, (_, i) => requestBytes(o.port, benchEvent(o.first + i, o.spread)));
  const tally = createTally(total);
  const pool = await openPool(o.port, tally);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  pace(requests, o.rate, pool.dispatch);
  await tally.finished;
  loop.disable();
  pool.close();
  return tally.report(loop.percentile(99) / 1e6, pool.queued());
}

process.on('message', (m: LoadRequest | 'stop') => {
  if (m === 'stop') process.exit(0);
  else void run(m).then((report) => process.send?.(report));
});
process.send?.('ready');
