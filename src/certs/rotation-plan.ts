/**
 * What the Lease holder does to the certificate Secret and the webhook configurations at an
 * instant, as data: `planCertificates(secret, configs, at)` is pure (the instant is a parameter,
 * as in cert-controller's rotator), and self-managed.ts executes the actions. Each point below is
 * pinned by rotation-plan.test.ts at the exact instant:
 * - no Secret (or one missing a key): create a CA and a serving certificate;
 * - the bundle holds the current CA and every unexpired earlier one, nothing else;
 * - the CA rotates at its `renewalPoint` (certificates.ts: `--cert-renew-before-days` before it
 *   expires or at two thirds of its life, whichever is sooner): the new CA joins the bundle;
 * - every webhook of both configurations carries the bundle;
 * - the serving certificate is renewed at its `renewalPoint`, when the hosts change, and when it
 *   is not from the current CA; in that last case only once the configurations as read hold the
 *   current CA (the second phase of a CA rotation, so no client sees a certificate it cannot verify).
 * Secret changes come first and alone: once done, the executor plans again with the new Secret.
 */
import { buildBundle, bundleTrusts, toCaBundleField } from './ca-bundle.ts';
import type { WebhookConfigKind, WebhookConfigs } from './ca-injection.ts';
import { injectedEverywhere, injectionPatch } from './ca-injection.ts';
import type { CertSecretData } from './cert-secret.ts';
import { certificateHosts, needsRenewal } from './certificates.ts';

/** What the plan depends on besides the state. */
export interface PlanSettings {
  /** DNS names (and IPs) of the serving certificate. */
  readonly hosts: readonly string[];
  readonly renewBeforeMs: number;
}

/** Why the serving certificate is renewed. */
export type RenewReason = 'new CA' | 'hosts changed' | 'expiry ahead';

/** One step for the executor. */
export type CertAction =
  | { readonly type: 'create' }
  | { readonly type: 'rebuild-bundle'; readonly bundlePem: string }
  | { readonly type: 'rotate-ca' }
  | { readonly type: 'inject'; readonly kind: WebhookConfigKind; readonly patch: readonly object[] }
  | { readonly type: 'renew-serving'; readonly reason: RenewReason };

/** The actions due at `at` for the Secret's contents `secret` and the configurations as read. */
export function planCertificates(
  secret: CertSecretData | undefined,
  configs: WebhookConfigs,
  at: Date,
  s: PlanSettings,
): CertAction[] {
  if (!secret) return [{ type: 'create' }];
  const secretActions = planSecret(secret, at, s);
  if (secretActions.length > 0) return secretActions;
  const actions: CertAction[] = [];
  const desired = toCaBundleField(secret.bundlePem);
  for (const [kind, config] of configs) {
    const patch = config ? injectionPatch(config, desired) : [];
    if (patch.length > 0) actions.push({ type: 'inject', kind, patch });
  }
  const reason = servingRenewal(secret, at, s);
  if (reason && (reason !== 'new CA' || injectedEverywhere(configs, secret.caPem)))
    actions.push({ type: 'renew-serving', reason });
  return actions;
}

function planSecret(secret: CertSecretData, at: Date, s: PlanSettings): CertAction[] {
  const actions: CertAction[] = [];
  const bundlePem = buildBundle([secret.bundlePem, secret.caPem], at);
  if (bundlePem !== secret.bundlePem) actions.push({ type: 'rebuild-bundle', bundlePem });
  if (needsRenewal(secret.caPem, { at, renewBeforeMs: s.renewBeforeMs })) actions.push({ type: 'rotate-ca' });
  return actions;
}

function servingRenewal(secret: CertSecretData, at: Date, s: PlanSettings): RenewReason | undefined {
  if (!bundleTrusts(secret.caPem, secret.certPem)) return 'new CA';
  if ([...s.hosts].sort().join(',') !== certificateHosts(secret.certPem).sort().join(',')) return 'hosts changed';
  if (needsRenewal(secret.certPem, { at, renewBeforeMs: s.renewBeforeMs })) return 'expiry ahead';
  return undefined;
}
