/**
 * The delivery thread (a worker_threads Worker started by delivery-thread.ts): the paced, retrying
 * queues of delivery-scheduler.ts for Slack and for forwarding, and the HTTP clients that send.
 * It reads no cluster state and no Secret itself: before each Slack attempt it asks the relay
 * thread where to post (`resolve`), and it reports each outcome back; the relay thread journals.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createDeliveryScheduler } from './delivery-scheduler.ts';
import type { Delivery, DeliveryScheduler } from './delivery-scheduler.ts';
import type { DeliverySettings, FromDelivery, Job, QueueName, ToDelivery } from './delivery-protocol.ts';
import type { InvolvedObject } from './flux-event.ts';
import type { DeliveryResult, ResolvedDestination } from './slack-delivery.ts';
import { createEpisodeBook, takeEpisodes } from './slack-episodes.ts';
import { sendToSlack } from './slack-delivery.ts';
import { sendDigest } from './digest-delivery.ts';
import { createSlackSender } from './slack-sender.ts';
import { slackErrorClass } from './slack-error-class.ts';

const port = parentPort as MessagePort;
const settings = workerData as DeliverySettings;
const post = (m: FromDelivery) => port.postMessage(m);

const sender = createSlackSender(settings.slackCa ? { ca: settings.slackCa } : {});
// Loaded only with --forward-to: the forwarder brings undici, about 5 MB of this thread's heap.
const forwarder = settings.forwardTo
  ? (await import('./forwarder.ts')).createForwarder(settings.forwardTo, settings.sendTimeoutMs)
  : undefined;

let nextRequest = 0;
const resolving = new Map<number, (r: ResolvedDestination | DeliveryResult) => void>();
const resolve = (provider: string, object: InvolvedObject | undefined, alert: string | undefined, id: string) =>
  new Promise<ResolvedDestination | DeliveryResult>((done) => {
    const req = nextRequest++;
    resolving.set(req, done);
    post({ t: 'resolve', req, id, provider, ...(object ? { object } : {}), ...(alert ? { alert } : {}) });
  });

/** Open failure episodes (slack-episodes.ts); each change is reported for the journal. */
const book = createEpisodeBook(
  (settings.episodes ?? []).flatMap((e) => (e.episode ? [[e.key, e.episode] as const] : [])),
  (key, episode) => post({ t: 'episode', key, ...(episode ? { episode } : {}) }),
);

type Queued = Job & Delivery;
const callbacks = (queue: QueueName) => ({
  onDone: (j: Queued, outcome: 'sent' | 'skipped') => post({ t: 'done', queue, id: j.id, outcome }),
  onDead: (j: Queued, reason: string) => post({ t: 'dead', queue, id: j.id, reason }),
  onAttempt: (_j: Queued, result: string, r: DeliveryResult) => {
    if (result === 'ok' || result === 'skipped') return;
    const error = queue === 'slack' ? slackErrorClass(r) : undefined;
    post({ t: 'attempt', queue, result, ...(error ? { error } : {}) });
  },
  onPause: (destination: string, until: number) => post({ t: 'paused', queue, destination, until }),
  backoff: settings.backoff,
  maxAgeMs: settings.maxAgeMs,
});
const queues: Record<QueueName, DeliveryScheduler<Queued>> = {
  slack: createDeliveryScheduler<Queued>({
    async send(j) {
      if (j.digest) {
        const to = await resolve(j.destination, undefined, undefined, j.id);
        return to.kind === 'send' ? sendDigest(sender, to, j.destination, j.digest, settings.sendTimeoutMs) : to;
      }
      const to = await resolve(j.destination, j.event.involvedObject, j.alert, j.id);
      return to.kind === 'send' ? sendToSlack(sender, to, j, settings.sendTimeoutMs, book, Date.now()) : to;
    },
    ...callbacks('slack'),
    perSecond: settings.pacing.perSecond,
    burst: settings.pacing.burst,
  }),
  // notification-controller is not rate-limited like Slack.
  forward: createDeliveryScheduler<Queued>({
    send: (j) =>
      forwarder
        ? forwarder.forward(j.event)
        : Promise.resolve({ kind: 'permanent', reason: 'no --forward-to address' }),
    ...callbacks('forward'),
    perSecond: 1000,
    burst: 200,
  }),
};

for (const p of settings.pauses ?? [])
  queues[p.queue].pauseUntil(
    p.destination,
    p.until,
    `rate-limited (HTTP 429) until ${new Date(p.until).toISOString()}, before a restart`,
  );
post({ t: 'ready' });
port.on('message', (m: ToDelivery) => {
  if (m.t === 'enqueue') queues[m.queue].enqueue({ ...m.job, attempts: 0 });
  else if (m.t === 'resolved') {
    resolving.get(m.req)?.(m.result);
    resolving.delete(m.req);
  } else if (m.t === 'episodes') takeEpisodes(book, m.changes);
  else {
    queues.slack.stop();
    queues.forward.stop();
    void Promise.allSettled([sender.close(), forwarder?.close()]).then(() => {
      post({ t: 'stopped' });
      port.close();
    });
  }
});
