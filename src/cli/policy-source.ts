/**
 * Where the webhook's policy comes from, kept current while it runs:
 * - the policy file (`--policy`), re-read when it changes (a mounted ConfigMap's symlink swap is a
 *   directory change; a poll catches what watching misses); an unusable new version is logged and
 *   the last good one stays in force;
 * - in live mode, the cluster-scoped NotifyGuardPolicy named `default`, which, while it exists and
 *   has once been valid, replaces the file; an invalid change keeps the last good one in force and
 *   says so in the object's Ready condition; deleting it returns to the file (or the defaults).
 * Namespace labels for the conventions come from the live view, or from Namespace objects in
 * `--cluster-dir`, read once with the rest of the manifests (cluster-source.ts `namespaces`).
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubeApi } from '../cluster/kube-api.ts';
import type { ReflectorObserver } from '../cluster/reflector.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';
import type { NamespaceLabels } from '../policy/conventions/evaluate-conventions.ts';
import { NO_NAMESPACE_LABELS } from '../policy/conventions/evaluate-conventions.ts';
import { defaultPolicy } from '../policy/policy.ts';
import type { Policy } from '../policy/policy.ts';
import { loadPolicyFile, parsePolicy } from '../policy/policy-file.ts';
import type { PolicyHolder } from '../policy/policy-holder.ts';
import { createPolicyHolder } from '../policy/policy-holder.ts';
import { CLUSTER_POLICY_NAME, readPolicyObject } from '../policy/policy-object.ts';
import type { PolicyStatus, ViolationCounts } from '../policy/policy-status.ts';
import { policyStatus, sameStatus } from '../policy/policy-status.ts';
import type { Rule } from '../policy/rule.ts';

/** What the policy source needs. */
export interface PolicySourceOptions {
  readonly rules: readonly Rule[];
  readonly policyFile: string | undefined;
  /** Namespace labels of a cluster read from manifests (cluster-source.ts `namespaces`); none in live mode. */
  readonly namespaces: NamespaceLabels | undefined;
  /** Live mode: the API to watch the NotifyGuardPolicy and Namespaces through. */
  readonly live?: {
    readonly api: KubeApi;
    readonly observer: ReflectorObserver;
    readonly watchdogMs: number;
    readonly backoff?: { initialMs: number; maxMs: number };
  };
  readonly logger: Logger;
  /** False: never write the NotifyGuardPolicy's status (the relay reads the policy; the webhook reports on it). */
  readonly writesStatus?: boolean;
  /** How often the policy file is re-read besides file-change events (default 10 s). */
  readonly fileReloadMs?: number;
  readonly now?: () => Date;
}

/** The running policy source. */
export interface PolicySource {
  readonly holder: PolicyHolder;
  readonly namespaces: NamespaceLabels;
  notReadyReason(): string | undefined;
  /** Re-reads the policy file now (also what the watch and the poll call). */
  reloadFile(): Promise<void>;
  /** Writes the periodic audit's counts into the NotifyGuardPolicy's status, when the object exists. */
  reportViolations(counts: ViolationCounts): void;
  stop(): void;
}

/** The policy the file gives (or the defaults), in force whenever no NotifyGuardPolicy is. */
interface Fallback {
  policy: Policy;
  source: string;
}

/** What the pieces of the source share: the holder, the fallback, whether the cluster's policy is in force. */
interface SourceState {
  readonly holder: PolicyHolder;
  readonly log: Logger;
  fallback: Fallback;
  clusterInForce: boolean;
  /** The NotifyGuardPolicy's spec last read ('' when there is none). */
  lastSpec: string;
}

/** Loads the initial policy (a broken file fails startup) and starts watching. */
export async function openPolicySource(o: PolicySourceOptions): Promise<PolicySource> {
  const fallback: Fallback = o.policyFile
    ? { policy: await loadPolicyFile(o.policyFile, o.rules), source: `policy file ${o.policyFile}` }
    : { policy: defaultPolicy(o.rules), source: 'the default policy' };
  const staticLabels = o.live ? undefined : o.namespaces;
  const labelsOf: NamespaceLabels = { labels: (ns) => (watcher ? watcher.labels(ns) : staticLabels?.labels(ns)) };
  const holder = createPolicyHolder(
    o.rules,
    fallback.policy,
    fallback.source,
    staticLabels || o.live ? labelsOf : NO_NAMESPACE_LABELS,
  );
  const state: SourceState = {
    holder,
    log: o.logger.child({ component: 'policy' }),
    fallback,
    clusterInForce: false,
    lastSpec: '',
  };
  const write = (status: Partial<PolicyStatus>) => {
    if (o.writesStatus !== false) writeStatus(state, watcher, status);
  };
  const watcher = await startClusterPolicy(o, state, write);
  const reloadFile = await fileReloader(o, state);
  const stopFileWatch = o.policyFile ? watchFile(o.policyFile, o.fileReloadMs ?? 10_000, reloadFile) : () => undefined;
  return {
    holder,
    namespaces: labelsOf,
    notReadyReason: () => watcher?.notReadyReason(),
    reloadFile,
    reportViolations(counts) {
      if (state.lastSpec !== '') write({ violations: counts });
    },
    stop() {
      stopFileWatch();
      watcher?.stop();
    },
  };
}

type PolicyWatch = ReturnType<typeof import('../cluster/policy-watch.ts').startPolicyWatch>;

/** In live mode, follows the NotifyGuardPolicy named `default` (policy-watch.ts is loaded only then). */
async function startClusterPolicy(
  o: PolicySourceOptions,
  state: SourceState,
  write: (status: Partial<PolicyStatus>) => void,
): Promise<PolicyWatch | undefined> {
  if (!o.live) return undefined;
  const { startPolicyWatch } = await import('../cluster/policy-watch.ts');
  const now = o.now ?? (() => new Date());
  return startPolicyWatch({
    api: o.live.api,
    logger: o.logger,
    observer: o.live.observer,
    watchdogMs: o.live.watchdogMs,
    name: CLUSTER_POLICY_NAME,
    onChange: (obj) => onClusterPolicy(state, o.rules, obj, now, write),
    ...(o.live.backoff ? { backoff: o.live.backoff } : {}),
  });
}

/** A change of the NotifyGuardPolicy: adopt a valid spec, keep the last good one otherwise, report in its status. */
function onClusterPolicy(
  state: SourceState,
  rules: readonly Rule[],
  obj: KubeObject | undefined,
  now: () => Date,
  write: (status: PolicyStatus) => void,
): void {
  const { holder, log } = state;
  if (!obj) {
    state.lastSpec = '';
    if (state.clusterInForce)
      log.info(
        { policy: state.fallback.source },
        `NotifyGuardPolicy "${CLUSTER_POLICY_NAME}" deleted; back to ${state.fallback.source}`,
      );
    state.clusterInForce = false;
    holder.replace(state.fallback.policy, state.fallback.source);
    return;
  }
  const spec = JSON.stringify(obj['spec'] ?? null);
  if (spec === state.lastSpec) return; // a status write, or a relist: nothing to read again
  state.lastSpec = spec;
  const generation = typeof obj.metadata?.['generation'] === 'number' ? obj.metadata['generation'] : undefined;
  const reading = readPolicyObject(obj, rules);
  const source = `NotifyGuardPolicy "${CLUSTER_POLICY_NAME}"${generation !== undefined ? ` generation ${generation}` : ''}`;
  if (reading.ok) {
    state.clusterInForce = true;
    holder.replace(reading.policy, source);
    log.info({ policy: source }, 'policy in force');
  } else {
    log.warn(
      { policy: source, inForce: holder.source(), errors: reading.errors.length },
      'NotifyGuardPolicy cannot be used; the last good policy stays in force',
    );
  }
  const status = policyStatus(reading, generation, obj['status'] as PolicyStatus | undefined, now(), holder.source());
  if (!sameStatus(obj['status'], status)) write(status);
}

/** Writes (part of) the NotifyGuardPolicy's status; a failure is logged, never thrown. */
function writeStatus(state: SourceState, watcher: PolicyWatch | undefined, status: Partial<PolicyStatus>): void {
  void watcher?.writeStatus(status).then(
    (code) => {
      if (code >= 300) state.log.warn({ code }, 'cannot write the NotifyGuardPolicy status');
    },
    (err: unknown) => state.log.warn({ err }, 'cannot write the NotifyGuardPolicy status'),
  );
}

/** Re-reads the policy file (one read at a time); an unusable version keeps the last good one. */
async function fileReloader(o: PolicySourceOptions, state: SourceState): Promise<() => Promise<void>> {
  let lastText = o.policyFile ? await readFile(o.policyFile, 'utf8').catch(() => '') : '';
  let running: Promise<void> | undefined;
  return () => {
    if (!o.policyFile) return Promise.resolve();
    const file = o.policyFile;
    running ??= (async () => {
      try {
        const text = await readFile(file, 'utf8');
        if (text === lastText) return;
        lastText = text;
        state.fallback = { policy: parsePolicy(text, file, o.rules), source: `policy file ${file}` };
        if (!state.clusterInForce) state.holder.replace(state.fallback.policy, state.fallback.source);
        state.log.info({ policy: file, inForce: state.holder.source() }, 'policy file reloaded');
      } catch (err) {
        state.log.warn(
          { err, policy: file, inForce: state.holder.source() },
          'policy file changed but cannot be used; the last good policy stays in force',
        );
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}

function watchFile(path: string, pollMs: number, check: () => Promise<void>): () => void {
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void check(), 50);
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(() => void check(), pollMs);
  poll.unref();
  return () => {
    clearInterval(poll);
    clearTimeout(debounce);
    watcher?.close();
  };
}
