/**
 * The relay's real request listener (event fast path and express app) on 127.0.0.1 over plain
 * HTTP, in front of a relay stub that records what it accepts: for tests of the HTTP surface
 * (hostile bodies, slow clients) without a journal or a delivery thread, with the relay's server
 * limits as relay-command.ts applies them.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DEFAULT_SERVER_LIMITS, capConnections, serverTimeouts } from '../../src/http/server-limits.ts';
import type { ServerLimits } from '../../src/http/server-limits.ts';
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

/** Starts the listener with the relay's server limits (default: DEFAULT_SERVER_LIMITS). */
export async function startStubbedRelayServer(
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Promise<StubbedRelayServer> {
  const accepted: FluxEvent[] = [];
  const relay: Relay = {
    accept: (e) => {
      accepted.push(e);
      return Promise.resolve('accepted');
    },
    deadLetters: () => [],
    deliveryStatus: () => [],
    pending: () => 0,
    held: () => 0,
    drain: () => Promise.resolve(true),
    stop: () => Promise.resolve(),
  };
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(c: Buffer, _e, cb) {
        logs.push(c.toString('utf8'));
        cb();
      },
    }),
  );
  const server = createServer(
    serverTimeouts(limits),
    createRelayHandler({
      relay,
      metrics: createRelayMetrics({ processMetrics: false }),
      logger,
      notReadyReason: () => undefined,
      limits,
    }),
  );
  capConnections(server, limits);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    accepted,
    logs,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
