import { REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerSlackWorkflow } from './provider-slack-workflow.ts';

table(providerSlackWorkflow, [
  [
    "warns that a Workflow Builder URL may not read Flux's payload",
    {
      object: provider('apps', 'slack', {
        type: 'slack',
        address: 'https://hooks.slack.com/workflows/T0AB12CD3/A0CD34EF5/123456/abcdef',
      }),
    },
    [
      "spec.address: Invalid value: a Slack workflow or trigger URL is not an incoming webhook: a workflow reads only the variables it declares and may not read Flux's payload; use a /services/ webhook or chat.postMessage",
    ],
  ],
  [
    'warns about a trigger URL in the Secret without showing it',
    {
      object: slackProvider(),
      cluster: [secret('apps', 'slack-url', { address: 'https://hooks.slack.com/triggers/T0AB12CD3/123/abc' })],
    },
    [
      'spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": a Slack workflow or trigger URL is not an incoming webhook: a workflow reads only the variables it declares and may not read Flux\'s payload; use a /services/ webhook or chat.postMessage',
    ],
  ],
  [
    'is quiet for an incoming webhook',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] },
    [],
  ],
]);
