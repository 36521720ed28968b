/**
 * A raw HTTP/1.1 client over TCP or TLS that sends exactly what a test tells it, when it tells
 * it: a slowloris dribbling headers, an upload that stalls halfway, a connection left idle.
 * It records what the server answered and resolves `closed` when the server closes.
 */
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { SERVICE_HOST } from './apiserver-client.ts';

export interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;
  /** True once closed. */
  isClosed(): boolean;
  write(text: string | Buffer): void;
  /** Resolves once what the server sent matches `pattern` (rejects if the connection closes first). */
  waitFor(pattern: RegExp): Promise<string>;
}

/** Connects (TLS when `caPem` is given) and resolves once the connection is established. */
export function rawClient(port: number, caPem?: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let data = '';
    let closed = false;
    const onConnect = () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      const waitFor = (pattern: RegExp) =>
        new Promise<string>((done, fail) => {
          const check = () => {
            if (pattern.test(data)) {
              socket.off('data', check);
              done(data);
            } else if (closed) fail(new Error(`closed before ${pattern}: ${JSON.stringify(data.slice(0, 200))}`));
          };
          socket.on('data', check);
          void closing.then(check);
          check();
        });
      resolve({
        socket,
        closed: closing,
        received: () => data,
        isClosed: () => closed,
        write: (t) => {
          if (!closed) socket.write(t);
        },
        waitFor,
      });
    };
    const socket: Socket = caPem
      ? tlsConnect({ host: '127.0.0.1', port, ca: caPem, servername: SERVICE_HOST }, onConnect)
      : tcpConnect({ host: '127.0.0.1', port }, onConnect);
    const closing = new Promise<void>((r) =>
      socket.once('close', () => {
        closed = true;
        r();
      }),
    );
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
    });
    socket.once('error', reject);
  });
}

/** Sends one header line every `everyMs` until the server closes the connection (at most `max` lines). */
export async function dribbleHeaders(c: RawClient, everyMs: number, max = 1_000): Promise<void> {
  c.write('POST /validate HTTP/1.1\r\nHost: slow\r\n');
  for (let i = 0; i < max && !c.isClosed(); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    c.write(`X-Slow-${i}: ${'a'.repeat(8)}\r\n`);
  }
}

/** Sends the headers of a POST declaring `declared` body bytes, then `sent` of them, then stalls. */
export function stalledUpload(c: RawClient, path: string, declared: number, sent: number): void {
  c.write(
    `POST ${path} HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  c.write(Buffer.alloc(sent, 0x20));
}
