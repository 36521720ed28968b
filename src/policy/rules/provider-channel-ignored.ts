import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { addressFacts } from '../../flux/address.ts';

/** Slack app incoming webhooks post to the channel chosen when the webhook was created. */
export const providerChannelIgnored: Rule = {
  id: 'provider-channel-ignored',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'spec.channel and spec.username are ignored by Slack app incoming webhooks (hooks.slack.com/services/...).',
  remediation: 'Create a webhook for the wanted channel in Slack, or use a bot token with chat.postMessage.',
  check({ object, cluster }) {
    const p = providerView(object);
    if (p.type !== 'slack') return [];
    const secret = p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined;
    const address = secret?.address ?? (p.address ? addressFacts(p.address) : undefined);
    if (!address?.slackAppWebhook) return [];
    const out: FieldError[] = [];
    for (const f of ['channel', 'username'] as const) {
      const v = p[f];
      if (v) out.push(fieldError('Invalid', field('spec', f), v,
        `Slack app incoming webhooks ignore ${f}; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the ${f})`));
    }
    return out;
  },
};
