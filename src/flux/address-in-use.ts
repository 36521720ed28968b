/**
 * Which address notification-controller will send to, as its `createNotifier`
 * (internal/server/event_handlers.go) picks it: `spec.address`, unless the Secret named by
 * `spec.secretRef` has key `address`, which then wins (trimmed). Only facts, never the URL.
 */
import type { AddressFacts } from './address.ts';
import { addressFacts } from './address.ts';
import type { ProviderView } from './objects.ts';
import type { SecretFacts } from './secret-facts.ts';

/** Where the address in use comes from, with its facts when they can be known. */
export type AddressInUse =
  /** The Secret's key `address` (facts undefined when the value cannot be read: SOPS, a producer). */
  | { readonly from: 'secret'; readonly facts: AddressFacts | undefined }
  | { readonly from: 'spec'; readonly facts: AddressFacts }
  /** The Secret is not known, or its keys are not: it may or may not override spec.address. */
  | { readonly from: 'unknown' }
  | { readonly from: 'none' };

/** The address a Provider sends to, given the facts of its secretRef Secret (undefined: not found). */
export function addressInUse(p: ProviderView, secret: SecretFacts | undefined): AddressInUse {
  if (p.secretRef) {
    if (!secret || secret.keysKnown === false) return { from: 'unknown' };
    if (secret.keys.includes('address')) return { from: 'secret', facts: secret.address };
  }
  return p.address ? { from: 'spec', facts: addressFacts(p.address) } : { from: 'none' };
}
