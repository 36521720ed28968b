/**
 * Carries out `planCertificates` for the Lease holder, one pass at an instant: Secret changes
 * first (a new CA and serving certificate, a rebuilt bundle, a CA rotation), written with the read
 * resourceVersion; then, planning again from the Secret as written, caBundle injection and the
 * serving certificate's renewal. A conflict ends the pass (the next one reads afresh).
 */
import type { Logger } from '../observability/logger.ts';
import type { CertMetrics } from '../observability/cert-metrics.ts';
import { buildBundle } from './ca-bundle.ts';
import type { CertApi, SecretState } from './cert-api.ts';
import type { CertSecretData } from './cert-secret.ts';
import { createCA, createServingCertificate } from './certificates.ts';
import type { CertAction, PlanSettings } from './rotation-plan.ts';
import { planCertificates } from './rotation-plan.ts';

/** What a pass needs besides the instant. */
export interface ExecutorOptions extends PlanSettings {
  readonly io: CertApi;
  readonly log: Logger;
  readonly metrics: CertMetrics | undefined;
  readonly caValidityDays: number;
  readonly leafValidityDays: number;
  readonly configName: string;
}

/** Runs one holder's pass at `at`. */
export async function runLeaderPass(o: ExecutorOptions, at: Date): Promise<void> {
  let state = await o.io.readSecret();
  const configs = await o.io.readConfigs();
  let actions = planCertificates(state.data, configs, at, o);
  if (actions.some(changesSecret)) {
    const written = await o.io.writeSecret(await applyToSecret(o, state.data, actions, at), state);
    if (!written) return;
    state = written;
    actions = planCertificates(state.data, configs, at, o);
    // Accepted lifetimes (cert-settings.ts) make this unreachable: a certificate is never due when made.
    if (actions.some(changesSecret))
      throw new Error(
        `a certificate made at ${at.toISOString()} is already due: ${actions.map((a) => a.type).join(', ')}`,
      );
  }
  for (const a of actions) {
    if (a.type === 'inject') await inject(o, a.kind, a.patch);
    if (a.type === 'renew-serving') await renewServing(o, state, a.reason, at);
  }
}

function changesSecret(a: CertAction): boolean {
  return a.type === 'create' || a.type === 'rebuild-bundle' || a.type === 'rotate-ca';
}

async function applyToSecret(
  o: ExecutorOptions,
  data: CertSecretData | undefined,
  actions: readonly CertAction[],
  at: Date,
): Promise<CertSecretData> {
  if (!data || actions.some((a) => a.type === 'create')) {
    const ca = await createCA({ now: at, validityDays: o.caValidityDays });
    const leaf = await newLeaf(o, ca, at);
    o.metrics?.rotations.inc({ certificate: 'ca' });
    o.log.info('created CA and serving certificate');
    return {
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      caPem: ca.certPem,
      caKeyPem: ca.keyPem,
      bundlePem: buildBundle([ca.certPem], at),
    };
  }
  let next = data;
  for (const a of actions) {
    if (a.type === 'rebuild-bundle') next = { ...next, bundlePem: a.bundlePem };
    if (a.type === 'rotate-ca') {
      const ca = await createCA({ now: at, validityDays: o.caValidityDays });
      o.metrics?.rotations.inc({ certificate: 'ca' });
      o.log.info('rotating the CA: the new CA joins the caBundle; serving certificates move to it once it is injected');
      next = {
        ...next,
        caPem: ca.certPem,
        caKeyPem: ca.keyPem,
        bundlePem: buildBundle([next.bundlePem, ca.certPem], at),
      };
    }
  }
  return next;
}

async function inject(
  o: ExecutorOptions,
  kind: Extract<CertAction, { type: 'inject' }>['kind'],
  patch: readonly object[],
): Promise<void> {
  const status = await o.io.patchConfig(kind, patch);
  if (status === 200) {
    o.metrics?.injections.inc({ kind });
    o.log.info({ kind, name: o.configName }, 'caBundle injected');
  } else {
    o.log.warn({ kind, status }, 'caBundle injection failed; retrying');
  }
}

async function renewServing(o: ExecutorOptions, state: SecretState, reason: string, at: Date): Promise<void> {
  const data = state.data!;
  const leaf = await newLeaf(o, { certPem: data.caPem, keyPem: data.caKeyPem }, at);
  if (await o.io.writeSecret({ ...data, certPem: leaf.certPem, keyPem: leaf.keyPem }, state))
    o.log.info({ reason }, 'serving certificate renewed');
}

function newLeaf(
  o: ExecutorOptions,
  ca: { certPem: string; keyPem: string },
  at: Date,
): Promise<{ certPem: string; keyPem: string }> {
  o.metrics?.rotations.inc({ certificate: 'serving' });
  return createServingCertificate({ ca, now: at, validityDays: o.leafValidityDays, hosts: o.hosts });
}
