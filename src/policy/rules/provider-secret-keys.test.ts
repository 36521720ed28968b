import { PLACEHOLDER_URL, REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerSecretKeys } from './provider-secret-keys.ts';

const externalSecret = (name: string, spec: Record<string, unknown>, ns = 'apps', version = 'v1') => ({
  apiVersion: `external-secrets.io/${version}`,
  kind: 'ExternalSecret',
  metadata: { name, namespace: ns },
  spec,
});

table(providerSecretKeys, [
  [
    'rejects the tutorial Secret that holds the URL under "url"',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { url: PLACEHOLDER_URL })] },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
    ],
  ],
  [
    'rejects a Secret with no address at all',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { other: 'x' })] },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": a Slack Provider needs a webhook URL: add key "address" to the Secret, or set spec.address',
    ],
  ],
  [
    'accepts an address from spec.address, and a token next to a webhook needs no channel',
    {
      object: slackProvider('apps', { address: REAL_URL }),
      cluster: [secret('apps', 'slack-url', { token: 'xoxb-1' })],
    },
    [],
  ],
  [
    'a webhook address in the Secret with a token stays a webhook: no channel needed',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL, token: 'xoxb-1' })] },
    [],
  ],
  [
    'requires a channel when a bot token posts to chat.postMessage',
    {
      object: slackProvider(),
      cluster: [secret('apps', 'slack-url', { address: 'https://slack.com/api/chat.postMessage', token: 'xoxb-1' })],
    },
    [
      'spec.channel: Required value: Secret "slack-url" holds a bot token for chat.postMessage, which needs a channel: set spec.channel',
    ],
  ],
  [
    'checks the keys an ExternalSecret declares, naming it',
    {
      object: slackProvider(),
      cluster: [
        externalSecret('slack', {
          target: { name: 'slack-url' },
          data: [{ secretKey: 'url', remoteRef: { key: 'slack' } }],
        }),
      ],
    },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" (made by ExternalSecret "slack") has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
    ],
  ],
  [
    'skips key checks for an ExternalSecret with dataFrom: its keys cannot be known',
    { object: slackProvider(), cluster: [externalSecret('slack-url', { dataFrom: [{ extract: { key: 'slack' } }] })] },
    [],
  ],
  [
    'tells a bot-token user which address to use',
    { object: slackProvider('apps', { channel: 'ops' }), cluster: [secret('apps', 'slack-url', { token: 'xoxb-1' })] },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": a Slack bot token needs an address: set spec.address (or key "address") to "https://slack.com/api/chat.postMessage"',
    ],
  ],
  [
    'leaves username without password to provider-credentials-pair',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL, username: 'bot' })] },
    [],
  ],
  [
    'requires some address when there is no Secret',
    { object: provider('apps', 'slack', { type: 'slack' }) },
    [
      'spec.address: Required value: a Slack Provider needs a webhook URL: set spec.secretRef to a Secret with key "address" (recommended, the URL is a credential) or set spec.address',
    ],
  ],
  [
    'ignores other provider types',
    {
      object: provider('apps', 'teams', { type: 'msteams', secretRef: { name: 'slack-url' } }),
      cluster: [secret('apps', 'slack-url', { url: 'x' })],
    },
    [],
  ],
  ['leaves a missing Secret to provider-secret-exists', { object: slackProvider() }, []],
]);
