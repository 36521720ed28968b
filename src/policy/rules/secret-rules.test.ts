import { PLACEHOLDER_URL, REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { secretKeysKept } from './secret-keys-kept.ts';
import { secretDeleteReferenced } from './secret-delete-referenced.ts';
import { secretCredentialsPair } from './secret-credentials-pair.ts';

table(secretKeysKept, [
  [
    'rejects an update that removes the address a Provider reads, naming the Provider',
    {
      operation: 'UPDATE',
      object: secret('apps', 'slack-url', { token: 't' }),
      oldObject: secret('apps', 'slack-url', { address: REAL_URL }),
      cluster: [slackProvider('apps', { channel: 'c' })],
    },
    [
      'data[address]: Required value: needed by Provider "slack" (spec.secretRef): a Slack bot token needs an address: set spec.address (or key "address") to "https://slack.com/api/chat.postMessage"',
    ],
  ],
  [
    'rejects a placeholder address without echoing it',
    {
      operation: 'UPDATE',
      object: secret('apps', 'slack-url', { address: PLACEHOLDER_URL }),
      oldObject: secret('apps', 'slack-url', { address: REAL_URL }),
      cluster: [slackProvider()],
    },
    [
      'data[address]: Invalid value: used by Provider "slack" (spec.secretRef): the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there',
    ],
  ],
  [
    'rejects a new referenced Secret that uses key "url"',
    { object: secret('apps', 'slack-url', { url: REAL_URL }), cluster: [slackProvider()] },
    [
      'data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
    ],
  ],
  [
    'allows an update that keeps a valid address',
    {
      operation: 'UPDATE',
      object: secret('apps', 'slack-url', { address: REAL_URL, extra: '1' }),
      oldObject: secret('apps', 'slack-url', { address: REAL_URL }),
      cluster: [slackProvider()],
    },
    [],
  ],
  [
    'does not need "address" when the Provider sets spec.address',
    {
      operation: 'UPDATE',
      object: secret('apps', 'slack-url', {}),
      cluster: [slackProvider('apps', { address: REAL_URL })],
    },
    [],
  ],
  [
    'ignores Providers that read it only as certSecretRef',
    {
      object: secret('apps', 'ca', { 'ca.crt': 'x' }),
      cluster: [provider('apps', 'slack', { type: 'slack', address: REAL_URL, certSecretRef: { name: 'ca' } })],
    },
    [],
  ],
]);

table(secretDeleteReferenced, [
  [
    'warns about deleting a Secret that Providers read, naming them and the field',
    {
      operation: 'DELETE',
      object: secret('apps', 'slack-url', {}),
      cluster: [
        slackProvider(),
        provider('apps', 'github', {
          type: 'github',
          secretRef: { name: 'other' },
          certSecretRef: { name: 'slack-url' },
        }),
      ],
    },
    [
      'metadata.name: Forbidden: Secret "slack-url" is still referenced by Provider "github" (spec.certSecretRef), "slack" (spec.secretRef), which will stop sending notifications',
    ],
  ],
  [
    'is quiet for an unreferenced Secret',
    { operation: 'DELETE', object: secret('apps', 'other', {}), cluster: [slackProvider()] },
    [],
  ],
]);

table(secretCredentialsPair, [
  [
    'warns about a Secret read through secretRef that has username without password, naming the Provider',
    { object: secret('apps', 'slack-url', { address: REAL_URL, username: 'bot' }), cluster: [slackProvider()] },
    [
      'data[password]: Required value: read by Provider "slack" (spec.secretRef): key "username" without "password": Flux then drops its username, password and token and sends without them; add "password" or remove "username"',
    ],
  ],
  [
    'ignores Providers that read it only as proxySecretRef (a proxy takes a username alone)',
    {
      object: secret('apps', 'proxy', { address: 'http://proxy:3128', username: 'u' }),
      cluster: [provider('apps', 'slack', { type: 'slack', address: REAL_URL, proxySecretRef: { name: 'proxy' } })],
    },
    [],
  ],
]);
