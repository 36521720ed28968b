/**
 * What a Slack Provider needs from the Secret its secretRef names, as Flux's
 * notification-controller reads it: the address from key `address` (or spec.address),
 * an optional `token` for chat.postMessage, and `username`/`password` only as a pair.
 * Shared by the Provider rule (checked from the Provider's side) and the Secret rule.
 */
import type { ProviderView } from './objects.ts';
import type { SecretFacts } from './secret-facts.ts';
import { MISPLACED_ADDRESS_KEYS } from './secret-facts.ts';
import { CHAT_POST_MESSAGE_URL } from './address.ts';

/** A key the Secret lacks or holds wrongly; the detail never contains a value. */
export interface KeyProblem {
  readonly key: string;
  readonly detail: string;
}

/** Problems of a Slack Provider's Secret; empty when the Secret serves the Provider. */
export function slackSecretKeyProblems(p: ProviderView, s: SecretFacts): KeyProblem[] {
  const keys = new Set(s.keys);
  const out: KeyProblem[] = [];
  if (!keys.has('address') && !p.address) {
    const misplaced = MISPLACED_ADDRESS_KEYS.find((k) => keys.has(k));
    if (misplaced) {
      out.push({ key: 'address', detail: `Flux reads the Slack address only from key "address", and this Secret has it under "${misplaced}": rename the key to "address"` });
    } else if (keys.has('token')) {
      out.push({ key: 'address', detail: `a Slack bot token needs an address: set spec.address (or key "address") to "${CHAT_POST_MESSAGE_URL}"` });
    } else {
      out.push({ key: 'address', detail: 'a Slack Provider needs a webhook URL: add key "address" to the Secret, or set spec.address' });
    }
  }
  if (keys.has('username') !== keys.has('password')) {
    const [has, lacks] = keys.has('username') ? ['username', 'password'] : ['password', 'username'];
    out.push({ key: lacks, detail: `key "${has}" without "${lacks}": Flux then drops the credentials, token included; add "${lacks}" or remove "${has}"` });
  }
  return out;
}
