/**
 * What a Slack Provider needs from the Secret its secretRef names, as notification-controller's
 * `createNotifier` reads it: an address from key `address` (or spec.address), which `NewSlack`
 * (internal/notifier/slack.go) refuses when empty. A `token` is sent as a bearer header; only
 * chat.postMessage needs it (and a channel): an incoming webhook ignores it. Shared by the Provider
 * rule (checked from the Provider's side) and the Secret rule. username/password: credential-pair.ts.
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
  if (s.keysKnown === false) return [];
  const keys = new Set(s.keys);
  const out: KeyProblem[] = [];
  if (!keys.has('address') && !p.address) {
    const misplaced = MISPLACED_ADDRESS_KEYS.find((k) => keys.has(k));
    if (misplaced) {
      out.push({
        key: 'address',
        detail: `Flux reads the Slack address only from key "address", and this Secret has it under "${misplaced}": rename the key to "address"`,
      });
    } else if (keys.has('token')) {
      out.push({
        key: 'address',
        detail: `a Slack bot token needs an address: set spec.address (or key "address") to "${CHAT_POST_MESSAGE_URL}"`,
      });
    } else {
      out.push({
        key: 'address',
        detail: 'a Slack Provider needs a webhook URL: add key "address" to the Secret, or set spec.address',
      });
    }
  }
  return out;
}
