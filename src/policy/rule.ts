/**
 * The shape of a policy rule: one file per rule under `rules/`, each a pure, synchronous
 * function of the request and a read-only view of the cluster. The engine, not the rule,
 * attaches the rule id and the action.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { GuardedKind } from '../flux/api.ts';
import type { AlertView, KubeObject, ProviderView } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import type { FieldError } from './field-error.ts';
import type { Action, Policy } from './policy.ts';

/** Admission operations. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Everything a rule may read. */
export interface RuleContext {
  readonly operation: Operation;
  /** The object after the change; for DELETE, the object being deleted. For Secrets: metadata only. */
  readonly object: KubeObject;
  /** The object before an UPDATE. */
  readonly oldObject: KubeObject | undefined;
  readonly namespace: string;
  readonly name: string;
  /** For Secrets: facts about `object` (never values). */
  readonly secret: SecretFacts | undefined;
  /** For Secret UPDATEs: facts about `oldObject`. */
  readonly oldSecret: SecretFacts | undefined;
  /** `object` read as an Alert (`alertView`), made once per evaluation: an Alert's rules read this. */
  readonly alert: AlertView;
  /** `object` read as a Provider (`providerView`), made once per evaluation: a Provider's rules read this. */
  readonly provider: ProviderView;
  readonly cluster: ClusterView;
  readonly policy: Policy;
}

/** A policy rule. */
export interface Rule {
  /** Stable id, used in the policy file, metrics and the linter: `alert-provider-exists`. */
  readonly id: string;
  readonly kind: GuardedKind;
  readonly operations: readonly Operation[];
  readonly defaultAction: Action;
  /** One sentence: what the rule checks and why it matters. */
  readonly description: string;
  /** One sentence: how to fix an object the rule reports. */
  readonly remediation: string;
  /**
   * The notification-controller function (internal/server/event_handlers.go unless named) whose
   * behaviour the rule follows, as docs/rules.md cites it. Optional in the type; every rule of
   * ALL_RULES has one (rules-doc.test.ts).
   */
  readonly follows?: string;
  /**
   * Set when the rule's findings say a referenced Provider or Secret is missing: the webhook then
   * confirms with a live lookup before denying (the watch may lag an apply by milliseconds).
   */
  readonly reportsMissing?: true;
  /** Returns findings; an empty list means the object passes. Never throws for bad input. */
  check(ctx: RuleContext): readonly FieldError[];
}
