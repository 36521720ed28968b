/**
 * The relay's real request listener (event fast path and express app) on 127.0.0.1 over plain
 * HTTP, in front of a relay stub that records what it accepts: for tests of the HTTP surface
 * (hostile bodies, slow clients) without a journal or a delivery thread.
 */
import { createServer } from 'node:http';
import type { Server, ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.ts';
import { createRelayMetrics } from '../../src/observability/relay-metrics.ts';
import type { FluxEvent } from '../../src/relay/flux-event.ts';
import type { Relay } from '../../src/relay/relay.ts';
import { createRelayHandler } from '../../src/relay/relay-app.ts';

export interface StubbedRelayServer {
  readonly server: Server;
  readonly port: number;
  readonly accepted: FluxEvent[];
  readonly logs: string[];
  close(): Promise<void>;
}

/** Starts the listener; `configure` may set limits on the server before it listens. */
export async function startStubbedRelayServer(options: ServerOptions = {}, configure: (s: Server) => void = () => undefined): Promise<StubbedRelayServer> {
  const accepted: FluxEvent[] = [];
  const relay: Relay = {
    accept: (e) => { accepted.push(e); return Promise.resolve('accepted'); },
    deadLetters: () => [], pending: () => 0, drain: () => Promise.resolve(true), stop: () => Promise.resolve(),
  };
  const logs: string[] = [];
  const logger = createLogger('debug', new Writable({ write(c: Buffer, _e, cb) { logs.push(c.toString('utf8')); cb(); } }));
  const server = createServer(options, createRelayHandler({ relay, metrics: createRelayMetrics({ processMetrics: false }), logger, notReadyReason: () => undefined }));
  configure(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server, accepted, logs,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
