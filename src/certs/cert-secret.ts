/**
 * The Secret that holds the self-managed certificates: `tls.crt`/`tls.key` (the serving
 * certificate), `ca.crt`/`ca.key` (the CA that signs new serving certificates) and
 * `ca-bundle.crt` (every CA still trusted: the current one and, during a rotation, the previous).
 */
import type { KubeObject } from '../flux/objects.ts';

/** The decoded contents. */
export interface CertSecretData {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  readonly caKeyPem: string;
  readonly bundlePem: string;
}

const KEYS = {
  certPem: 'tls.crt',
  keyPem: 'tls.key',
  caPem: 'ca.crt',
  caKeyPem: 'ca.key',
  bundlePem: 'ca-bundle.crt',
} as const;

/** Reads a Secret; undefined when a key is missing. */
export function readCertSecret(secret: KubeObject): CertSecretData | undefined {
  const data = (secret['data'] ?? {}) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS)) {
    const v = data[key];
    if (typeof v !== 'string') return undefined;
    out[field] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out as unknown as CertSecretData;
}

/** The Secret object for `data` (type kubernetes.io/tls, so tools recognise tls.crt/tls.key). */
export function certSecret(namespace: string, name: string, d: CertSecretData, resourceVersion?: string): KubeObject {
  const data: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS))
    data[key] = Buffer.from(d[field as keyof CertSecretData], 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'notify-guard' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data,
  };
}
