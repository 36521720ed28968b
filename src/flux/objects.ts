/**
 * Kubernetes objects as plain JSON, and typed read-only views of the Alert and Provider fields
 * the rules use. The views read every served version (v1beta1..v1beta3): the fields used here
 * have the same names and paths in all three. Nothing is copied into classes, so unknown
 * fields survive end to end.
 */

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** The metadata fields this project reads. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  deletionTimestamp?: string;
  [field: string]: unknown;
}

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** One entry of `spec.eventSources`. */
export interface EventSource {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly apiVersion?: string;
}

/** The Alert fields the rules and the relay read. */
export interface AlertView {
  readonly namespace: string;
  readonly name: string;
  readonly providerName: string;
  readonly eventSources: readonly EventSource[];
  readonly inclusionList: readonly string[];
  readonly exclusionList: readonly string[];
  readonly eventSeverity: string | undefined;
  readonly suspend: boolean;
  readonly summary: string | undefined;
  readonly eventMetadata: Readonly<Record<string, string>>;
}

/** The Provider fields the rules and the relay read. */
export interface ProviderView {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly address: string | undefined;
  readonly channel: string | undefined;
  readonly username: string | undefined;
  /** `spec.suspend`. A Provider the relay delivers has its own (policy/defaults/relay-mode.ts `userSuspended`). */
  readonly suspend: boolean;
  /** `metadata.annotations` (string values only). */
  readonly annotations: Readonly<Record<string, string>>;
  readonly secretRef: string | undefined;
  readonly certSecretRef: string | undefined;
  readonly proxySecretRef: string | undefined;
}

/** The Provider fields that name a Secret, in the order they are checked. */
export const PROVIDER_SECRET_REFS = ['secretRef', 'certSecretRef', 'proxySecretRef'] as const;
export type ProviderSecretRef = (typeof PROVIDER_SECRET_REFS)[number];

/** Reads `.spec` as a record (an absent or non-object spec reads as empty). */
export function specOf(obj: KubeObject): Record<string, unknown> {
  return asRecord(obj['spec']);
}

/** Reads an Alert's fields, tolerating absent or mistyped fields (those read as absent). */
export function alertView(obj: KubeObject): AlertView {
  const spec = specOf(obj);
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    providerName: str(asRecord(spec['providerRef'])['name']) ?? '',
    eventSources: asArray(spec['eventSources']).map(readSource),
    inclusionList: asArray(spec['inclusionList']).map((v) => (typeof v === 'string' ? v : String(v))),
    exclusionList: asArray(spec['exclusionList']).map((v) => (typeof v === 'string' ? v : String(v))),
    eventSeverity: str(spec['eventSeverity']),
    suspend: spec['suspend'] === true,
    summary: str(spec['summary']),
    eventMetadata: stringMap(spec['eventMetadata']),
  };
}

/** Reads a Provider's fields, tolerating absent or mistyped fields. */
export function providerView(obj: KubeObject): ProviderView {
  const spec = specOf(obj);
  const ref = (f: ProviderSecretRef) => str(asRecord(spec[f])['name']);
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    type: str(spec['type']) ?? '',
    address: str(spec['address']),
    channel: str(spec['channel']),
    username: str(spec['username']),
    suspend: spec['suspend'] === true,
    annotations: stringMap(obj.metadata?.annotations),
    secretRef: ref('secretRef'),
    certSecretRef: ref('certSecretRef'),
    proxySecretRef: ref('proxySecretRef'),
  };
}

/** The Secret name a Provider's ref field points at, if any. */
export function providerSecretRef(p: ProviderView, f: ProviderSecretRef): string | undefined {
  return f === 'secretRef' ? p.secretRef : f === 'certSecretRef' ? p.certSecretRef : p.proxySecretRef;
}

function readSource(v: unknown): EventSource {
  const r = asRecord(v);
  const labels = r['matchLabels'];
  const src: EventSource = {
    kind: str(r['kind']) ?? '',
    name: str(r['name']) ?? '',
    // notification-controller's eventMatchesAlertSources reads an empty namespace as the Alert's own.
    ...(str(r['namespace']) ? { namespace: str(r['namespace']) } : {}),
    ...(labels && typeof labels === 'object' ? { matchLabels: stringMap(labels) } : {}),
    ...(str(r['apiVersion']) !== undefined ? { apiVersion: str(r['apiVersion']) } : {}),
  };
  return src;
}

/** A value as a record, or an empty one. */
export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asRecord(v))) if (typeof val === 'string') out[k] = val;
  return out;
}
