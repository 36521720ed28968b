/**
 * The relay thread's handle on the delivery thread (delivery-worker.ts): hands it jobs, answers
 * its questions about where to post (read here, where the cluster view and Secret values are),
 * and turns its reports into callbacks. It keeps every job until the delivery thread reports it
 * done or dead, so `pending` is exact, and if the thread ever dies it is started again with every
 * unfinished job: nothing accepted is dropped.
 */
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../observability/logger.ts';
import type {
  DeliverySettings,
  EpisodeChange,
  FromDelivery,
  Job,
  Pause,
  QueueName,
  ToDelivery,
} from './delivery-protocol.ts';
import type { DeliveryResult, ResolvedDestination } from './slack-delivery.ts';
import type { InvolvedObject } from './flux-event.ts';

/** What the relay thread does with the delivery thread's reports. */
export interface DeliveryCallbacks<J extends Job> {
  /** Where to post for a Slack Provider, read now (`object`: the event's, for its source's Git URL). */
  resolve(provider: string, object?: InvolvedObject, alert?: string): Promise<ResolvedDestination | DeliveryResult>;
  onDone(queue: QueueName, job: J, outcome: 'sent' | 'skipped'): void;
  onDead(queue: QueueName, job: J, reason: string): void;
  onAttempt(queue: QueueName, result: string): void;
  /** A 429 paused a destination (journal it: the pause must outlive a restart). */
  onPaused?(pause: Pause): void;
  /** A failure episode opened or closed (journal it: threads outlive a restart). */
  onEpisode?(change: EpisodeChange): void;
}

/** The running delivery thread. */
export interface DeliveryThread<J extends Job> {
  enqueue(queue: QueueName, job: J): void;
  /** Jobs not yet done or dead, per queue. */
  pending(queue?: QueueName): number;
  /** Resolves when nothing is pending, or after `timeoutMs`; true when nothing is. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops sending; what is pending stays in the journal for the next start. */
  stop(): Promise<void>;
}

const WORKER = new URL(`./delivery-worker${extname(import.meta.url)}`, import.meta.url);

/** Starts the delivery thread (`workerUrl`: the script it runs; tests substitute one that fails). */
export function startDeliveryThread<J extends Job>(
  settings: DeliverySettings,
  on: DeliveryCallbacks<J>,
  logger: Logger,
  workerUrl: URL = WORKER,
): DeliveryThread<J> {
  const jobs: Record<QueueName, Map<string, J>> = { slack: new Map(), forward: new Map() };
  let stopping = false;
  /** Exits in a row without the thread having started; restarts back off (100 ms doubling to 30 s). */
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  /** Whether the current worker has said it is ready (only then can it answer `stop`), and whether it has exited. */
  let ready = false;
  let exited = false;
  /** The latest pause per queue and destination, given to a restarted thread. */
  const pauses = new Map<string, Pause>();
  for (const p of settings.pauses ?? []) pauses.set(`${p.queue} ${p.destination}`, p);
  /** The open failure episodes, given to a restarted thread. */
  const episodes = new Map<string, EpisodeChange>();
  for (const e of settings.episodes ?? []) episodes.set(e.key, e);
  let worker = spawn();

  function spawn(): Worker {
    const w = new Worker(workerUrl, {
      workerData: {
        ...settings,
        pauses: [...pauses.values()],
        episodes: [...episodes.values()],
      } satisfies DeliverySettings,
      name: 'notify-guard delivery',
    });
    ready = false;
    exited = false;
    const send = (m: ToDelivery) => w.postMessage(m);
    w.on('message', (m: FromDelivery) => {
      if (m.t === 'ready') {
        if (w === worker) ready = true;
        failures = 0;
      } else if (m.t === 'resolve') {
        void on
          .resolve(m.provider, m.object, m.alert)
          .catch((err: unknown): DeliveryResult => ({ kind: 'retry', reason: (err as Error).message }))
          .then((result) => send({ t: 'resolved', req: m.req, result }));
      } else if (m.t === 'attempt') {
        on.onAttempt(m.queue, m.result);
      } else if (m.t === 'paused') {
        const pause: Pause = { queue: m.queue, destination: m.destination, until: m.until };
        pauses.set(`${m.queue} ${m.destination}`, pause);
        on.onPaused?.(pause);
      } else if (m.t === 'episode') {
        const change: EpisodeChange = { key: m.key, ...(m.episode ? { episode: m.episode } : {}) };
        if (change.episode) episodes.set(m.key, change);
        else episodes.delete(m.key);
        on.onEpisode?.(change);
      } else if (m.t === 'done' || m.t === 'dead') {
        const job = jobs[m.queue].get(m.id);
        if (!job) return;
        jobs[m.queue].delete(m.id);
        if (m.t === 'done') {
          on.onAttempt(m.queue, m.outcome === 'sent' ? 'ok' : 'skipped');
          on.onDone(m.queue, job, m.outcome);
        } else on.onDead(m.queue, job, m.reason);
      }
    });
    w.on('error', (err) => logger.error({ err }, 'the delivery thread failed'));
    w.on('exit', (code) => {
      if (w === worker) exited = true;
      if (stopping || w !== worker) return;
      // Never expected; start again, with every unfinished job (jobs enqueued meanwhile included).
      const delayMs = failures === 0 ? 0 : Math.min(30_000, 100 * 2 ** (failures - 1));
      failures++;
      logger.error(
        { code, pending: jobs.slack.size + jobs.forward.size, restartInMs: delayMs },
        'the delivery thread exited; starting it again with every unfinished delivery',
      );
      restartTimer = setTimeout(() => {
        if (stopping) return;
        worker = spawn();
        for (const queue of ['slack', 'forward'] as const)
          for (const job of jobs[queue].values())
            worker.postMessage({ t: 'enqueue', queue, job: jobOnly(job) } satisfies ToDelivery);
      }, delayMs);
    });
    return w;
  }

  return {
    enqueue(queue, job) {
      jobs[queue].set(job.id, job);
      worker.postMessage({ t: 'enqueue', queue, job: jobOnly(job) } satisfies ToDelivery);
    },
    pending: (queue) => (queue ? jobs[queue].size : jobs.slack.size + jobs.forward.size),
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (jobs.slack.size + jobs.forward.size > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
      return true;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(restartTimer);
      const w = worker;
      // A worker that never started (or has exited) cannot answer: terminate it without waiting.
      if (ready && !exited) {
        const stopped = new Promise<void>((r) => {
          w.on('message', (m: FromDelivery) => {
            if (m.t === 'stopped') r();
          });
          w.once('exit', () => r());
        });
        w.postMessage({ t: 'stop' } satisfies ToDelivery);
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          stopped,
          new Promise((r) => {
            grace = setTimeout(r, 2_000);
          }),
        ]);
        clearTimeout(grace);
      }
      await w.terminate();
    },
  };
}

/** Only the fields the delivery thread needs (the relay thread's job may carry more). */
function jobOnly(j: Job): Job {
  return {
    id: j.id,
    destination: j.destination,
    acceptedAt: j.acceptedAt,
    event: j.event,
    metadata: j.metadata,
    ...(j.alert ? { alert: j.alert } : {}),
  };
}
