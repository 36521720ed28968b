/**
 * Flux's notification CRD schemas (copied into test/fixtures/flux-crds from Flux releases) used
 * as the API server uses them: `applyCrdDefaults` fills `default:` values as the API server does
 * while decoding, and `crdSchemaErrors` validates an object against a served version.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { KubeObject } from '../../src/flux/objects.ts';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'flux-crds');

type Schema = Record<string, unknown>;

interface CrdVersion {
  readonly name: string;
  readonly schema: { openAPIV3Schema: Schema };
}

/** The schema of `kind` at `version` from a release folder (`current`, `v1.6.0-...`). */
export function crdSchema(release: string, kind: 'Alert' | 'Provider', version: string): Schema {
  const file = `notification.toolkit.fluxcd.io_${kind.toLowerCase()}s.yaml`;
  const crd = parse(readFileSync(join(ROOT, release, file), 'utf8')) as { spec: { versions: CrdVersion[] } };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${release}/${file} does not serve ${version}`);
  return v.schema.openAPIV3Schema;
}

/** Every (release, kind, version) the fixtures hold. */
export function servedVersions(): { release: string; kind: 'Alert' | 'Provider'; version: string }[] {
  const out: { release: string; kind: 'Alert' | 'Provider'; version: string }[] = [];
  for (const release of readdirSync(ROOT).sort()) {
    for (const kind of ['Alert', 'Provider'] as const) {
      const crd = parse(
        readFileSync(join(ROOT, release, `notification.toolkit.fluxcd.io_${kind.toLowerCase()}s.yaml`), 'utf8'),
      ) as { spec: { versions: CrdVersion[] } };
      for (const v of crd.spec.versions) out.push({ release, kind, version: v.name });
    }
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
const compiled = new Map<Schema, ValidateFunction>();

/** Schema errors of `obj` (`/spec/eventSeverity must be equal to one of the allowed values`), empty when valid. */
export function crdSchemaErrors(schema: Schema, obj: KubeObject): string[] {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(stripExtensions(schema) as Schema)));
  return validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Applies `default:` values for absent properties, recursively, as the API server does on decode. */
export function applyCrdDefaults(schema: Schema, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema['items'] as Schema | undefined;
    return items ? value.map((v) => applyCrdDefaults(items, v)) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const props = (schema['properties'] ?? {}) as Record<string, Schema>;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, s] of Object.entries(props)) {
    if (out[k] === undefined && s['default'] !== undefined) out[k] = structuredClone(s['default']);
    if (out[k] !== undefined) out[k] = applyCrdDefaults(s, out[k]);
  }
  return out;
}

function stripExtensions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripExtensions);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('x-kubernetes-')) out[k] = stripExtensions(x);
  return out;
}
