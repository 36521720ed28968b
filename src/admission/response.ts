/**
 * The only way an AdmissionResponse is built. Every constructor takes the request's uid.
 */
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionResponse, AdmissionReview } from './review.ts';
import type { Status } from '../kube/status.ts';
import { ADMISSION_API_VERSION } from './review.ts';
import { failureStatus } from '../kube/status.ts';

/** Kubernetes may truncate warnings longer than this; keep each within it. */
export const MAX_WARNING_LENGTH = 256;

/** Allows the request, with optional warnings. */
export function allowed(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: true }, warnings);
}

/** Denies the request with a Status (usually 422 Invalid). */
export function denied(uid: string, status: Status, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: false, status }, warnings);
}

/** Allows with a JSON patch; without operations this is `allowed` (no empty patch is sent). */
export function patched(
  uid: string,
  ops: readonly PatchOperation[],
  warnings: readonly string[] = [],
): AdmissionResponse {
  if (ops.length === 0) return allowed(uid, warnings);
  return withWarnings(
    { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') },
    warnings,
  );
}

/** Fails the request because the webhook could not evaluate it. */
export function errored(uid: string, code: number, message: string): AdmissionResponse {
  return { uid, allowed: false, status: failureStatus(code, code >= 500 ? 'InternalError' : 'BadRequest', message) };
}

/** Wraps a response in the AdmissionReview envelope. */
export function toReview(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

function withWarnings(r: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length === 0) return r;
  const clean = [...new Set(warnings.map(headerSafe).filter((w) => w !== ''))];
  return clean.length > 0 ? { ...r, warnings: clean } : r;
}

/** Warnings travel as HTTP headers: printable ASCII only, bounded length. */
export function headerSafe(text: string): string {
  const ascii = text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= MAX_WARNING_LENGTH ? ascii : `${ascii.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}
