/**
 * The event Flux controllers POST to `--events-addr` (github.com/fluxcd/pkg/apis/event/v1beta1
 * Event), and the decoder that checks a request body before anything reads it.
 */
import { parseApiVersion } from '../flux/api.ts';

/** The object an event is about. */
export interface InvolvedObject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion?: string;
  readonly uid?: string;
}

/** A Flux event. */
export interface FluxEvent {
  readonly involvedObject: InvolvedObject;
  readonly severity: 'info' | 'error';
  readonly timestamp: string;
  readonly message: string;
  readonly reason: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly reportingController: string;
  readonly reportingInstance?: string;
}

/** The decoded event, or why the body is not one. */
export type DecodedEvent = { ok: true; event: FluxEvent } | { ok: false; message: string };

/** Checks a parsed JSON body. */
export function decodeEvent(body: unknown): DecodedEvent {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad('body is not a JSON object');
  const b = body as Record<string, unknown>;
  const o = b['involvedObject'] as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object') return bad('involvedObject is required');
  for (const f of ['kind', 'name'] as const)
    if (typeof o[f] !== 'string' || o[f] === '') return bad(`involvedObject.${f} is required`);
  if (o['namespace'] !== undefined && typeof o['namespace'] !== 'string')
    return bad('involvedObject.namespace must be a string');
  if (b['severity'] !== 'info' && b['severity'] !== 'error') return bad('severity must be "info" or "error"');
  if (typeof b['message'] !== 'string') return bad('message is required');
  if (typeof b['reason'] !== 'string') return bad('reason is required');
  if (typeof b['reportingController'] !== 'string' || b['reportingController'] === '')
    return bad('reportingController is required');
  const metadata = b['metadata'];
  if (metadata !== undefined && metadata !== null) {
    if (
      typeof metadata !== 'object' ||
      Array.isArray(metadata) ||
      Object.values(metadata).some((v) => typeof v !== 'string')
    )
      return bad('metadata must map strings to strings');
  }
  return {
    ok: true,
    event: {
      involvedObject: {
        kind: o['kind'] as string,
        name: o['name'] as string,
        namespace: (o['namespace'] as string | undefined) ?? '',
        ...(typeof o['apiVersion'] === 'string' ? { apiVersion: o['apiVersion'] } : {}),
        ...(typeof o['uid'] === 'string' ? { uid: o['uid'] } : {}),
      },
      severity: b['severity'],
      timestamp: typeof b['timestamp'] === 'string' ? b['timestamp'] : '',
      message: b['message'],
      reason: b['reason'],
      ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
      reportingController: b['reportingController'],
      ...(typeof b['reportingInstance'] === 'string' ? { reportingInstance: b['reportingInstance'] } : {}),
    },
  };
}

/** The API group of the involved object (`kustomize.toolkit.fluxcd.io`), from its apiVersion. */
export function involvedGroup(e: FluxEvent): string {
  return parseApiVersion(e.involvedObject.apiVersion ?? '').group;
}

function bad(message: string): DecodedEvent {
  return { ok: false, message };
}

/** `Kind/namespace/name` of the event's object, as logs and messages name it. */
export function objectName(e: FluxEvent): string {
  return `${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`;
}
