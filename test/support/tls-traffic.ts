/**
 * Continuous HTTPS traffic against a server during certificate rotations, as the API server sends
 * it: some workers reuse keep-alive connections, others open a new connection per request; each
 * connection trusts the CA bundle current when it is opened and verifies the Service name.
 * Counts failures and records the serial numbers served on new connections.
 */
import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface TrafficResult {
  readonly ok: number;
  readonly failures: readonly string[];
  readonly keepAliveOk: number;
  readonly newConnectionOk: number;
}

export interface Traffic {
  /** Serial numbers (lower-case hex) seen on new connections so far. */
  readonly serials: Set<string>;
  /** Successful requests so far, on kept-alive and on new connections. */
  counts(): { keepAliveOk: number; newConnectionOk: number };
  stop(): Promise<TrafficResult>;
}

export function startTraffic(o: {
  port: number;
  servername: string;
  trust: () => string;
  path?: string;
  keepAliveWorkers?: number;
  newConnectionWorkers?: number;
}): Traffic {
  const serials = new Set<string>();
  const failures: string[] = [];
  let ok = 0;
  let keepAliveOk = 0;
  let newConnectionOk = 0;
  let stopped = false;
  const agents = new Map<string, Agent>();
  const agentFor = (bundle: string) => {
    let a = agents.get(bundle);
    if (!a)
      agents.set(bundle, (a = new Agent({ keepAlive: true, maxSockets: 2, ca: bundle, servername: o.servername })));
    return a;
  };
  const one = (keepAlive: boolean) =>
    new Promise<void>((resolve) => {
      const bundle = o.trust();
      const req = request(
        {
          host: '127.0.0.1',
          port: o.port,
          path: o.path ?? '/healthz',
          method: 'GET',
          servername: o.servername,
          ...(keepAlive ? { agent: agentFor(bundle) } : { agent: false, ca: bundle }),
        },
        (res) => {
          if (!keepAlive) {
            const serial = (res.socket as TLSSocket).getPeerCertificate?.()?.serialNumber;
            if (serial) serials.add(serial.toLowerCase().replace(/^0+/, ''));
          }
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) {
              ok++;
              if (keepAlive) keepAliveOk++;
              else newConnectionOk++;
            } else failures.push(`HTTP ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        failures.push(`${keepAlive ? 'keep-alive' : 'new connection'}: ${e.message}`);
        resolve();
      });
      req.end();
    });
  const loops = [
    ...Array.from({ length: o.keepAliveWorkers ?? 2 }, () => true),
    ...Array.from({ length: o.newConnectionWorkers ?? 2 }, () => false),
  ].map(async (keepAlive) => {
    while (!stopped) await one(keepAlive);
  });
  return {
    serials,
    counts: () => ({ keepAliveOk, newConnectionOk }),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const a of agents.values()) a.destroy();
      return { ok, failures, keepAliveOk, newConnectionOk };
    },
  };
}

/** A serial number as the traffic helper records it. */
export function normalSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+/, '');
}
