/**
 * The benchmark's baseline: a bare Node https server answering every request with a fixed
 * AdmissionReview, in a process of its own. Reports {port, caPem} over IPC; exits on 'stop'.
 * Its TLS is the webhook's: the same kind of certificate and key (certificates.ts) and the same
 * protocol and cipher policy (serving-tls.ts), so that both negotiate the same suite with wrk.
 */
import { createServer } from 'node:https';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCA, createServingCertificate } from '../src/certs/certificates.ts';
import { servingContext } from '../src/certs/serving-tls.ts';
import { fixedListener, gcCounter } from './admission-ladder-rungs.ts';

const now = new Date();
const ca = await createCA({ now, validityDays: 1 });
const leaf = await createServingCertificate({ ca, now, validityDays: 1, hosts: ['localhost', '127.0.0.1'] });
const fixed = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});
const bare: RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(fixed);
  });
};
const server = createServer(servingContext(leaf), bare);
// The ladder (admission-ladder.ts) also loads it with the body parsed, and counts its collections.
const modes: Record<string, RequestListener> = { fixed: bare, parse: fixedListener(true) };
const gc = process.argv.includes('--count-gc') ? gcCounter() : undefined;
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  process.send?.({ port: (server.address() as AddressInfo).port, caPem: ca.certPem }),
);
process.on('message', (m: string | { mode: string }) => {
  if (typeof m === 'object') {
    server.removeAllListeners('request');
    server.on('request', modes[m.mode]!);
    process.send?.({ mode: m.mode });
  } else if (m === 'stats') process.send?.(gc?.take() ?? {});
  else if (m === 'stop') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
