/**
 * Objects that create a Secret: an ExternalSecret (external-secrets.io, v1 and v1beta1) makes
 * `spec.target.name` (default: its own name) with the keys of `spec.data[].secretKey` and
 * `spec.target.template.data`; with `spec.dataFrom` or `spec.target.template.templateFrom` the keys
 * cannot be known. A SealedSecret (bitnami.com/v1alpha1) makes a Secret of its own name (or
 * `spec.template.metadata.name`) with the keys of `spec.encryptedData` and `spec.template.data`.
 * Only names and key names are read, never a value.
 */
import type { KubeObject } from './objects.ts';
import { asRecord } from './objects.ts';
import { parseApiVersion } from './api.ts';

/** A Secret that an object will create, reduced to names. */
export interface SecretProducer {
  /** `ExternalSecret` or `SealedSecret`. */
  readonly kind: string;
  readonly namespace: string;
  /** The producer's own name. */
  readonly name: string;
  /** The name of the Secret it creates. */
  readonly secretName: string;
  /** The keys the Secret will have (sorted), or undefined when they cannot be known. */
  readonly keys: readonly string[] | undefined;
  /** Why the keys cannot be known (`spec.dataFrom`), when they cannot. */
  readonly keysUnknownBecause?: string;
}

/** A producer kind with the API groups and versions that serve it (newest first). */
export interface ProducerKind {
  readonly kind: string;
  readonly group: string;
  readonly versions: readonly string[];
}

/** The producer kinds this project understands. */
export const SECRET_PRODUCER_KINDS: readonly ProducerKind[] = [
  { kind: 'ExternalSecret', group: 'external-secrets.io', versions: ['v1', 'v1beta1'] },
  { kind: 'SealedSecret', group: 'bitnami.com', versions: ['v1alpha1'] },
];

/** The producer kind of an object, read from its apiVersion and kind. */
function producerKindOf(o: KubeObject): ProducerKind | undefined {
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return undefined;
  const { group, version } = parseApiVersion(o.apiVersion);
  return SECRET_PRODUCER_KINDS.find((k) => k.kind === o.kind && k.group === group && k.versions.includes(version));
}

/** The Secret an object creates, or undefined when it is not a producer this project knows. */
export function secretProducer(o: KubeObject): SecretProducer | undefined {
  const kind = producerKindOf(o);
  if (!kind) return undefined;
  const name = o.metadata?.name ?? '';
  const base = { kind: kind.kind, namespace: o.metadata?.namespace ?? '', name };
  const spec = asRecord(o['spec']);
  if (kind.kind === 'ExternalSecret') {
    const target = asRecord(spec['target']);
    const template = asRecord(target['template']);
    const secretName = str(target['name']) || name;
    const unknown = nonEmpty(spec['dataFrom'])
      ? 'spec.dataFrom'
      : nonEmpty(template['templateFrom'])
        ? 'spec.target.template.templateFrom'
        : undefined;
    if (unknown) return { ...base, secretName, keys: undefined, keysUnknownBecause: unknown };
    const dataKeys = Array.isArray(spec['data'])
      ? spec['data'].map((d) => str(asRecord(d)['secretKey'])).filter((k): k is string => !!k)
      : [];
    return { ...base, secretName, keys: sortedUnique([...dataKeys, ...Object.keys(asRecord(template['data']))]) };
  }
  const template = asRecord(spec['template']);
  const secretName = str(asRecord(template['metadata'])['name']) || name;
  return {
    ...base,
    secretName,
    keys: sortedUnique([...Object.keys(asRecord(spec['encryptedData'])), ...Object.keys(asRecord(template['data']))]),
  };
}

/** `ExternalSecret "slack"`: how messages name a producer. */
export function producerLabel(p: SecretProducer): string {
  return `${p.kind} ${JSON.stringify(p.name)}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null;
}

function sortedUnique(keys: string[]): string[] {
  return [...new Set(keys)].sort();
}
