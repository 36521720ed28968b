/**
 * Relay replicas as separate processes for the e2e tests (test/e2e/relay-replicas*.test.ts): each
 * reads the cluster from a test API server and elects its sender on one of its Leases, with short
 * timing (--sender-lease-timing 3,2,0.5).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call as sendCall } from './live-relay.ts';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Replica {
  readonly child: ChildProcess;
  readonly port: number;
  /** Its identity in the Lease: the address of its handoff endpoint. */
  readonly identity: string;
  /** What it has logged so far (JSON lines). */
  readonly log: () => string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a relay process electing its sender on `lease`, each event sent alone. */
export function startReplica(o: {
  kubeconfig: string;
  journal: string;
  peerPort: number;
  lease: string;
  namespace: string;
  /** Seconds a SIGTERM drains for (default 0). */
  drainSeconds?: number;
  /** `--peer-token-file`: the peer endpoint authenticated. */
  tokenFile?: string;
}): Promise<Replica> {
  const { kubeconfig, journal, peerPort } = o;
  const identity = `127.0.0.1:${peerPort}`;
  const child = spawn(
    process.execPath,
    [
      ...[join(ROOT, 'src', 'cli', 'main.ts'), 'relay', '--listen', '127.0.0.1:0', '--journal', journal],
      ...[
        '--kubeconfig',
        kubeconfig,
        '--allow-insecure-slack-destinations',
        '--drain-timeout',
        `${o.drainSeconds ?? 0}`,
      ],
      ...['--retry-max-interval', '1', '--sender-lease', o.lease, '--sender-lease-namespace', o.namespace],
      ...['--sender-lease-timing', '3,2,0.5', '--pod-name', identity, '--peer-listen', identity],
      ...['--peer-url', 'http://{identity}/handoff'],
      ...(o.tokenFile ? ['--peer-token-file', o.tokenFile] : []),
      // Each event alone, so that Slack's messages name the events a sender posted (digests fold a burst).
      ...['--digest-after', '0'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      const m = /"listen":"127\.0\.0\.1:(\d+)"[^\n]*"msg":"relay listening"/.exec(buffered);
      if (m) resolve({ child, port: Number(m[1]), identity, log: () => buffered });
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code} before listening`)));
  });
}

/** `live-relay.ts`'s call, answering `text`: sends the body as it is. */
export async function call(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const r = await sendCall(port, method, path, body);
  return { status: r.status, text: r.body };
}

/** A series' value in a replica's /metrics (0 when absent). */
export async function metric(r: Replica, series: string): Promise<number> {
  const { text } = await call(r.port, 'GET', '/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
