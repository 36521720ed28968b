/**
 * A platform convention: a named requirement the platform team sets on Alerts and Providers
 * (channels per team, severity routing, required event metadata, where Providers live), with an
 * action, the namespaces it applies to and its exemptions. Each kind of convention is one small
 * pure file in this folder; `evaluate-conventions.ts` applies scope, exemptions and the action.
 */
import type { ClusterView } from '../../cluster/cluster-view.ts';
import type { GuardedKind } from '../../flux/api.ts';
import type { KubeObject } from '../../flux/objects.ts';
import type { FieldError } from '../field-error.ts';
import type { Operation } from '../rule.ts';
import type { NamespaceScope } from './namespace-scope.ts';
import type { NamespaceFacts } from './template.ts';

/** A registered Slack incoming webhook, by its non-secret ids only (`T…/B…`). */
export interface RegisteredWebhook {
  /** `T0AB12CD3/B0CD34EF5`: the team and hook ids of the URL, never its secret segment. */
  readonly id: string;
  /** The channel the webhook was created for (for documentation and audit). */
  readonly channel: string;
  /** Namespaces whose Providers may use it; templates allowed (`{namespace}` is always allowed). */
  readonly namespaces: readonly string[];
}

/** What each kind of convention requires. Exactly one is set per convention. */
export interface ConventionRequirements {
  readonly channels?: { readonly patterns?: readonly string[]; readonly webhooks?: readonly RegisteredWebhook[] };
  readonly severity?: { readonly required?: 'info' | 'error'; readonly infoForbiddenChannels?: readonly string[] };
  readonly eventMetadata?: {
    readonly required?: readonly string[];
    readonly defaults?: Readonly<Record<string, string>>;
  };
  readonly providers?: { readonly allowed?: boolean; readonly allowedTypes?: readonly string[] };
  /** Objects of these kinds in the convention's namespaces must be watched by an Alert. */
  readonly coverage?: { readonly kinds: readonly string[] };
  /** The Slack message template of Alerts in scope; `require`: Alerts and Providers may not override it. */
  readonly messages?: { readonly template: string; readonly require?: boolean };
}

/** One convention of the policy, as validated. */
export interface Convention extends ConventionRequirements {
  readonly name: string;
  readonly action: 'deny' | 'warn' | 'off';
  readonly namespaces?: NamespaceScope;
  readonly exemptions?: { readonly namespaces?: readonly string[] };
}

/** Annotation on an object listing conventions it is exempt from (comma-separated names). */
export const EXEMPT_ANNOTATION = 'notify-guard.fluxcd.community/exempt';
/** Annotation giving the reason for the exemption; required, reported by audit. */
export const EXEMPT_REASON_ANNOTATION = 'notify-guard.fluxcd.community/exempt-reason';

/** What a convention check reads. */
export interface ConventionContext {
  readonly operation: Operation;
  /** The object after the change; for DELETE, the object being deleted. */
  readonly object: KubeObject;
  /** The object before an UPDATE. */
  readonly oldObject?: KubeObject;
  readonly namespace: NamespaceFacts;
  readonly cluster: ClusterView;
  /** The convention's name (what an exemption annotation names). */
  readonly convention: string;
  /** True when namespace `name` is in the convention's scope and not exempt (for checks about other namespaces). */
  appliesTo(name: string): boolean;
}

/**
 * A convention's finding. `doubtful`: the check could not know a fact it needs (a Secret it cannot
 * read): the finding is then at most a warning, whatever the convention's action.
 */
export interface ConventionError extends FieldError {
  readonly doubtful?: true;
}

/** One kind of convention: which requirement key it reads and its pure check. */
export interface ConventionCheck<K extends keyof ConventionRequirements = keyof ConventionRequirements> {
  readonly key: K;
  readonly kinds: readonly GuardedKind[];
  /** Operations checked (default CREATE and UPDATE). */
  readonly operations?: readonly Operation[];
  /** One sentence for docs/platform.md. */
  readonly description: string;
  check(ctx: ConventionContext, requirement: NonNullable<ConventionRequirements[K]>): readonly ConventionError[];
}

/** The exemption reason an object's annotations give for a convention: a reason, '' when none is given, undefined when not exempt. */
export function exemptionReason(object: KubeObject, convention: string): string | undefined {
  const a = object.metadata?.annotations ?? {};
  if (
    !(a[EXEMPT_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim())
      .includes(convention)
  )
    return undefined;
  return (a[EXEMPT_REASON_ANNOTATION] ?? '').trim();
}
