/**
 * An in-memory, indexed store of the objects a ClusterView serves. Both the static view and the
 * informer-backed view feed it with `upsert`/`remove`; every read is a map lookup.
 * Secrets are stored as facts only: the store never sees a Secret value.
 */
import type { ClusterView, SecretReference } from './cluster-view.ts';
import type { KubeObject, ObjectMeta } from '../flux/objects.ts';
import { PROVIDER_SECRET_REFS, alertView, providerSecretRef, providerView } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import { secretFacts } from '../flux/secret-facts.ts';
import { SOURCE_KIND_GROUPS } from '../flux/api.ts';
import type { SecretProducer } from '../flux/secret-producers.ts';
import { secretProducer } from '../flux/secret-producers.ts';
import { MultiIndex } from './multi-index.ts';
import { compactJson, intern } from './compact-json.ts';
import type { SourceOrigin } from './source-origin.ts';
import { sourceOrigin } from './source-origin.ts';

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** Annotations of a Flux object that Flux copies into its events' metadata. */
export const EVENT_ANNOTATION_PREFIX = 'event.toolkit.fluxcd.io/';

/**
 * What the index keeps of an Alert or Provider: identity, labels, the spec and the status
 * conditions. managedFields and the last-applied annotation (often larger than the object) are
 * dropped, and what is kept is a compact copy (strings shared across objects, no reference into
 * the parsed list or file), which keeps a 30,000-object cluster well under 200 MB.
 */
function slim(obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  const meta: ObjectMeta = { name: intern(m.name ?? ''), namespace: intern(m.namespace ?? '') };
  if (m.uid) meta.uid = m.uid;
  if (m.labels) meta.labels = compactJson(m.labels);
  if (m.annotations) {
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _dropped, ...rest } = m.annotations;
    if (Object.keys(rest).length > 0) meta.annotations = compactJson(rest);
  }
  const out: KubeObject = {
    apiVersion: compactJson(obj.apiVersion),
    kind: compactJson(obj.kind),
    metadata: meta,
    spec: compactJson(obj['spec']),
  };
  const conditions = (obj['status'] as { conditions?: unknown } | undefined)?.conditions;
  if (conditions) out['status'] = { conditions: compactJson(conditions) };
  return out;
}

/** Counts of stored objects by kind, for metrics. */
export type ObjectCounts = Record<'Alert' | 'Provider' | 'Secret' | 'Source' | 'SecretProducer', number>;

/** The indexed store; implements every lookup of ClusterView except `synced`. */
export class ObjectIndex implements ClusterView {
  private readonly alerts = new Map<string, KubeObject>();
  private readonly providers = new Map<string, KubeObject>();
  private readonly secrets = new Map<string, SecretFacts>();
  private readonly sources = new Map<string, Map<string, ObjectMeta>>();
  private readonly trackedSourceKinds = new Set<string>();
  private readonly providerNames = new MultiIndex();
  private readonly secretNames = new MultiIndex();
  private readonly alertsByProvider = new MultiIndex();
  private readonly alertsBySource = new MultiIndex();
  private readonly providersBySecret = new MultiIndex();
  /** Producers by `kind/namespace/name`, and the keys of those by the `namespace/name` of the Secret each creates. */
  private readonly producers = new Map<string, SecretProducer>();
  private readonly producersBySecret = new MultiIndex();
  /** GitRepository URLs and Kustomization sourceRefs by `kind/namespace/name` (source-origin.ts). */
  private readonly origins = new Map<string, SourceOrigin>();
  /** Labels of the Namespaces given (the static view: Namespace objects in `--cluster-dir`), for the conventions. */
  private readonly namespaces = new Map<string, Readonly<Record<string, string>>>();

  synced(): boolean {
    return true;
  }

  covers(): boolean {
    return true;
  }

  /** Adds or replaces an object by its kind; Secrets and Secret producers are reduced to facts first. */
  upsert(obj: KubeObject): void {
    const kind = obj.kind ?? '';
    const producer = secretProducer(obj);
    if (producer) this.putProducer(producer);
    else if (kind === 'Alert') this.putAlert(obj);
    else if (kind === 'Provider') this.putProvider(obj);
    else if (kind === 'Secret') this.putSecret(secretFacts(obj));
    else if (kind === 'Namespace' && obj.apiVersion === 'v1' && obj.metadata?.name)
      this.namespaces.set(obj.metadata.name, compactJson({ ...(obj.metadata.labels ?? {}) }));
    else if (kind in SOURCE_KIND_GROUPS) {
      this.putSource(kind, obj.metadata ?? {});
      this.putOrigin(kind, obj);
    }
  }

  /** Removes the object `kind` `namespace/name`, if stored. */
  remove(kind: string, namespace: string, name: string): void {
    const k = key(namespace, name);
    if (kind === 'Alert') this.dropAlert(k);
    else if (kind === 'Provider') this.dropProvider(k);
    else if (kind === 'Secret') this.dropSecret(k);
    else if (kind === 'Namespace') this.namespaces.delete(name);
    else if (this.producers.has(`${kind}/${k}`)) this.dropProducer(`${kind}/${k}`);
    else {
      this.sources.get(kind)?.delete(k);
      this.origins.delete(`${kind}/${k}`);
    }
  }

  /** The labels of Namespace `name`, when one was given (`upsert`); undefined otherwise. */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaces.get(name);
  }

  /** Declares that this index holds every object of a source kind. */
  trackSourceKind(kind: string): void {
    this.trackedSourceKinds.add(kind);
  }

  /** Stores facts about a Secret (values already dropped). */
  putSecret(facts: SecretFacts): void {
    // Facts with their strings shared across Secrets: the same fields, the same values.
    const f = compactJson(facts);
    const k = key(f.namespace, f.name);
    this.secrets.set(k, f);
    this.secretNames.add(f.name, f.namespace);
  }

  counts(): ObjectCounts {
    let source = 0;
    for (const m of this.sources.values()) source += m.size;
    return {
      Alert: this.alerts.size,
      Provider: this.providers.size,
      Secret: this.secrets.size,
      Source: source,
      SecretProducer: this.producers.size,
    };
  }

  getAlert(namespace: string, name: string): KubeObject | undefined {
    return this.alerts.get(key(namespace, name));
  }
  getProvider(namespace: string, name: string): KubeObject | undefined {
    return this.providers.get(key(namespace, name));
  }
  providerNamespaces(name: string): readonly string[] {
    return this.providerNames.get(name);
  }
  getSecret(namespace: string, name: string): SecretFacts | undefined {
    return this.secrets.get(key(namespace, name));
  }
  secretProducers(namespace: string, secretName: string): readonly SecretProducer[] {
    return this.producersBySecret
      .get(key(namespace, secretName))
      .map((k) => this.producers.get(k))
      .filter((p): p is SecretProducer => p !== undefined);
  }
  /** Every producer stored, in insertion order. */
  allSecretProducers(): readonly SecretProducer[] {
    return [...this.producers.values()];
  }
  secretNamespaces(name: string): readonly string[] {
    return this.secretNames.get(name);
  }
  alertsReferencingProvider(namespace: string, providerName: string): readonly KubeObject[] {
    const out: KubeObject[] = [];
    for (const k of this.alertsByProvider.get(key(namespace, providerName))) {
      const a = this.alerts.get(k);
      if (a) out.push(a);
    }
    return out;
  }
  alertsWatching(kind: string, namespace: string): readonly KubeObject[] {
    const out: KubeObject[] = [];
    for (const k of this.alertsBySource.get(`${kind}/${namespace}`)) {
      const a = this.alerts.get(k);
      if (a) out.push(a);
    }
    return out;
  }
  providersReferencingSecret(namespace: string, secretName: string): readonly SecretReference[] {
    const out: SecretReference[] = [];
    for (const k of this.providersBySecret.get(key(namespace, secretName))) {
      const provider = this.providers.get(k);
      if (!provider) continue;
      const view = providerView(provider);
      for (const field of PROVIDER_SECRET_REFS)
        if (providerSecretRef(view, field) === secretName) out.push({ provider, field });
    }
    return out;
  }
  tracksSourceKind(kind: string): boolean {
    return this.trackedSourceKinds.has(kind);
  }
  gitUrlOf(kind: string, namespace: string, name: string): string | undefined {
    const origin = this.origins.get(`${kind}/${key(namespace, name)}`);
    if (!origin) return undefined;
    if ('url' in origin) return origin.url;
    const ref = origin.sourceRef;
    const source =
      ref.kind === 'GitRepository' ? this.origins.get(`GitRepository/${key(ref.namespace, ref.name)}`) : undefined;
    return source && 'url' in source ? source.url : undefined;
  }
  getSource(kind: string, namespace: string, name: string): ObjectMeta | undefined {
    return this.sources.get(kind)?.get(key(namespace, name));
  }

  private putAlert(full: KubeObject): void {
    const obj = slim(full);
    const v = alertView(obj);
    const k = key(v.namespace, v.name);
    this.dropAlert(k);
    this.alerts.set(k, obj);
    this.alertsByProvider.add(key(v.namespace, v.providerName), k);
    for (const s of v.eventSources) this.alertsBySource.add(`${s.kind}/${s.namespace ?? v.namespace}`, k);
  }
  private dropAlert(k: string): void {
    const old = this.alerts.get(k);
    if (!old) return;
    const v = alertView(old);
    this.alertsByProvider.delete(key(v.namespace, v.providerName), k);
    for (const s of v.eventSources) this.alertsBySource.delete(`${s.kind}/${s.namespace ?? v.namespace}`, k);
    this.alerts.delete(k);
  }
  private putProvider(full: KubeObject): void {
    const obj = slim(full);
    const v = providerView(obj);
    const k = key(v.namespace, v.name);
    this.dropProvider(k);
    this.providers.set(k, obj);
    this.providerNames.add(v.name, v.namespace);
    for (const f of PROVIDER_SECRET_REFS) {
      const s = providerSecretRef(v, f);
      if (s) this.providersBySecret.add(key(v.namespace, s), k);
    }
  }
  private dropProvider(k: string): void {
    const old = this.providers.get(k);
    if (!old) return;
    const v = providerView(old);
    this.providerNames.delete(v.name, v.namespace);
    for (const f of PROVIDER_SECRET_REFS) {
      const s = providerSecretRef(v, f);
      if (s) this.providersBySecret.delete(key(v.namespace, s), k);
    }
    this.providers.delete(k);
  }
  private dropSecret(k: string): void {
    const old = this.secrets.get(k);
    if (!old) return;
    this.secretNames.delete(old.name, old.namespace);
    this.secrets.delete(k);
  }
  private putProducer(p: SecretProducer): void {
    const k = `${p.kind}/${key(p.namespace, p.name)}`;
    this.dropProducer(k);
    this.producers.set(k, p);
    this.producersBySecret.add(key(p.namespace, p.secretName), k);
  }
  private dropProducer(k: string): void {
    const old = this.producers.get(k);
    if (!old) return;
    this.producersBySecret.delete(key(old.namespace, old.secretName), k);
    this.producers.delete(k);
  }
  private putOrigin(kind: string, obj: KubeObject): void {
    const k = `${kind}/${key(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '')}`;
    const origin = sourceOrigin(kind, obj);
    if (origin) this.origins.set(k, origin);
    else this.origins.delete(k);
  }
  private putSource(kind: string, meta: ObjectMeta): void {
    let m = this.sources.get(kind);
    if (!m) this.sources.set(kind, (m = new Map()));
    const annotations = Object.fromEntries(
      Object.entries(meta.annotations ?? {}).filter(([k]) => k.startsWith(EVENT_ANNOTATION_PREFIX)),
    );
    const slim: ObjectMeta = compactJson({
      name: meta.name ?? '',
      namespace: meta.namespace ?? '',
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    });
    m.set(key(slim.namespace ?? '', slim.name ?? ''), slim);
  }
}
