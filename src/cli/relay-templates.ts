/**
 * The platform's message templates for the relay (the policy's `messages` conventions,
 * docs/platform.md). The relay may not read the policy (test/layers.test.ts), so this module
 * follows the policy with the webhook's own source (policy-source.ts) and hands the relay a
 * lookup, `templateFor(alert, provider)`. The relay and the webhook beside it therefore hold the
 * same policy: the `--policy` file (re-read when it changes), replaced in live mode by the
 * NotifyGuardPolicy named `default` while it exists and has once been valid; an invalid change
 * keeps the last good policy; deleting it returns to the file. The relay never writes the
 * NotifyGuardPolicy's status (the webhook does). A change applies to the next attempt of every
 * delivery, without a restart or a change to any Provider. The relay's readiness and routing gate
 * wait for the policy's and the Namespaces' first lists.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { gatedOn } from '../cluster/view-wrappers.ts';
import type { Logger } from '../observability/logger.ts';
import { policyMessageTemplate } from '../policy/conventions/policy-message-template.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import type { PlatformTemplateLookup } from '../relay/slack-template.ts';
import type { ClusterSource } from './cluster-source.ts';
import { openPolicySource } from './policy-source.ts';

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

/** What the relay's templates are read from. */
export interface RelayTemplateOptions {
  /** Where the cluster is read from; with `--cluster-dir`, its Namespace objects' labels too. */
  readonly cluster: ClusterSource;
  /** `--policy`: the policy file, in force whenever no NotifyGuardPolicy is. */
  readonly flags: { readonly policyFile?: string | undefined };
  readonly watchdogMs: number;
  readonly logger: Logger;
}

/** Opens the policy source (a policy file that cannot be used fails startup) and serves its templates. */
export async function openRelayTemplates(o: RelayTemplateOptions): Promise<RelayTemplates> {
  const { api, clusterMetrics } = o.cluster;
  const source = await openPolicySource({
    rules: ALL_RULES,
    policyFile: o.flags.policyFile,
    namespaces: o.cluster.namespaces,
    ...(api && clusterMetrics ? { live: { api, observer: clusterMetrics.observer, watchdogMs: o.watchdogMs } } : {}),
    logger: o.logger,
    writesStatus: false,
  });
  const templateFor: PlatformTemplateLookup = (alert, provider) => {
    const name = provider.metadata?.namespace ?? '';
    const conventions = source.holder.current().conventions;
    const found = policyMessageTemplate(conventions, { name, labels: source.namespaces.labels(name) }, [
      alert,
      provider,
    ]);
    return found && { template: found.template, required: found.required };
  };
  const ready = () => source.notReadyReason() === undefined;
  return {
    templateFor,
    notReadyReason: () => source.notReadyReason(),
    wiring: (view) => ({ cluster: gatedOn(view, ready), templateFor }),
    stop: () => source.stop(),
  };
}
