/**
 * Where the relay reads a Provider's Secret values when it sends (never earlier, never logged):
 * from the manifests of `--cluster-dir` (local use), or from the API server (in a cluster), with
 * a short cache either way so a burst does not re-read the same Secret per message.
 */
import type { KubeApi } from '../cluster/kube-api.ts';
import { stat } from 'node:fs/promises';
import { loadManifests, manifestFiles } from '../cluster/manifests.ts';
import type { KubeObject } from '../flux/objects.ts';
import { asRecord } from '../flux/objects.ts';

/** Decoded values of a Secret, or undefined when it does not exist. */
export interface SecretValues {
  get(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** Decodes `data` (base64) with `stringData` on top, as the API server merges them. */
export function decodeSecretValues(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(obj['data'])))
    if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(asRecord(obj['stringData']))) if (typeof v === 'string') out[k] = v;
  return out;
}

function cached(
  ttlMs: number,
  load: (ns: string, name: string) => Promise<Record<string, string> | undefined>,
): SecretValues {
  const cache = new Map<string, { at: number; value: Promise<Record<string, string> | undefined> }>();
  return {
    get(ns, name) {
      const key = `${ns}/${name}`;
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(ns, name);
      cache.set(key, { at: Date.now(), value });
      value.catch(() => cache.delete(key));
      return value;
    },
  };
}

/**
 * Values from the Secrets among the manifests under `dir`, for all Secrets together. Every
 * `ttlMs` the files are stat'ed; they are parsed again only when one changed (parsing on every
 * expiry stalled the event loop; one parse per Secret made it worse).
 */
export function manifestSecretValues(dir: string, ttlMs = 5_000): SecretValues {
  let snapshot:
    { at: number; signature: Promise<string>; values: Promise<Map<string, Record<string, string>>> } | undefined;
  const signatureOf = async () => {
    const files = await manifestFiles(dir);
    const stats = await Promise.all(
      files.map(async (f) => {
        const s = await stat(f);
        return `${f}:${s.mtimeMs}:${s.size}`;
      }),
    );
    return stats.join('\n');
  };
  const load = async () => {
    const values = new Map<string, Record<string, string>>();
    for (const { object } of await loadManifests(dir)) {
      if (object.kind === 'Secret')
        values.set(
          `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`,
          decodeSecretValues(object),
        );
    }
    return values;
  };
  return {
    async get(ns, name) {
      if (!snapshot) {
        snapshot = { at: Date.now(), signature: signatureOf(), values: load() };
      } else if (Date.now() - snapshot.at >= ttlMs) {
        const previous = snapshot;
        const signature = signatureOf();
        snapshot = {
          at: Date.now(),
          signature,
          values: Promise.all([signature, previous.signature]).then(([now, before]) =>
            now === before ? previous.values : load(),
          ),
        };
      }
      const current = snapshot;
      current.values.catch(() => {
        if (snapshot === current) snapshot = undefined;
      });
      return (await current.values).get(`${ns}/${name}`);
    },
  };
}

/** Values read from the API server (GET), cached for `ttlMs`. */
export function apiSecretValues(api: KubeApi, ttlMs = 30_000): SecretValues {
  return cached(ttlMs, async (ns, name) => {
    const r = await api.request(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(name)}`,
      { timeoutMs: 5_000 },
    );
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`reading Secret ${ns}/${name}: HTTP ${r.status}`);
    return decodeSecretValues(r.body as KubeObject);
  });
}
