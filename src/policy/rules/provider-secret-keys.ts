import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { slackSecretKeyProblems } from '../../flux/slack-secret-requirements.ts';
import { addressInUse } from '../../flux/address-in-use.ts';

/**
 * A Slack Provider must get an address from somewhere notification-controller's `createNotifier`
 * reads (Secret key `address`, else `spec.address`; `NewSlack` refuses an empty one), and a bot
 * token posting to chat.postMessage needs a channel. A token next to an incoming-webhook address
 * needs nothing: the webhook ignores it and posts to its own channel. Key checks are skipped when
 * the keys cannot be known (an ExternalSecret with dataFrom).
 */
export const providerSecretKeys: Rule = {
  id: 'provider-secret-keys',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description:
    'A slack Provider needs its address in Secret key "address" or spec.address (a "url" or "webhook" key is never read), and a channel when a bot token posts to chat.postMessage.',
  remediation:
    'Rename the Secret key to "address", or set spec.address; with a bot token and chat.postMessage, set spec.channel.',
  follows: '`createNotifier` (key `address` over `spec.address`), `NewSlack`, `Slack.Post`',
  check({ provider: p, cluster }) {
    if (p.type !== 'slack') return [];
    const out: FieldError[] = [];
    const secret = p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined;
    if (p.secretRef && secret) {
      const what = secret.producedBy
        ? `Secret ${quote(p.secretRef)} (made by ${secret.producedBy})`
        : `Secret ${quote(p.secretRef)}`;
      for (const problem of slackSecretKeyProblems(p, secret)) {
        out.push(
          fieldError(
            'Invalid',
            field('spec', 'secretRef', 'name'),
            p.secretRef,
            `${what} has no key ${quote(problem.key)}: ${problem.detail}`,
          ),
        );
      }
      const use = addressInUse(p, secret);
      if (secret.keys.includes('token') && !p.channel && 'facts' in use && use.facts?.chatPostMessage) {
        out.push(
          fieldError(
            'Required',
            field('spec', 'channel'),
            undefined,
            `${what} holds a bot token for chat.postMessage, which needs a channel: set spec.channel`,
          ),
        );
      }
    } else if (!p.secretRef && !p.address) {
      out.push(
        fieldError(
          'Required',
          field('spec', 'address'),
          undefined,
          'a Slack Provider needs a webhook URL: set spec.secretRef to a Secret with key "address" (recommended, the URL is a credential) or set spec.address',
        ),
      );
    }
    return out;
  },
};
