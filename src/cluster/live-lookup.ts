/**
 * A bounded live GET of one Provider or Secret, made before the webhook denies because the
 * object seems missing: `kubectl apply -f` of a Provider followed by its Alert sends the Alert
 * milliseconds after the Provider exists, before the watch event arrives.
 */
import type { KubeApi } from './kube-api.ts';
import type { KubeObject } from '../flux/objects.ts';
import { NOTIFICATION_GROUP } from '../flux/api.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import { secretFacts } from '../flux/secret-facts.ts';

/** A reference a rule found missing. */
export interface MissingRef {
  readonly kind: 'Provider' | 'Secret';
  readonly namespace: string;
  readonly name: string;
}

/** The answer of a lookup: the object (a Secret as facts), absent, or unknown (error, timeout). */
export type LookupResult =
  | { readonly result: 'found'; readonly object: KubeObject | SecretFacts }
  | { readonly result: 'absent' }
  | { readonly result: 'unknown'; readonly reason: string };

/** Looks objects up live. */
export interface LiveLookup {
  lookup(ref: MissingRef): Promise<LookupResult>;
}

/** Live lookups in flight at most; beyond that a miss is answered 'unknown' without a GET. */
export const MAX_LOOKUPS_IN_FLIGHT = 16;

/**
 * Creates the lookup against the API server; Secret values are reduced to facts at once.
 * Concurrent lookups of the same object share one GET, and at most MAX_LOOKUPS_IN_FLIGHT run at
 * once, so a burst of denials cannot become a burst of API calls.
 */
export function createLiveLookup(
  api: KubeApi,
  o: { notificationVersion: string; timeoutMs: number; maxInFlight?: number },
): LiveLookup {
  const inFlight = new Map<string, Promise<LookupResult>>();
  const max = o.maxInFlight ?? MAX_LOOKUPS_IN_FLIGHT;
  return {
    lookup(ref) {
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
      const shared = inFlight.get(key);
      if (shared) return shared;
      if (inFlight.size >= max)
        return Promise.resolve({ result: 'unknown', reason: `more than ${max} live lookups in flight` });
      const p = fetchOne(ref).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
  };

  async function fetchOne(ref: MissingRef): Promise<LookupResult> {
    const ns = encodeURIComponent(ref.namespace);
    const name = encodeURIComponent(ref.name);
    const path =
      ref.kind === 'Secret'
        ? `/api/v1/namespaces/${ns}/secrets/${name}`
        : `/apis/${NOTIFICATION_GROUP}/${o.notificationVersion}/namespaces/${ns}/providers/${name}`;
    try {
      const r = await api.request('GET', path, { timeoutMs: o.timeoutMs });
      if (r.status === 404) return { result: 'absent' };
      if (r.status !== 200) return { result: 'unknown', reason: `HTTP ${r.status}` };
      const obj = r.body as KubeObject;
      return {
        result: 'found',
        object: ref.kind === 'Secret' ? secretFacts({ ...obj, kind: 'Secret' }) : { ...obj, kind: 'Provider' },
      };
    } catch (err) {
      return {
        result: 'unknown',
        reason: (err as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (err as Error).message,
      };
    }
  }
}
