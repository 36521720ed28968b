import { PLACEHOLDER_URL, REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { secretKeysKept } from './secret-keys-kept.ts';

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
