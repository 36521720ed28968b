/**
 * Plays kube-apiserver's part in admission: POSTs AdmissionReview v1 over TLS, trusting only
 * the caBundle and verifying the certificate for `<service>.<namespace>.svc`, as the API
 * server does when it calls a webhook through a Service.
 */
import { request } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../src/flux/objects.ts';
import type { AdmissionResponse, AdmissionReview } from '../../src/admission/review.ts';

export const SERVICE_HOST = 'notify-guard-webhook.notify-guard-system.svc';

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Sends raw bytes to `path`; resolves with status, content type and body. */
export function post(
  port: number,
  caPem: string,
  path: string,
  body: string | Buffer,
  servername = SERVICE_HOST,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca: caPem,
        servername,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** GETs `path` over TLS. */
export function get(port: number, caPem: string, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', ca: caPem, servername: SERVICE_HOST },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** What one admission call is about. */
export interface ReviewSpec {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly object?: KubeObject;
  readonly oldObject?: KubeObject;
  readonly dryRun?: boolean;
  readonly uid?: string;
}

/** Builds the AdmissionReview the API server would send for a change to a Flux or core object. */
export function buildReview(s: ReviewSpec): AdmissionReview {
  const subject = s.object ?? s.oldObject!;
  const [group, version] = subject.apiVersion!.includes('/')
    ? (subject.apiVersion!.split('/') as [string, string])
    : ['', subject.apiVersion!];
  const kind = subject.kind!;
  const resource = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: s.uid ?? randomUUID(),
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      name: subject.metadata?.name ?? '',
      namespace: subject.metadata?.namespace ?? '',
      operation: s.operation,
      userInfo: { username: 'jane@example.com', groups: ['system:authenticated'] },
      object: s.object ?? null,
      oldObject: s.oldObject ?? null,
      dryRun: s.dryRun ?? false,
    },
  };
}

/** Sends one review to `/validate` or `/mutate` and returns its response, checking the envelope. */
export async function review(
  port: number,
  caPem: string,
  webhook: 'validate' | 'mutate',
  s: ReviewSpec,
): Promise<AdmissionResponse> {
  const sent = buildReview(s);
  const raw = await post(port, caPem, `/${webhook}`, JSON.stringify(sent));
  if (raw.status !== 200) throw new Error(`/${webhook} answered ${raw.status}: ${raw.body}`);
  const got = JSON.parse(raw.body) as AdmissionReview;
  if (got.apiVersion !== 'admission.k8s.io/v1' || got.kind !== 'AdmissionReview')
    throw new Error(`not an AdmissionReview: ${raw.body}`);
  if (got.response?.uid !== sent.request!.uid)
    throw new Error(`uid ${got.response?.uid} does not echo ${sent.request!.uid}`);
  return got.response;
}
