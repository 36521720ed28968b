/**
 * AdmissionReview admission.k8s.io/v1 wire types (field names as in k8s.io/api/admission/v1)
 * and the decoder that checks an incoming body before anything reads it.
 */
import type { GroupVersionKind } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Operation } from '../policy/rule.ts';
import type { Status } from '../kube/status.ts';
import { MAX_DEPTH, nestedTooDeep, objectShapeProblem } from './object-shape.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** `request` of an AdmissionReview. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind?: GroupVersionKind;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: { username?: string; groups?: string[] };
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  options?: unknown;
}

/** `response` of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
}

/** The envelope, both ways. */
export interface AdmissionReview {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Result of decoding a body: the request, or why the body is not one. */
export type Decoded = { ok: true; request: AdmissionRequest } | { ok: false; message: string };

/**
 * Checks that a parsed JSON body is an AdmissionReview v1 with a usable request: the envelope's
 * fields have the types admission.k8s.io/v1 gives them, it nests no deeper than MAX_DEPTH, and the
 * object fields the rules read have their Kubernetes types (object-shape.ts). Messages quote at
 * most a short string from the body, never a structure.
 */
export function decodeReview(body: unknown): Decoded {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad('body is not a JSON object');
  if (nestedTooDeep(body)) return bad(`body nests deeper than ${MAX_DEPTH} levels`);
  const r = body as Record<string, unknown>;
  if (r['kind'] !== 'AdmissionReview') return bad('body is not an AdmissionReview (kind must be "AdmissionReview")');
  if (r['apiVersion'] !== ADMISSION_API_VERSION)
    return bad(
      `unsupported AdmissionReview apiVersion ${quoted(r['apiVersion'])}; this webhook speaks ${ADMISSION_API_VERSION}`,
    );
  const req = r['request'];
  if (req === null || typeof req !== 'object' || Array.isArray(req)) return bad('AdmissionReview has no request');
  const q = req as Record<string, unknown>;
  if (typeof q['uid'] !== 'string' || q['uid'] === '') return bad('AdmissionReview request has no uid');
  const kind = q['kind'] as Record<string, unknown> | undefined;
  if (
    !kind ||
    typeof kind !== 'object' ||
    typeof kind['kind'] !== 'string' ||
    typeof kind['version'] !== 'string' ||
    typeof (kind['group'] ?? '') !== 'string'
  ) {
    return bad('AdmissionReview request has no kind {group, version, kind}');
  }
  if (typeof q['operation'] !== 'string' || !OPERATIONS.has(q['operation']))
    return bad('AdmissionReview request has no valid operation');
  for (const f of ['name', 'namespace', 'subResource'] as const)
    if (q[f] !== undefined && q[f] !== null && typeof q[f] !== 'string')
      return bad(`AdmissionReview request.${f} must be a string`);
  if (q['dryRun'] !== undefined && q['dryRun'] !== null && typeof q['dryRun'] !== 'boolean')
    return bad('AdmissionReview request.dryRun must be a boolean');
  for (const f of ['object', 'oldObject'] as const) {
    const o = q[f];
    if (o === undefined || o === null) continue;
    if (typeof o !== 'object' || Array.isArray(o)) return bad(`AdmissionReview request.${f} is not an object`);
    const problem = objectShapeProblem(o as Record<string, unknown>, `request.${f}`);
    if (problem) return bad(`AdmissionReview ${problem}`);
  }
  const request = {
    ...(q as unknown as AdmissionRequest),
    kind: { group: (kind['group'] as string | undefined) ?? '', version: kind['version'], kind: kind['kind'] },
  };
  for (const f of ['name', 'namespace', 'subResource', 'dryRun'] as const) if (request[f] === null) delete request[f];
  return { ok: true, request };
}

/** A value for a message: a string quoted and cut to 64 characters, anything else by its type. */
function quoted(v: unknown): string {
  if (typeof v !== 'string')
    return v === undefined ? 'undefined' : `of type ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`;
  return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}...` : v);
}

function bad(message: string): Decoded {
  return { ok: false, message };
}
