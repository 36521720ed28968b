/**
 * Builders for the Kubernetes objects tests use, as the API server would hold them.
 */
import type { KubeObject } from '../../src/flux/objects.ts';

export const REAL_URL = 'https://hooks.slack.com/services/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';
export const PLACEHOLDER_URL = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

export function alert(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  meta: Record<string, unknown> = {},
  version = 'v1beta3',
): KubeObject {
  return {
    apiVersion: `notification.toolkit.fluxcd.io/${version}`,
    kind: 'Alert',
    metadata: { name, namespace, ...meta },
    spec,
  };
}

export function provider(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  version = 'v1beta3',
): KubeObject {
  return {
    apiVersion: `notification.toolkit.fluxcd.io/${version}`,
    kind: 'Provider',
    metadata: { name, namespace },
    spec,
  };
}

/** A Secret as the API server serves it: `data` base64-encoded. */
export function secret(namespace: string, name: string, values: Record<string, string>): KubeObject {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) data[k] = Buffer.from(v).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data };
}

export function source(kind: string, namespace: string, name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace, ...(labels ? { labels } : {}) } };
}

/** A slack Provider `slack` in `ns` reading Secret `slack-url`. */
export function slackProvider(ns = 'apps', extra: Record<string, unknown> = {}): KubeObject {
  return provider(ns, 'slack', { type: 'slack', secretRef: { name: 'slack-url' }, ...extra });
}

/**
 * One Slack destination in `ns` as the relay tests set it up: Secret `slack-url` holding `address`,
 * the Provider `slack` reading it, and an Alert `all` on every Kustomization of the namespace.
 */
export function slackDestination(ns: string, address: string): KubeObject[] {
  return [
    secret(ns, 'slack-url', { address }),
    slackProvider(ns),
    alert(ns, 'all', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
  ];
}
