import { REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerCredentialsPair } from './provider-credentials-pair.ts';

table(providerCredentialsPair, [
  [
    'warns about username without password: Flux drops the credentials and still sends',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL, username: 'bot' })] },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has key "username" without "password": Flux then drops its username, password and token and sends without them; add "password" or remove "username"',
    ],
  ],
  [
    'warns about password without username, for any Provider type',
    {
      object: provider('apps', 'am', { type: 'alertmanager', secretRef: { name: 'slack-url' } }),
      cluster: [secret('apps', 'slack-url', { address: 'https://am.example.org', password: 'p' })],
    },
    [
      'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has key "password" without "username": Flux then drops its username, password and token and sends without them; add "username" or remove "password"',
    ],
  ],
  [
    'is quiet for a whole pair',
    {
      object: slackProvider(),
      cluster: [secret('apps', 'slack-url', { address: REAL_URL, username: 'u', password: 'p' })],
    },
    [],
  ],
]);
