/**
 * The server side of the relay benchmark, in a process of its own. argv[2]: `relay` (the real
 * relay, journal on disk, delivering to a local Slack stand-in) or `baseline` (a bare Node http
 * server that reads the body and answers 202). Reports {port} over IPC, {rssMB} on request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../src/cli/relay-command.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FakeSlack } from '../test/servers/fake-slack.ts';

const mode = process.argv[2];
let port: number;
if (mode === 'baseline') {
  const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(202, { 'content-type': 'application/json' }); res.end('{"status":"accepted"}'); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
} else {
  // The Slack stand-in runs in a process of its own (URL in argv[4]); without one, in this process.
  const url = process.argv[4] ?? await new FakeSlack({ perSecond: 1_000_000, burst: 1_000_000 }).start();
  const dir = await mkdtemp(join(tmpdir(), 'ng-relay-bench-'));
  const docs: object[] = [];
  const destinations = Number(process.argv[3] ?? 50);
  for (let i = 0; i < destinations; i++) {
    const ns = `team-${i}`;
    docs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack-url', namespace: ns }, stringData: { address: `${url}/services/T0BENCH${i}/B0BENCH/abcdefghijklmnop` } });
    docs.push({ apiVersion: 'notification.toolkit.fluxcd.io/v1beta3', kind: 'Provider', metadata: { name: 'slack', namespace: ns }, spec: { type: 'slack', secretRef: { name: 'slack-url' } } });
    docs.push({ apiVersion: 'notification.toolkit.fluxcd.io/v1beta3', kind: 'Alert', metadata: { name: 'all', namespace: ns }, spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] } });
  }
  await writeFile(join(dir, 'cluster.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  const relay = await startRelayServer({
    host: '127.0.0.1', port: 0, journalCompactAtBytes: 64 * 1024 * 1024, journalPath: join(dir, 'relay.journal'), clusterDir: dir, kubeconfig: undefined, secretNamespaces: [], dedupWindowMs: 300_000, forwardTo: undefined,
    noCrossNamespaceRefs: false, maxDeliveryAgeMs: 3_600_000, retryMaxIntervalMs: 60_000, drainTimeoutMs: 0, allowInsecureDestinations: true, logLevel: 'warn',
  }, createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })));
  port = relay.port;
}
process.send?.({ port });
process.on('message', (m) => {
  if (m === 'rss') process.send?.({ rssMB: process.memoryUsage().rss / 1024 / 1024 });
  if (m === 'stop') process.exit(0);
});
