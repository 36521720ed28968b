/**
 * What the Slack client's connections cost the relay (docs/relay.md, "Storms"): N POSTs at once
 * (default 500, one per destination of the storm bench) through the relay's own sender
 * (slack-sender.ts `createSlackSender`) to a local server that answers each in 300 ms, over TLS
 * (as hooks.slack.com is) and over plain HTTP (as the storm bench's Slack is), with the sender's
 * bound on connections per origin and without it. Prints the process's anonymous memory added
 * (smaps_rollup) and the connections the server saw. The server runs in a process of its own.
 * Run with the relay's settings: `MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
 * MALLOC_TRIM_THRESHOLD_=131072 node --expose-gc --max-semi-space-size=2 --optimize-for-size
 * bench/slack-connections-bench.ts [N]`. A benchmark, not a test.
 */
import { fork } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createCA, createServingCertificate } from '../src/certs/certificates.ts';
import { createSlackSender, MAX_CONNECTIONS_PER_ORIGIN } from '../src/relay/slack-sender.ts';

const HOOK = '/services/T0CONN/B0CONN/abcdefghijklmnop';

/** The server side: `tls` or `plain`; reports {port, ca} over IPC, and the connections seen on 'count'. */
async function serve(tls: boolean): Promise<void> {
  let connections = 0;
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end('ok'), 300));
  };
  const now = new Date();
  const ca = tls ? await createCA({ now, validityDays: 1 }) : undefined;
  const leaf = ca && (await createServingCertificate({ ca, now, validityDays: 1, hosts: ['localhost', '127.0.0.1'] }));
  const server = leaf ? createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, answer) : createHttpServer(answer);
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ port: (server.address() as AddressInfo).port, ca: ca?.certPem }),
  );
  process.on('message', () => process.send?.({ connections }));
}

const anonymousMB = () =>
  Number(/^Anonymous:\s+(\d+)/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? NaN) / 1024;

/** N POSTs at once through a sender with `connections` per origin; the memory they added and the connections made. */
async function measure(tls: boolean, n: number, connections: number | undefined): Promise<string> {
  const server = fork(import.meta.filename, ['serve', tls ? 'tls' : 'plain']);
  const { port, ca } = await new Promise<{ port: number; ca?: string }>((r) =>
    server.once('message', (m) => r(m as { port: number; ca?: string })),
  );
  const sender = createSlackSender({ ...(ca ? { ca } : {}), connections: connections ?? 1_000_000 });
  const to = { address: `${tls ? 'https' : 'http'}://127.0.0.1:${port}${HOOK}` };
  const payload = { username: 'flux', text: 'x'.repeat(300), attachments: [] };
  await sender.send(to, payload, 60_000);
  globalThis.gc?.();
  const before = anonymousMB();
  const results = await Promise.all(Array.from({ length: n }, () => sender.send(to, payload, 60_000)));
  globalThis.gc?.();
  const added = anonymousMB() - before;
  const seen = await new Promise<number>((r) => {
    server.once('message', (m) => r((m as { connections: number }).connections));
    server.send('count');
  });
  await sender.close();
  server.kill();
  const ok = results.filter((x) => x.kind === 'ok').length;
  const bound = connections === undefined ? 'no bound' : `at most ${connections} per origin`;
  return `${tls ? 'TLS  ' : 'plain'} ${n} POSTs at once, ${bound}: ${seen} connections, anonymous memory +${added.toFixed(1)} MB (${ok} ok)`;
}

/** Each measurement in a process of its own (fork keeps this one's Node flags and environment), so none reuses another's memory. */
async function measureAlone(tls: boolean, n: number, bound: number | undefined): Promise<string> {
  const child = fork(import.meta.filename, ['one', tls ? 'tls' : 'plain', String(n), String(bound ?? '')]);
  return new Promise((r) => child.once('message', (m) => r(m as string)));
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'serve') await serve(a === 'tls');
else if (mode === 'one') {
  process.send?.(await measure(a === 'tls', Number(b), c ? Number(c) : undefined));
  process.disconnect();
} else {
  const n = Number(mode ?? 500);
  for (const tls of [true, false])
    for (const bound of [undefined, MAX_CONNECTIONS_PER_ORIGIN]) console.log(await measureAlone(tls, n, bound));
}
