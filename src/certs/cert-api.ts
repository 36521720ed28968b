/**
 * The API calls of certificate self-management: the certificate Secret (get, create, update with
 * the read resourceVersion) and the two webhook configurations (get, JSON patch). Watches are in
 * self-managed.ts. docs/certificates.md lists the RBAC these need; test/e2e/certificate-rbac.test.ts
 * checks the list against the calls made.
 */
import type { KubeApi } from '../cluster/kube-api.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { WebhookConfigKind, WebhookConfigs } from './ca-injection.ts';
import { WEBHOOK_CONFIG_PATHS } from './ca-injection.ts';
import type { CertSecretData } from './cert-secret.ts';
import { certSecret, readCertSecret } from './cert-secret.ts';

/** The Secret as read: its contents (undefined when missing or incomplete) and version. */
export interface SecretState {
  readonly data: CertSecretData | undefined;
  readonly resourceVersion: string | undefined;
  readonly exists: boolean;
}

/** Access to the certificate Secret and the webhook configurations. */
export interface CertApi {
  readonly secretPath: string;
  readSecret(): Promise<SecretState>;
  /** Creates or updates (guarded by `prior.resourceVersion`); the new state, or undefined on a conflict. */
  writeSecret(data: CertSecretData, prior: SecretState): Promise<SecretState | undefined>;
  readConfigs(): Promise<WebhookConfigs>;
  /** Applies a JSON patch to one configuration; its HTTP status. */
  patchConfig(kind: WebhookConfigKind, patch: readonly object[]): Promise<number>;
}

/** The calls for the Secret `namespace/secretName` and the configurations named `configName`. */
export function createCertApi(api: KubeApi, o: { namespace: string; secretName: string; configName: string }): CertApi {
  const secretPath = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/secrets`;
  const secretUrl = `${secretPath}/${encodeURIComponent(o.secretName)}`;
  const where = `Secret ${o.namespace}/${o.secretName}`;
  const configUrl = (kind: WebhookConfigKind) => `${WEBHOOK_CONFIG_PATHS[kind]}/${encodeURIComponent(o.configName)}`;
  const stateOf = (obj: KubeObject): SecretState => ({
    data: readCertSecret(obj),
    resourceVersion: obj.metadata?.['resourceVersion'] as string | undefined,
    exists: true,
  });
  return {
    secretPath,
    async readSecret() {
      const r = await api.request('GET', secretUrl);
      if (r.status === 404) return { data: undefined, resourceVersion: undefined, exists: false };
      if (r.status !== 200) throw new Error(`reading ${where}: HTTP ${r.status}`);
      return stateOf(r.body as KubeObject);
    },
    async writeSecret(data, prior) {
      const body = certSecret(o.namespace, o.secretName, data, prior.resourceVersion);
      const r = prior.exists
        ? await api.request('PUT', secretUrl, { body })
        : await api.request('POST', secretPath, { body });
      if (r.status === 409) return undefined;
      if (r.status !== 200 && r.status !== 201) throw new Error(`writing ${where}: HTTP ${r.status}`);
      return stateOf(r.body as KubeObject);
    },
    async readConfigs() {
      const out = new Map<WebhookConfigKind, KubeObject | undefined>();
      for (const kind of Object.keys(WEBHOOK_CONFIG_PATHS) as WebhookConfigKind[]) {
        const r = await api.request('GET', configUrl(kind));
        out.set(kind, r.status === 200 ? (r.body as KubeObject) : undefined);
      }
      return out;
    },
    async patchConfig(kind, patch) {
      const r = await api.request('PATCH', configUrl(kind), {
        body: patch,
        contentType: 'application/json-patch+json',
      });
      return r.status;
    },
  };
}
