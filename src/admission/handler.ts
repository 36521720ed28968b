/**
 * Turns a decoded AdmissionRequest into an AdmissionResponse: validation runs the policy
 * engine, mutation runs the defaulters. Never throws: a failure inside becomes a 500 response
 * that carries the request's uid.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Logger } from '../observability/logger.ts';
import type { AdmissionMetrics } from '../observability/metrics.ts';
import type { GuardedKind } from '../flux/api.ts';
import { guardedKind, qualifiedKind } from '../flux/api.ts';
import type { Engine, Finding } from '../policy/engine.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { LiveLookup } from '../cluster/live-lookup.ts';
import type { Counter } from 'prom-client';
import { evaluateConfirmed } from './confirm-missing.ts';
import { errorString } from '../policy/field-error.ts';
import type { Policy } from '../policy/policy.ts';
import { defaultEventSeverity } from '../policy/defaults/event-severity.ts';
import type { Defaulted } from '../policy/defaults/event-severity.ts';
import { markRelayDelivered } from '../policy/defaults/relay-delivery.ts';
import { defaultEventMetadata } from '../policy/defaults/event-metadata.ts';
import type { NamespaceLabels } from '../policy/conventions/evaluate-conventions.ts';
import type { AdmissionRequest, AdmissionResponse } from './review.ts';
import { allowed, denied, errored, patched } from './response.ts';
import { invalidStatus } from './status.ts';

/** Which webhook answers. */
export type WebhookName = 'validate' | 'mutate';

/** Answers decoded requests; never rejects. */
export interface AdmissionHandler {
  handle(webhook: WebhookName, request: AdmissionRequest): Promise<AdmissionResponse>;
}

/** What the handler needs; wired in the entry point. */
export interface HandlerDeps {
  readonly engine: Engine;
  readonly cluster: ClusterView;
  /** Live lookups confirming a missing reference before a denial (absent for static views). */
  readonly liveLookup?: LiveLookup;
  readonly policy: Policy;
  readonly metrics: AdmissionMetrics;
  readonly logger: Logger;
  /** Counts live lookups by kind and result. */
  readonly lookups?: Counter<'kind' | 'result'>;
  /** Monotonic clock in seconds, for the latency histogram. */
  readonly now?: () => number;
  /** Namespace labels for the platform's eventMetadata defaults (docs/platform.md). */
  readonly namespaces?: NamespaceLabels;
}

/** Outcome label for metrics and logs. */
export function outcomeOf(r: AdmissionResponse): 'allowed' | 'denied' | 'patched' | 'error' {
  if (r.allowed) return r.patch ? 'patched' : 'allowed';
  return (r.status?.code ?? 0) >= 500 ? 'error' : 'denied';
}

/**
 * Creates the handler. Each request: classify the kind (anything not guarded is allowed at once),
 * run `validate` or `mutate`, turn a throw into a 500 carrying the uid, then count and time it.
 */
export function createAdmissionHandler(deps: HandlerDeps): AdmissionHandler {
  const now = deps.now ?? (() => performance.now() / 1000);
  const { logger, metrics } = deps;
  return {
    async handle(webhook, req) {
      const started = now();
      const kind = guardedKind(req.kind);
      let response: AdmissionResponse;
      try {
        if (!kind) response = allowed(req.uid);
        else response = webhook === 'validate' ? await validate(deps, req, kind) : mutate(deps, req, kind);
      } catch (err) {
        response = evaluationFailed(logger, webhook, req, err);
      }
      const labels = { webhook, kind: kind ?? 'other', operation: req.operation, outcome: outcomeOf(response) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, now() - started);
      // The record is built only when it is written (debug is off by default; this runs per request).
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          { uid: req.uid, ...labels, namespace: req.namespace, name: requestName(req) },
          'admission reviewed',
        );
      return response;
    },
  };
}

/** Validation: the policy engine's findings (a missing reference confirmed live); denials become a 422. */
async function validate(deps: HandlerDeps, req: AdmissionRequest, kind: GuardedKind): Promise<AdmissionResponse> {
  const name = requestName(req);
  const findings = await evaluateConfirmed(
    {
      kind,
      operation: req.operation,
      namespace: req.namespace ?? '',
      name,
      object: req.object ?? undefined,
      oldObject: req.oldObject ?? undefined,
    },
    { engine: deps.engine, cluster: deps.cluster, liveLookup: deps.liveLookup, lookups: deps.lookups },
  );
  for (const f of findings) deps.metrics.findings.inc({ rule: f.rule, action: f.action });
  for (const f of findings) if (f.ignored) deps.metrics.ignoredFindings.inc({ rule: f.rule });
  const denials = findings.filter((f) => f.action === 'deny');
  const warnings = findings.filter((f) => f.action === 'warn').map(errorString);
  if (denials.length === 0) return allowed(req.uid, warnings);
  logDenial(deps.logger, req, kind, name, denials);
  return denied(
    req.uid,
    invalidStatus({ qualifiedKind: qualifiedKind(kind), group: req.kind.group, kind, name }, denials),
    warnings,
  );
}

/** Mutation: the defaulters, as one JSON Patch from the original to the defaulted copy (none when unchanged). */
function mutate(deps: HandlerDeps, req: AdmissionRequest, kind: GuardedKind): AdmissionResponse {
  if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object) return allowed(req.uid);
  let result: Defaulted | undefined;
  if (kind === 'Alert') result = defaultEventSeverity(req.object, deps.policy.eventSeverityWithoutIntent);
  else if (kind === 'Provider' && deps.policy.relayDeliversSlack)
    result = markRelayDelivered(req.object, req.oldObject ?? undefined);
  const ns = req.namespace ?? '';
  const metadata =
    kind === 'Alert'
      ? defaultEventMetadata(result?.object ?? req.object, deps.policy.conventions, {
          name: ns,
          labels: deps.namespaces?.labels(ns),
        })
      : undefined;
  const warnings = [result?.warning, metadata?.warning].filter((w): w is string => w !== undefined);
  const final = metadata?.object ?? result?.object;
  if (!final) return allowed(req.uid);
  return patched(req.uid, fastJsonPatch.compare(req.object, final), warnings);
}

function logDenial(
  logger: Logger,
  req: AdmissionRequest,
  kind: string,
  name: string,
  denials: readonly Finding[],
): void {
  logger.info(
    {
      uid: req.uid,
      kind,
      namespace: req.namespace,
      name,
      operation: req.operation,
      dryRun: req.dryRun === true,
      rules: denials.map((d) => d.rule),
    },
    'denied',
  );
}

/** A throw inside evaluation: logged (no object), answered with a 500 carrying the uid. */
function evaluationFailed(logger: Logger, webhook: WebhookName, req: AdmissionRequest, err: unknown) {
  logger.error(
    {
      err,
      uid: req.uid,
      webhook,
      kind: req.kind.kind,
      namespace: req.namespace,
      name: req.name,
      operation: req.operation,
    },
    'admission evaluation failed',
  );
  return errored(
    req.uid,
    500,
    `notify-guard could not evaluate this ${req.kind.kind}: internal error (uid ${req.uid}); see the webhook's logs`,
  );
}

function requestName(req: AdmissionRequest): string {
  return req.name || req.object?.metadata?.name || req.oldObject?.metadata?.name || '';
}
