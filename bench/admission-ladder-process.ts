/**
 * The ladder's webhook (admission-ladder.ts): the webhook started in this process as the CLI starts
 * it (`startWebhook` with the CLI's arguments, logging JSON to stdout), whose request listener the
 * ladder swaps over IPC to measure each rung in the same process, heap and server:
 * - `fixed`: the body read and dropped, a fixed AdmissionReview answered (what the bare server does);
 * - `parse`: the body read, decoded and JSON.parse'd, the same fixed answer;
 * - `full`: the webhook's own listener.
 * It also counts garbage collections by kind (a PerformanceObserver, in every rung alike) and
 * reports them on 'stats'; 'profile-start' and 'profile-stop' CPU-profile it (the inspector's
 * sampling profiler), 'heap-start' and 'heap-stop' sample its allocations still held at the stop
 * (live, or promoted and not yet collected), for the ladder's profile pass. Messages: {mode}, 'stats', 'profile-*', 'stop'. Started with the bin's Node flags.
 */
import type { RequestListener } from 'node:http';
import { get } from 'node:https';
import { Session } from 'node:inspector/promises';
import { startWebhook } from '../src/cli/webhook-command.ts';
import { parseWebhookArgs } from '../src/cli/webhook-flags.ts';
import { createLogger } from '../src/observability/logger.ts';
import type { WebhookOptions } from '../src/cli/webhook-flags.ts';
import { fixedListener, gcCounter } from './admission-ladder-rungs.ts';

if (process.send) {
  const o = parseWebhookArgs(['--listen', '127.0.0.1:0', ...process.argv.slice(2)]) as WebhookOptions;
  const running = await startWebhook(o, createLogger(o.logLevel));
  while ((await readyz(running.port)) !== 200) await new Promise((r) => setTimeout(r, 20));
  const own = running.server.listeners('request') as RequestListener[];
  const modes: Record<string, RequestListener[]> = {
    fixed: [fixedListener(false)],
    parse: [fixedListener(true)],
    full: own,
  };
  const gc = gcCounter();
  const inspector = new Session();
  inspector.connect();
  process.on('message', (m: { mode?: string } | string) => {
    if (m === 'stop') void running.close().then(() => process.exit(0));
    else if (m === 'profile-start')
      void inspector
        .post('Profiler.enable')
        .then(() => inspector.post('Profiler.start'))
        .then(() => process.send!({}));
    else if (m === 'heap-start')
      void inspector
        .post('HeapProfiler.enable')
        .then(() => inspector.post('HeapProfiler.startSampling', { samplingInterval: 1024 }))
        .then(() => process.send!({}));
    else if (m === 'heap-stop')
      void inspector.post('HeapProfiler.stopSampling').then(({ profile }) => process.send!({ heap: profile }));
    else if (m === 'profile-stop')
      void inspector.post('Profiler.stop').then(({ profile }) => process.send!({ profile }));
    else if (m === 'stats') process.send!(gc.take());
    else if (typeof m === 'object' && m.mode) {
      running.server.removeAllListeners('request');
      for (const l of modes[m.mode]!) running.server.on('request', l);
      process.send!({ mode: m.mode });
    }
  });
  process.send({ port: running.port });
}

/** The status of GET /readyz (the view synced), from this process's own server. */
function readyz(port: number): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}
