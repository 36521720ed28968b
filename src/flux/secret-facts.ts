/**
 * What the rules may know about a Secret: its identity, key names and non-secret facts about
 * the address it holds. Values are decoded only inside `secretFacts` and dropped when it returns.
 */
import type { KubeObject } from './objects.ts';
import { asRecord } from './objects.ts';
import type { AddressFacts } from './address.ts';
import { addressFacts } from './address.ts';

/** A Secret with every value removed. */
export interface SecretFacts {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Key names in `data` and `stringData`, sorted. */
  readonly keys: readonly string[];
  /** Facts about the value of key `address`, when present and readable (not SOPS-encrypted). */
  readonly address: AddressFacts | undefined;
  /**
   * Set when these facts stand for a Secret that another object will create (the linter's view of
   * an ExternalSecret or SealedSecret): `ExternalSecret "slack"`. Such facts have no address.
   */
  readonly producedBy?: string;
  /** False when the key names cannot be known (an ExternalSecret with `dataFrom`): key checks are skipped. */
  readonly keysKnown?: false;
}

/** Keys that tutorials use for a webhook URL but Flux never reads. */
export const MISPLACED_ADDRESS_KEYS = ['url', 'webhook', 'webhook_url', 'webhookUrl', 'slack_url'] as const;

/**
 * Reduces a Secret object to facts. `data` values are base64 (as the API serves them);
 * `stringData` (seen in manifests, never from the API server) overrides them as the API server would.
 * A SOPS-encrypted Secret, as GitOps repositories hold them (a top-level `sops` field), has
 * readable keys but encrypted values: its address is unknown, not wrong.
 */
export function secretFacts(obj: KubeObject): SecretFacts {
  const data = asRecord(obj['data']);
  const stringData = asRecord(obj['stringData']);
  const keys = [...new Set([...Object.keys(data), ...Object.keys(stringData)])].sort();
  let address: AddressFacts | undefined;
  const plain = stringData['address'];
  const encoded = data['address'];
  const encrypted = obj['sops'] !== undefined;
  if (!encrypted && typeof plain === 'string') address = addressFacts(plain);
  else if (!encrypted && typeof encoded === 'string')
    address = addressFacts(Buffer.from(encoded, 'base64').toString('utf8'));
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    type: typeof obj['type'] === 'string' ? obj['type'] : 'Opaque',
    labels: { ...(obj.metadata?.labels ?? {}) },
    keys,
    address,
  };
}
