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
import type { ThreadHeap } from '../observability/relay-metrics.ts';
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
import type { SlackErrorClass } from './slack-error-class.ts';

/** What the relay thread does with the delivery thread's reports. */
export interface DeliveryCallbacks<J extends Job> {
  /** Where to post for a Slack Provider, read now (`object`: the event's, for its source's Git URL; `job`: the one to post). */
  resolve(
    provider: string,
    object?: InvolvedObject,
    alert?: string,
    job?: J,
  ): Promise<ResolvedDestination | DeliveryResult>;
  onDone(queue: QueueName, job: J, outcome: 'sent' | 'skipped'): void;
  onDead(queue: QueueName, job: J, reason: string): void;
  /** Every attempt's result; `error`: the class of a failed Slack attempt (slack-error-class.ts). */
  onAttempt(queue: QueueName, result: string, error?: SlackErrorClass): void;
  /** A 429 paused a destination (journal it: the pause must outlive a restart). */
  onPaused?(pause: Pause): void;
  /** A failure episode opened or closed (journal it: threads outlive a restart). */
  onEpisode?(change: EpisodeChange): void;
}

/** The running delivery thread. */
export interface DeliveryThread<J extends Job> {
  enqueue(queue: QueueName, job: J): void;
  /** Opens (unless open already) or closes failure episodes (delivery-protocol.ts `episodes`). */
  episodes(changes: readonly EpisodeChange[]): void;
  /** Jobs not yet done or dead, per queue. */
  pending(queue?: QueueName): number;
  /** The delivery thread's V8 heap (an isolate of its own); zeros when it is not running. */
  heapStatistics(): Promise<ThreadHeap>;
  /** Resolves when nothing is pending, or after `timeoutMs`; true when nothing is. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops sending; what is pending stays in the journal for the next start. */
  stop(): Promise<void>;
}

const NO_HEAP: ThreadHeap = { used: 0, total: 0, physical: 0, external: 0, malloced: 0 };

const WORKER = new URL(`./delivery-worker${extname(import.meta.url)}`, import.meta.url);

/** The thread's handle state, shared by the functions below. */
interface Handle<J extends Job> {
  readonly settings: DeliverySettings;
  readonly on: DeliveryCallbacks<J>;
  readonly logger: Logger;
  readonly workerUrl: URL;
  readonly jobs: Record<QueueName, Map<string, J>>;
  /** The latest pause per queue and destination, given to a restarted thread. */
  readonly pauses: Map<string, Pause>;
  /** The open failure episodes, given to a restarted thread. */
  readonly episodes: Map<string, EpisodeChange>;
  worker: Worker;
  stopping: boolean;
  /** Exits in a row without the thread having started; restarts back off (100 ms doubling to 30 s). */
  failures: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** Whether the current worker has said it is ready (only then can it answer `stop`), and whether it has exited. */
  ready: boolean;
  exited: boolean;
}

/** Starts the delivery thread (`workerUrl`: the script it runs; tests substitute one that fails). */
export function startDeliveryThread<J extends Job>(
  settings: DeliverySettings,
  on: DeliveryCallbacks<J>,
  logger: Logger,
  workerUrl: URL = WORKER,
): DeliveryThread<J> {
  const h: Handle<J> = {
    ...{ settings, on, logger, workerUrl, jobs: { slack: new Map(), forward: new Map() } },
    pauses: new Map((settings.pauses ?? []).map((p) => [`${p.queue} ${p.destination}`, p])),
    episodes: new Map((settings.episodes ?? []).map((e) => [e.key, e])),
    ...{ worker: undefined as unknown as Worker, stopping: false, failures: 0, restartTimer: undefined },
    ...{ ready: false, exited: false },
  };
  h.worker = spawn(h);
  return {
    enqueue(queue, job) {
      h.jobs[queue].set(job.id, job);
      h.worker.postMessage({ t: 'enqueue', queue, job: jobOnly(job) } satisfies ToDelivery);
    },
    episodes: (changes) => h.worker.postMessage({ t: 'episodes', changes } satisfies ToDelivery),
    pending: (queue) => (queue ? h.jobs[queue].size : h.jobs.slack.size + h.jobs.forward.size),
    heapStatistics: () =>
      h.exited
        ? Promise.resolve(NO_HEAP)
        : h.worker.getHeapStatistics().then(
            (s) => ({
              used: s.used_heap_size,
              total: s.total_heap_size,
              physical: s.total_physical_size,
              external: s.external_memory,
              malloced: s.malloced_memory,
            }),
            () => NO_HEAP,
          ),
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (h.jobs.slack.size + h.jobs.forward.size > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
      return true;
    },
    stop: () => stop(h),
  };
}

function spawn<J extends Job>(h: Handle<J>): Worker {
  const w = new Worker(h.workerUrl, {
    workerData: {
      ...h.settings,
      pauses: [...h.pauses.values()],
      episodes: [...h.episodes.values()],
    } satisfies DeliverySettings,
    name: 'notify-guard delivery',
  });
  h.ready = false;
  h.exited = false;
  w.on('message', (m: FromDelivery) => onMessage(h, w, m));
  w.on('error', (err) => h.logger.error({ err }, 'the delivery thread failed'));
  w.on('exit', (code) => onExit(h, w, code));
  return w;
}

/** Turns one report of the delivery thread into state and callbacks. */
function onMessage<J extends Job>(h: Handle<J>, w: Worker, m: FromDelivery): void {
  if (m.t === 'ready') {
    if (w === h.worker) h.ready = true;
    h.failures = 0;
  } else if (m.t === 'resolve') {
    void h.on
      .resolve(m.provider, m.object, m.alert, m.id === undefined ? undefined : h.jobs.slack.get(m.id))
      .catch((err: unknown): DeliveryResult => ({ kind: 'retry', reason: (err as Error).message }))
      .then((result) => w.postMessage({ t: 'resolved', req: m.req, result } satisfies ToDelivery));
  } else if (m.t === 'attempt') {
    h.on.onAttempt(m.queue, m.result, m.error);
  } else if (m.t === 'paused') {
    const pause: Pause = { queue: m.queue, destination: m.destination, until: m.until };
    h.pauses.set(`${m.queue} ${m.destination}`, pause);
    h.on.onPaused?.(pause);
  } else if (m.t === 'episode') {
    const change: EpisodeChange = { key: m.key, ...(m.episode ? { episode: m.episode } : {}) };
    if (change.episode) h.episodes.set(m.key, change);
    else h.episodes.delete(m.key);
    h.on.onEpisode?.(change);
  } else if (m.t === 'done' || m.t === 'dead') {
    const job = h.jobs[m.queue].get(m.id);
    if (!job) return;
    h.jobs[m.queue].delete(m.id);
    if (m.t === 'done') {
      h.on.onAttempt(m.queue, m.outcome === 'sent' ? 'ok' : 'skipped');
      h.on.onDone(m.queue, job, m.outcome);
    } else h.on.onDead(m.queue, job, m.reason);
  }
}

/** A thread that exits unasked is started again, with every unfinished job (jobs enqueued meanwhile included). */
function onExit<J extends Job>(h: Handle<J>, w: Worker, code: number): void {
  if (w === h.worker) h.exited = true;
  if (h.stopping || w !== h.worker) return;
  const delayMs = h.failures === 0 ? 0 : Math.min(30_000, 100 * 2 ** (h.failures - 1));
  h.failures++;
  h.logger.error(
    { code, pending: h.jobs.slack.size + h.jobs.forward.size, restartInMs: delayMs },
    'the delivery thread exited; starting it again with every unfinished delivery',
  );
  h.restartTimer = setTimeout(() => {
    if (h.stopping) return;
    h.worker = spawn(h);
    for (const queue of ['slack', 'forward'] as const)
      for (const job of h.jobs[queue].values())
        h.worker.postMessage({ t: 'enqueue', queue, job: jobOnly(job) } satisfies ToDelivery);
  }, delayMs);
}

/** Asks a started thread to stop (up to 2 s), then terminates it. */
async function stop<J extends Job>(h: Handle<J>): Promise<void> {
  if (h.stopping) return;
  h.stopping = true;
  clearTimeout(h.restartTimer);
  const w = h.worker;
  // A worker that never started (or has exited) cannot answer: terminate it without waiting.
  if (h.ready && !h.exited) {
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
    ...(j.digest ? { digest: j.digest } : {}),
  };
}
