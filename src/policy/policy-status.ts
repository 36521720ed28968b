/**
 * The status the webhook writes on the NotifyGuardPolicy it reads: `observedGeneration`, a
 * `Ready` condition (False with the field errors when the policy cannot be used, in which case
 * the last good policy stays in force) and, from the periodic audit, violation counts.
 * Pure: the time is a parameter; an unchanged condition keeps its lastTransitionTime.
 */
import { errorString } from './field-error.ts';
import type { PolicyReading } from './policy-object.ts';

/** A Kubernetes condition (metav1.Condition). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** Violations of the conventions found by the last audit. */
export interface ViolationCounts {
  /** Objects with findings, per convention name. */
  readonly byConvention: Readonly<Record<string, number>>;
  readonly total: number;
  readonly auditedAt: string;
}

/** The NotifyGuardPolicy status. */
export interface PolicyStatus {
  readonly observedGeneration?: number;
  readonly conditions: readonly Condition[];
  readonly violations?: ViolationCounts;
}

/** The status for a reading of the policy at `generation`, keeping transition times that did not change. */
export function policyStatus(
  reading: PolicyReading,
  generation: number | undefined,
  previous: PolicyStatus | undefined,
  at: Date,
  inForce: string,
): PolicyStatus {
  const ready: Omit<Condition, 'lastTransitionTime'> = reading.ok
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'Accepted',
        message: 'the policy is in force',
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'Invalid',
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
        message: `${reading.errors.map(errorString).join('; ')}; the webhook keeps using ${inForce}`,
      };
  const before = previous?.conditions?.find((c) => c.type === 'Ready');
  const lastTransitionTime =
    before && before.status === ready.status ? before.lastTransitionTime : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: [{ ...ready, lastTransitionTime }],
    ...(previous?.violations ? { violations: previous.violations } : {}),
  };
}

/** True when writing `next` over `current` would change nothing. */
export function sameStatus(current: unknown, next: PolicyStatus): boolean {
  return JSON.stringify(current ?? null) === JSON.stringify(next);
}
