import { PLACEHOLDER_URL, REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { providerAddress } from './provider-address.ts';

table(providerAddress, [
  [
    'rejects the placeholder URL in the Secret without showing it',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: PLACEHOLDER_URL })] },
    [
      'spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there',
    ],
  ],
  [
    'rejects an internal service in spec.address',
    { object: provider('apps', 'slack', { type: 'slack', address: 'http://grafana.monitoring.svc:3000/hook' }) },
    [
      'spec.address: Invalid value: "http://grafana.monitoring.svc:3000/hook": the address uses scheme "http"; only https is allowed',
    ],
  ],
  [
    'rejects a host outside the allowed list',
    { object: provider('apps', 'slack', { type: 'slack', address: 'https://evil.example.com/hook' }) },
    [
      'spec.address: Invalid value: "https://evil.example.com/hook": host "evil.example.com" is not an allowed destination (allowed: "hooks.slack.com", "slack.com", "hooks.slack-gov.com", "slack-gov.com"); ask the platform team to add it to the policy\'s spec.destinations.allowedHosts',
    ],
  ],
  [
    'allows a host the policy adds',
    {
      object: provider('apps', 'slack', { type: 'slack', address: 'https://chat.example.org/hooks/1' }),
      policy: resolvePolicy(ALL_RULES, { allowedHosts: ['chat.example.org'] }),
    },
    [],
  ],
  [
    'allows a real webhook',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] },
    [],
  ],
  [
    'checks only the provider types the policy lists',
    { object: provider('apps', 'hook', { type: 'generic', address: 'http://x.internal/' }) },
    [],
  ],
  [
    "judges the Secret's address, which overrides spec.address: a bad spec.address next to it is not denied",
    {
      object: slackProvider('apps', { address: 'http://old.example.com/hook' }),
      cluster: [secret('apps', 'slack-url', { address: REAL_URL })],
    },
    [],
  ],
  [
    'judges spec.address when the Secret has no key "address"',
    {
      object: slackProvider('apps', { address: 'http://old.example.com/hook' }),
      cluster: [secret('apps', 'slack-url', { token: 't' })],
    },
    [
      'spec.address: Invalid value: "http://old.example.com/hook": the address uses scheme "http"; only https is allowed',
    ],
  ],
  [
    'allows GovSlack by default',
    {
      object: provider('apps', 'slack', {
        type: 'slack',
        address: 'https://hooks.slack-gov.com/services/T0AB12CD3/B0CD34EF5/q1w2e3r4t5y6u7i8o9p0a1s2',
      }),
    },
    [],
  ],
  [
    "rejects Flux's own doc placeholder .../services/YOUR/SLACK/WEBHOOK, with the reason",
    {
      object: provider('apps', 'slack', {
        type: 'slack',
        address: 'https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK',
      }),
    },
    [
      'spec.address: Invalid value: "https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK": a Slack incoming-webhook URL has the shape https://hooks.slack.com/services/T…/B…/<secret> and its segments are not a team id (T…), a hook id (B…) and a secret, as in the placeholder .../services/YOUR/SLACK/WEBHOOK, so Slack answers 404 and nothing is delivered; put the webhook URL that Slack shows for the app there',
    ],
  ],
  [
    'rejects a bare /services/ in the Secret without showing it',
    {
      object: slackProvider(),
      cluster: [secret('apps', 'slack-url', { address: 'https://hooks.slack.com/services/' })],
    },
    [
      'spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": a Slack incoming-webhook URL has the shape https://hooks.slack.com/services/T…/B…/<secret> and it has nothing after /services/, so Slack answers 404 and nothing is delivered; put the webhook URL that Slack shows for the app there',
    ],
  ],
  [
    'rejects an over-long Secret address by its length alone',
    {
      object: slackProvider(),
      cluster: [secret('apps', 'slack-url', { address: `https://hooks.slack.com/services/${'<'.repeat(1 << 20)}` })],
    },
    [
      'spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": the address is 1048609 bytes long; at most 2048 are allowed',
    ],
  ],
]);
