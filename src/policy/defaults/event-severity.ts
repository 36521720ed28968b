/**
 * Defaulting of an Alert's `spec.eventSeverity` to `error`.
 *
 * The CRD declares `default: info` and the API server applies it before any webhook runs, so
 * the value alone cannot say whether the user chose `info`. The evidence of intent:
 * 1. Server-side apply: if any `managedFields` entry with operation `Apply` exists, the user set
 *    the field exactly when one of them owns `f:spec.f:eventSeverity`.
 * 2. Client-side apply: the `kubectl.kubernetes.io/last-applied-configuration` annotation holds
 *    what the user wrote; the field is set when it appears there.
 * 3. No evidence: the policy decides (`keep`, the default, never overwrites).
 * A value of `error` is never touched, so reinvocation changes nothing.
 */
import type { KubeObject } from '../../flux/objects.ts';
import { specOf } from '../../flux/objects.ts';
import type { SeverityWithoutIntent } from '../policy.ts';
import { specFieldIntent } from './user-intent.ts';

/** The decision, with the evidence that led to it (for the warning and logs). */
export type SeverityIntent = 'set-by-user' | 'not-set-apply' | 'not-set-last-applied' | 'unknown';

/** Works out whether the user set eventSeverity. */
export function severityIntent(obj: KubeObject): SeverityIntent {
  return specFieldIntent(obj, 'eventSeverity').kind;
}

/** The defaulted copy and the warning to show, or undefined when nothing changes. */
export interface Defaulted {
  readonly object: KubeObject;
  readonly warning: string;
}

/** Returns the Alert with eventSeverity `error` when the user did not choose a value. */
export function defaultEventSeverity(obj: KubeObject, withoutIntent: SeverityWithoutIntent): Defaulted | undefined {
  const current = specOf(obj)['eventSeverity'];
  if (current === 'error') return undefined;
  const intent = current === undefined ? 'not-set-apply' : severityIntent(obj);
  if (intent === 'set-by-user') return undefined;
  if (intent === 'unknown' && withoutIntent === 'keep') return undefined;
  const why =
    intent === 'unknown'
      ? 'the policy defaults it when intent cannot be told'
      : 'it was not set in the applied configuration';
  return {
    object: { ...obj, spec: { ...specOf(obj), eventSeverity: 'error' } },
    warning: `spec.eventSeverity: defaulted to "error" because ${why}; set eventSeverity: info explicitly to receive info events`,
  };
}
