/**
 * Views over a ClusterView: on the admission path, one records which Providers and Secrets a rule
 * looked for and did not find, one adds objects found by live lookups; for the relay, one that is
 * synced only once something else it depends on is ready too.
 */
import type { ClusterView } from './cluster-view.ts';
import type { MissingRef } from './live-lookup.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';

/** A view that remembers its misses. */
export function recordMisses(base: ClusterView): { view: ClusterView; misses(): MissingRef[] } {
  const misses = new Map<string, MissingRef>();
  const note = (kind: MissingRef['kind'], namespace: string, name: string) =>
    misses.set(`${kind}/${namespace}/${name}`, { kind, namespace, name });
  const view: ClusterView = Object.create(base);
  view.getProvider = (ns, n) => base.getProvider(ns, n) ?? (note('Provider', ns, n), undefined);
  view.getSecret = (ns, n) => base.getSecret(ns, n) ?? (note('Secret', ns, n), undefined);
  return { view, misses: () => [...misses.values()] };
}

/** A view in which the given Providers (objects) and Secrets (facts) exist too. */
export function withFound(base: ClusterView, found: readonly (KubeObject | SecretFacts)[]): ClusterView {
  const providers = new Map<string, KubeObject>();
  const secrets = new Map<string, SecretFacts>();
  for (const f of found) {
    if (isSecretFacts(f)) secrets.set(`${f.namespace}/${f.name}`, f);
    else providers.set(`${f.metadata?.namespace ?? ''}/${f.metadata?.name ?? ''}`, f);
  }
  const view: ClusterView = Object.create(base);
  view.getProvider = (ns, n) => providers.get(`${ns}/${n}`) ?? base.getProvider(ns, n);
  view.getSecret = (ns, n) => secrets.get(`${ns}/${n}`) ?? base.getSecret(ns, n);
  return view;
}

/** A view that counts as synced only while `ready()` also holds. */
export function gatedOn(base: ClusterView, ready: () => boolean): ClusterView {
  const view: ClusterView = Object.create(base);
  view.synced = () => base.synced() && ready();
  return view;
}

function isSecretFacts(f: KubeObject | SecretFacts): f is SecretFacts {
  return Array.isArray((f as SecretFacts).keys) && !('metadata' in f);
}
