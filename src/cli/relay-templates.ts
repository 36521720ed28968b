/**
 * The platform's message templates for the relay (the policy's `messages` conventions,
 * docs/platform.md): the relay may not read the policy (test/layers.test.ts), so this module
 * reads it and hands the relay a lookup, `templateFor(alert, provider)`.
 * - Live mode: the NotifyGuardPolicy named `default` and Namespace labels, watched as the webhook
 *   watches them (cluster/policy-watch.ts). A change applies to the next attempt of every
 *   delivery, without a restart or a change to any Provider; an invalid change keeps the last
 *   good conventions (the webhook, not the relay, writes the policy's status); deletion drops them.
 * - `--cluster-dir`: the NotifyGuardPolicy named `default` and the Namespaces among its manifests.
 * The relay's readiness and its routing gate wait for the watches' first lists, so that no
 * delivery decided at startup misses the platform's template.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { loadManifests } from '../cluster/manifests.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';
import type { Convention } from '../policy/conventions/convention.ts';
import type { NamespaceLabels } from '../policy/conventions/evaluate-conventions.ts';
import { namespaceLabelsFrom } from '../policy/conventions/evaluate-conventions.ts';
import { policyMessageTemplate } from '../policy/conventions/policy-message-template.ts';
import { errorString } from '../policy/field-error.ts';
import { CLUSTER_POLICY_NAME, readPolicyObject } from '../policy/policy-object.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import type { PlatformTemplateLookup } from '../relay/slack-template.ts';
import type { ClusterSource } from './cluster-source.ts';

/** The lookup and what serving it needs. */
export interface RelayTemplates {
  readonly templateFor: PlatformTemplateLookup;
  /** Why the policy is not read yet, or undefined. */
  notReadyReason(): string | undefined;
  /**
   * The relay's settings: the lookup, and `view` synced only once the policy is read too (the
   * relay's routing gate reads `synced`).
   */
  wiring(view: ClusterView): { readonly cluster: ClusterView; readonly templateFor: PlatformTemplateLookup };
  stop(): void;
}

/** What the lookup reads: the conventions in force and the namespaces' labels. */
interface TemplateState {
  conventions: readonly Convention[];
  /** The NotifyGuardPolicy's spec last read ('' when there is none). */
  lastSpec: string;
}

/** Reads the policy from the cluster source the relay uses (live) or from `clusterDir`. */
export async function openRelayTemplates(
  cluster: ClusterSource,
  clusterDir: string | undefined,
  logger: Logger,
): Promise<RelayTemplates> {
  const log = logger.child({ component: 'relay-templates' });
  const state: TemplateState = { conventions: [], lastSpec: '' };
  if (clusterDir || !cluster.api || !cluster.clusterMetrics) {
    const objects = clusterDir ? (await loadManifests(clusterDir)).map((l) => l.object) : [];
    const policy = objects.find((o) => o.kind === 'NotifyGuardPolicy' && o.metadata?.name === CLUSTER_POLICY_NAME);
    if (policy) adopt(state, policy, log);
    return serve(
      state,
      namespaceLabelsFrom(objects),
      () => undefined,
      () => undefined,
    );
  }
  const { startPolicyWatch } = await import('../cluster/policy-watch.ts');
  const watch = startPolicyWatch({
    api: cluster.api,
    logger,
    observer: cluster.clusterMetrics.observer,
    watchdogMs: 180_000,
    name: CLUSTER_POLICY_NAME,
    onChange: (obj) => adopt(state, obj, log),
  });
  return serve(
    state,
    watch,
    () => watch.notReadyReason(),
    () => watch.stop(),
  );
}

/** A change of the NotifyGuardPolicy: its conventions when valid; the last good ones otherwise; none once deleted. */
function adopt(state: TemplateState, obj: KubeObject | undefined, log: Logger): void {
  if (!obj) {
    if (state.lastSpec !== '') log.info(`NotifyGuardPolicy "${CLUSTER_POLICY_NAME}" deleted; no platform templates`);
    state.conventions = [];
    state.lastSpec = '';
    return;
  }
  const spec = JSON.stringify(obj['spec'] ?? null);
  if (spec === state.lastSpec) return; // a status write, or a relist
  state.lastSpec = spec;
  const reading = readPolicyObject(obj, ALL_RULES);
  if (!reading.ok) {
    log.warn(
      { errors: reading.errors.map(errorString) },
      'NotifyGuardPolicy cannot be used; the last good message templates stay in force',
    );
    return;
  }
  state.conventions = reading.policy.conventions;
  const templates = state.conventions.filter((c) => c.messages).map((c) => c.name);
  log.info({ conventions: templates }, 'platform message templates in force');
}

function serve(
  state: TemplateState,
  namespaces: NamespaceLabels,
  notReadyReason: () => string | undefined,
  stop: () => void,
): RelayTemplates {
  return {
    templateFor(alert, provider) {
      const name = provider.metadata?.namespace ?? '';
      const found = policyMessageTemplate(state.conventions, { name, labels: namespaces.labels(name) }, [
        alert,
        provider,
      ]);
      return found && { template: found.template, required: found.required };
    },
    notReadyReason,
    wiring(view) {
      const gated: ClusterView = Object.create(view);
      gated.synced = () => view.synced() && notReadyReason() === undefined;
      return { cluster: gated, templateFor: this.templateFor };
    },
    stop,
  };
}
