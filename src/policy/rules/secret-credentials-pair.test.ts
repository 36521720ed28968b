import { REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { secretCredentialsPair } from './secret-credentials-pair.ts';

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
