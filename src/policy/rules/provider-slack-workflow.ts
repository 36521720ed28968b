import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { addressInUse } from '../../flux/address-in-use.ts';

/**
 * A Slack Workflow Builder URL (`hooks.slack.com/workflows/...` or `/triggers/...`) accepts a POST,
 * so notification-controller's Slack notifier (`Post` in internal/notifier/slack.go) sends to it,
 * but a workflow reads only the variables it declares, and Flux sends an attachments payload:
 * the workflow may not read it. A warning, since it can be made to work.
 */
export const providerSlackWorkflow: Rule = {
  id: 'provider-slack-workflow',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'A Slack Workflow Builder URL (/workflows/, /triggers/) is not an incoming webhook: a workflow may not read the payload Flux sends.',
  remediation:
    'Use an incoming webhook (https://hooks.slack.com/services/T…/B…/…) or a bot token with chat.postMessage.',
  follows: '`Slack.Post` (internal/notifier/slack.go)',
  check({ provider: p, cluster }) {
    if (p.type !== 'slack') return [];
    const use = addressInUse(p, p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined);
    if (!('facts' in use) || !use.facts?.slackWorkflow) return [];
    const why =
      "a Slack workflow or trigger URL is not an incoming webhook: a workflow reads only the variables it declares and may not read Flux's payload; use a /services/ webhook or chat.postMessage";
    return use.from === 'spec'
      ? [fieldError('Invalid', field('spec', 'address'), undefined, why)]
      : [
          fieldError(
            'Invalid',
            field('spec', 'secretRef', 'name'),
            p.secretRef,
            `in Secret ${quote(p.secretRef ?? '')} key "address": ${why}`,
          ),
        ];
  },
};
