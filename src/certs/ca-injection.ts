/**
 * caBundle injection into the ValidatingWebhookConfiguration and MutatingWebhookConfiguration:
 * a JSON patch that sets `webhooks[i].clientConfig.caBundle` on every entry, guarded by a `test`
 * of the resourceVersion so a concurrent edit of the webhook list is never overwritten blindly;
 * and what the injected bundles trust. Pure.
 */
import type { KubeObject } from '../flux/objects.ts';
import { bundleTrusts, splitBundle } from './ca-bundle.ts';

/** The two configuration kinds and their collection paths. */
export const WEBHOOK_CONFIG_PATHS = {
  ValidatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
  MutatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
} as const;

export type WebhookConfigKind = keyof typeof WEBHOOK_CONFIG_PATHS;

interface WebhookEntry {
  clientConfig?: { caBundle?: string };
}

/** The caBundle values of each webhook entry. */
export function injectedBundles(config: KubeObject): (string | undefined)[] {
  return ((config['webhooks'] ?? []) as WebhookEntry[]).map((w) => w.clientConfig?.caBundle);
}

/** JSON patch that sets every entry's caBundle to `caBundleB64`; empty when all already match. */
export function injectionPatch(config: KubeObject, caBundleB64: string): object[] {
  const bundles = injectedBundles(config);
  if (bundles.length === 0 || bundles.every((b) => b === caBundleB64)) return [];
  const ops: object[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: config.metadata?.['resourceVersion'] },
  ];
  const entries = (config['webhooks'] ?? []) as WebhookEntry[];
  entries.forEach((w, i) => {
    if (!w.clientConfig) ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig`, value: { caBundle: caBundleB64 } });
    else if (w.clientConfig.caBundle !== caBundleB64)
      ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundleB64 });
  });
  return ops;
}

/** The webhook configurations as read, by kind (undefined: not found). */
export type WebhookConfigs = ReadonlyMap<WebhookConfigKind, KubeObject | undefined>;

/** Why the injected caBundles do not all trust `certPem` yet, or undefined when they do. */
export function injectionProblem(configs: WebhookConfigs, name: string, certPem: string): string | undefined {
  for (const [kind, config] of configs) {
    if (!config) return `${kind} ${name} not found`;
    const bundles = injectedBundles(config);
    if (bundles.length === 0) return `${kind} ${name} has no webhooks`;
    if (!bundles.every((b) => b !== undefined && bundleTrusts(Buffer.from(b, 'base64').toString('utf8'), certPem))) {
      return `the caBundle of ${kind} ${name} does not yet trust the serving certificate`;
    }
  }
  return undefined;
}

/** True when every webhook of every configuration carries a caBundle that holds the CA `caPem`. */
export function injectedEverywhere(configs: WebhookConfigs, caPem: string): boolean {
  const wanted = splitBundle(caPem)[0];
  return [...configs.values()].every(
    (config) =>
      config !== undefined &&
      injectedBundles(config).length > 0 &&
      injectedBundles(config).every(
        (b) => b !== undefined && splitBundle(Buffer.from(b, 'base64').toString('utf8')).includes(wanted!),
      ),
  );
}
