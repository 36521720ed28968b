/**
 * Field errors spelled exactly as apimachinery's `k8s.io/apimachinery/pkg/util/validation/field`
 * spells them, so a denial reads like any built-in object's validation error.
 */
import type { FieldPath } from './field-path.ts';

/** The error types a rule may report, with apimachinery's printed form and cause type. */
export const ErrorTypes = {
  NotFound: { text: 'Not found', cause: 'FieldValueNotFound' },
  Required: { text: 'Required value', cause: 'FieldValueRequired' },
  Duplicate: { text: 'Duplicate value', cause: 'FieldValueDuplicate' },
  Invalid: { text: 'Invalid value', cause: 'FieldValueInvalid' },
  NotSupported: { text: 'Unsupported value', cause: 'FieldValueNotSupported' },
  Forbidden: { text: 'Forbidden', cause: 'FieldValueForbidden' },
  TooLong: { text: 'Too long', cause: 'FieldValueTooLong' },
} as const;

export type ErrorType = keyof typeof ErrorTypes;

/** Types whose printed body never shows the bad value, as in apimachinery. */
const VALUELESS: ReadonlySet<ErrorType> = new Set(['Required', 'Forbidden', 'TooLong']);

/** One finding about one field. `value` is omitted when it must not be shown (Secret data). */
export interface FieldError {
  readonly field: string;
  readonly type: ErrorType;
  readonly value?: unknown;
  readonly detail: string;
}

/** Builds a field error; leave `value` undefined to keep the value out of the message. */
export function fieldError(type: ErrorType, path: FieldPath, value: unknown, detail: string): FieldError {
  return value === undefined
    ? { field: path.toString(), type, detail }
    : { field: path.toString(), type, value, detail };
}

/** `Not found: "slack": <detail>`: the part after the field, as `ErrorBody()` prints it. */
export function errorBody(e: FieldError): string {
  let body: string = ErrorTypes[e.type].text;
  if (!VALUELESS.has(e.type) && e.value !== undefined) body += `: ${printValue(e.value)}`;
  return e.detail ? `${body}: ${e.detail}` : body;
}

/** `spec.providerRef.name: Not found: "slack": <detail>`. */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** Go's `%q` for strings, `%v`-like JSON for the rest. */
export function printValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Go's `%q` of a string, used for names inside details. */
export function quote(s: string): string {
  return JSON.stringify(s);
}
