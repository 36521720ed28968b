/**
 * The relay in live mode against the test API server, as `notify-guard relay --kubeconfig` runs
 * it, with a silent logger; and what its tests post and read.
 */
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RunningRelay } from '../../src/cli/relay-command.ts';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { tempDir } from './temp-dir.ts';

/** Writes a kubeconfig pointing at `url` (the test API server); returns its path. */
export async function kubeconfigFor(url: string): Promise<string> {
  const path = join(tempDir('kc'), 'kubeconfig');
  await writeFile(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: t\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: t}\ncurrent-context: fake\n`,
  );
  return path;
}

/**
 * Starts the relay reading the cluster at `apiUrl`, journaling to `journalPath`; silent unless a
 * logger is given, with the server's own extras (e.g. Slack's pacing) when given.
 */
export async function startLiveRelay(
  apiUrl: string,
  journalPath: string,
  o: { logger?: Logger; extra?: Parameters<typeof startRelayServer>[2] } = {},
): Promise<RunningRelay> {
  return startRelayServer(
    {
      host: '127.0.0.1',
      port: 0,
      journalCompactAtBytes: 64 * 1024 * 1024,
      journalPath,
      clusterDir: undefined,
      kubeconfig: await kubeconfigFor(apiUrl),
      secretNamespaces: [],
      dedupWindowMs: 300_000,
      forwardTo: undefined,
      noCrossNamespaceRefs: false,
      maxDeliveryAgeMs: 3_600_000,
      retryMaxIntervalMs: 60_000,
      drainTimeoutMs: 0,
      allowInsecureDestinations: true,
      logLevel: o.logger ? 'info' : 'silent',
    },
    o.logger ?? createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    o.extra,
  );
}

/**
 * Sends `method path` with an optional JSON body (an object, or its text as it is); resolves
 * status and body text (status 0 when the connection failed).
 */
export function call(
  port: number,
  method: string,
  path: string,
  body?: object | string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body === undefined || typeof body === 'string' ? body : JSON.stringify(body));
  });
}
