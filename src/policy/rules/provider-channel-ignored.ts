import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { addressInUse } from '../../flux/address-in-use.ts';

/**
 * Slack app incoming webhooks post to the channel chosen when the webhook was created: the
 * `channel` and `username` that Flux's Slack notifier (`Post` in internal/notifier/slack.go) puts
 * in the payload are ignored. Judged on the address in use (`createNotifier`: the Secret's key
 * `address` overrides spec.address).
 */
export const providerChannelIgnored: Rule = {
  id: 'provider-channel-ignored',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'spec.channel and spec.username are ignored by Slack app incoming webhooks (hooks.slack.com/services/...).',
  remediation: 'Create a webhook for the wanted channel in Slack, or use a bot token with chat.postMessage.',
  follows: '`Slack.Post` (channel and username in the payload)',
  check({ provider: p, cluster }) {
    if (p.type !== 'slack') return [];
    const use = addressInUse(p, p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined);
    if (!('facts' in use) || !use.facts?.slackAppWebhook) return [];
    const out: FieldError[] = [];
    for (const f of ['channel', 'username'] as const) {
      const v = p[f];
      if (v)
        out.push(
          fieldError(
            'Invalid',
            field('spec', f),
            v,
            `Slack app incoming webhooks ignore ${f}; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the ${f})`,
          ),
        );
    }
    return out;
  },
};
