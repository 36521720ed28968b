/**
 * Which of the policy's `messages` conventions gives the template for a delivery (messages.ts):
 * pure, called from cli/ for the relay, which may not import the policy itself.
 */
import type { KubeObject } from '../../flux/objects.ts';
import type { Convention } from './convention.ts';
import { conventionApplies, exemptionReason } from './evaluate-conventions.ts';
import type { NamespaceFacts } from './template.ts';

/** The template the policy gives a delivery, and whether it overrides the annotations. */
export interface PolicyMessageTemplate {
  /** The convention that gives it. */
  readonly convention: string;
  readonly template: string;
  readonly required: boolean;
}

/**
 * The policy's template for the messages of `alert` (with its Provider) in namespace `ns`: the
 * first convention in policy order with `messages` that applies there (not off, in scope, not an
 * exempt namespace), unless the Alert or the Provider is exempt from it with a reason. Pure.
 */
export function policyMessageTemplate(
  conventions: readonly Convention[],
  ns: NamespaceFacts,
  objects: readonly (KubeObject | undefined)[],
): PolicyMessageTemplate | undefined {
  for (const c of conventions) {
    if (!c.messages || !conventionApplies(c, ns)) continue;
    if (objects.some((o) => o && exemptionReason(o, c.name))) continue;
    return { convention: c.name, template: c.messages.template, required: c.messages.require === true };
  }
  return undefined;
}
