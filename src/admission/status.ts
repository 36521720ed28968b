/**
 * Builds the `Invalid` (422) Status that apimachinery's `errors.NewInvalid` builds, so kubectl
 * prints a denial like any built-in validation error:
 * `Alert.notification.toolkit.fluxcd.io "x" is invalid: spec.providerRef.name: Not found: "slack": ...`
 */
import type { FieldError } from '../policy/field-error.ts';
import { ErrorTypes, errorBody, errorString } from '../policy/field-error.ts';
import type { Status } from '../kube/status.ts';

/** Identifies the object a Status speaks of. */
export interface StatusSubject {
  /** `Alert.notification.toolkit.fluxcd.io`, or `Secret`. */
  readonly qualifiedKind: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

/** A 422 Invalid Status with one cause per field error. */
export function invalidStatus(subject: StatusSubject, errors: readonly FieldError[]): Status {
  const aggregate = errors.length === 1 ? errorString(errors[0]!) : `[${errors.map(errorString).join(', ')}]`;
  return {
    metadata: {},
    status: 'Failure',
    message: `${subject.qualifiedKind} ${JSON.stringify(subject.name)} is invalid: ${aggregate}`,
    reason: 'Invalid',
    details: {
      name: subject.name,
      group: subject.group,
      kind: subject.kind,
      causes: errors.map((e) => ({ reason: ErrorTypes[e.type].cause, message: errorBody(e), field: e.field })),
    },
    code: 422,
  };
}
