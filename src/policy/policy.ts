/**
 * The resolved policy the rules read: one action per rule and the platform team's settings.
 * `policy-file.ts` builds it from YAML; `defaultPolicy` is what runs without a file.
 */

import type { Convention } from './conventions/convention.ts';

/** What happens to a rule's findings. */
export type Action = 'deny' | 'warn' | 'off';

/** What to do with `spec.eventSeverity` when no evidence says whether the user set it. */
export type SeverityWithoutIntent = 'keep' | 'error';

/** Resolved policy: every field has its effective value. */
export interface Policy {
  /** Effective action per rule id. */
  readonly actions: Readonly<Record<string, Action>>;
  /** Hosts a checked Provider's address may point at. */
  readonly allowedHosts: readonly string[];
  /** Provider types whose addresses are checked against `allowedHosts`. */
  readonly checkedProviderTypes: readonly string[];
  /** The cluster runs Flux with `--no-cross-namespace-refs`. */
  readonly noCrossNamespaceRefs: boolean;
  /** Defaulting of eventSeverity without evidence of intent. */
  readonly eventSeverityWithoutIntent: SeverityWithoutIntent;
  /** The notify-guard relay delivers Slack Providers: mark them so notification-controller skips them. */
  readonly relayDeliversSlack: boolean;
  /**
   * Namespaces whose Secrets something outside the manifests and the cluster's known producers
   * creates (a vault injector, a bootstrap script): a missing Secret there is a warning. `*`: all.
   */
  readonly outOfBandSecretNamespaces: readonly string[];
  /** The platform's conventions (docs/platform.md), in policy order. */
  readonly conventions: readonly Convention[];
}

/** True when the policy says Secrets in `namespace` are made out of band. */
export function secretsMadeOutOfBand(policy: Policy, namespace: string): boolean {
  return policy.outOfBandSecretNamespaces.includes(namespace) || policy.outOfBandSecretNamespaces.includes('*');
}

/** Slack's own hosts: incoming webhooks and the Web API, commercial and GovSlack. */
export const DEFAULT_ALLOWED_HOSTS = ['hooks.slack.com', 'slack.com', 'hooks.slack-gov.com', 'slack-gov.com'] as const;

/** The rule ids and default actions that a policy resolves against. */
export interface RuleDefaults {
  readonly id: string;
  readonly defaultAction: Action;
}

/** Rule whose default turns from warn to deny when Flux blocks cross-namespace references. */
export const CROSS_NAMESPACE_RULE = 'alert-cross-namespace-source';

/** The policy with no file: every rule at its default action. */
export function defaultPolicy(rules: readonly RuleDefaults[]): Policy {
  return resolvePolicy(rules, {});
}

/** What a policy file may say; everything optional. */
export interface PolicySettings {
  readonly rules?: Readonly<Record<string, Action>>;
  readonly allowedHosts?: readonly string[];
  readonly checkedProviderTypes?: readonly string[];
  readonly noCrossNamespaceRefs?: boolean;
  readonly eventSeverityWithoutIntent?: SeverityWithoutIntent;
  readonly relayDeliversSlack?: boolean;
  readonly outOfBandSecretNamespaces?: readonly string[];
  readonly conventions?: readonly Convention[];
}

/** Resolves settings against the rules' defaults. Allowed hosts extend Slack's own. */
export function resolvePolicy(rules: readonly RuleDefaults[], s: PolicySettings): Policy {
  const noCross = s.noCrossNamespaceRefs ?? false;
  const actions: Record<string, Action> = {};
  for (const r of rules) {
    const fallback = r.id === CROSS_NAMESPACE_RULE && noCross ? 'deny' : r.defaultAction;
    actions[r.id] = s.rules?.[r.id] ?? fallback;
  }
  return {
    actions,
    allowedHosts: [...new Set([...DEFAULT_ALLOWED_HOSTS, ...(s.allowedHosts ?? []).map((h) => h.toLowerCase())])],
    checkedProviderTypes: s.checkedProviderTypes ?? ['slack'],
    noCrossNamespaceRefs: noCross,
    eventSeverityWithoutIntent: s.eventSeverityWithoutIntent ?? 'keep',
    relayDeliversSlack: s.relayDeliversSlack ?? false,
    outOfBandSecretNamespaces: s.outOfBandSecretNamespaces ?? [],
    conventions: s.conventions ?? [],
  };
}
