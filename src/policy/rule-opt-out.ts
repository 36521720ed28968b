/**
 * The per-object opt-out from a rule, as kube-linter's `ignore-check.kube-linter.io/<check>`:
 * annotation `notify-guard.fluxcd.community/ignore.<rule-id>` on the object, its value the reason.
 * The rule still runs and its findings are still reported (lint, audit, the admission warning,
 * the `notify_guard_findings_ignored_total` metric), but never enforced: each is a warning that
 * says so. An empty reason does not opt out; a warning names the annotation instead. Every rule
 * may be opted out of (docs/rules.md#opting-an-object-out-of-a-rule). Pure.
 */
import type { KubeObject } from '../flux/objects.ts';
import type { FieldError } from './field-error.ts';
import { fieldError, quote } from './field-error.ts';
import { field } from './field-path.ts';

/** The annotation key's prefix; the rule id follows. */
export const IGNORE_ANNOTATION_PREFIX = 'notify-guard.fluxcd.community/ignore.';

/** What an honoured opt-out says: the annotation and the reason it gives. */
export interface OptOut {
  readonly annotation: string;
  readonly reason: string;
}

/** A rule's finding as the engine makes it (engine.ts `Finding`; not imported, so no cycle). */
export interface RuleFinding extends FieldError {
  readonly rule: string;
  readonly action: 'deny' | 'warn';
  readonly remediation?: string;
  readonly ignored?: OptOut;
}

/** The annotation that opts an object out of rule `ruleId`. */
export function ignoreAnnotation(ruleId: string): string {
  return `${IGNORE_ANNOTATION_PREFIX}${ruleId}`;
}

/**
 * The reason the object gives for opting out of the rule, whitespace collapsed: '' when empty,
 * undefined when it does not opt out.
 */
export function optOutReason(object: KubeObject, ruleId: string): string | undefined {
  const value: unknown = object.metadata?.annotations?.[ignoreAnnotation(ruleId)];
  // One line: the reason is printed under lint's findings and in SARIF's justification.
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : undefined;
}

/** Applies the object's opt-out (if any) to one rule's findings on it. */
export function applyOptOut<F extends RuleFinding>(
  ruleId: string,
  object: KubeObject,
  findings: readonly F[],
): (F | RuleFinding)[] {
  const reason = findings.length === 0 ? undefined : optOutReason(object, ruleId);
  if (reason === undefined) return [...findings];
  const annotation = ignoreAnnotation(ruleId);
  if (reason === '')
    return [
      ...findings,
      {
        ...fieldError(
          'Required',
          field('metadata', 'annotations').key(annotation),
          undefined,
          `opting out of rule ${quote(ruleId)} needs a reason as the annotation's value; until then the rule applies`,
        ),
        rule: ruleId,
        action: 'warn',
        remediation: "Write why the object opts out as the annotation's value, or remove the annotation.",
      },
    ];
  return findings.map((f) => ({
    ...f,
    action: 'warn',
    detail: `ignored by annotation ${annotation}: ${f.detail}`,
    ignored: { annotation, reason },
  }));
}
