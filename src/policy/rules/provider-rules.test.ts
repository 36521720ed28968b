import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticClusterView } from '../../cluster/static-view.ts';
import { errorString } from '../field-error.ts';
import { defaultPolicy } from '../policy.ts';
import { PLACEHOLDER_URL, REAL_URL, alert, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { providerSecretExists } from './provider-secret-exists.ts';
import { providerSecretKeys } from './provider-secret-keys.ts';
import { providerAddress } from './provider-address.ts';
import { providerChannelIgnored } from './provider-channel-ignored.ts';
import { providerDeleteReferenced } from './provider-delete-referenced.ts';
import { providerSecretPending } from './provider-secret-pending.ts';
import { providerCredentialsPair } from './provider-credentials-pair.ts';
import { providerAddressOverridden } from './provider-address-overridden.ts';
import { providerSlackWorkflow } from './provider-slack-workflow.ts';

const externalSecret = (name: string, spec: Record<string, unknown>, ns = 'apps', version = 'v1') => ({
  apiVersion: `external-secrets.io/${version}`,
  kind: 'ExternalSecret',
  metadata: { name, namespace: ns },
  spec,
});

table(providerSecretExists, [
  [
    'allows a Provider whose Secret exists',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] },
    [],
  ],
  [
    'rejects a Provider whose secretRef names a missing Secret',
    { object: slackProvider() },
    [
      'spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; create it in "apps" or correct the name',
    ],
  ],
  [
    'rejects a Provider whose Secret is in another namespace, saying so',
    { object: slackProvider(), cluster: [secret('flux-system', 'slack-url', { address: REAL_URL })] },
    [
      'spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; a Secret of that name exists in namespace "flux-system", but Secret references are local: create it in "apps"',
    ],
  ],
  [
    'checks certSecretRef and proxySecretRef too',
    {
      object: provider('apps', 'slack', {
        type: 'slack',
        address: REAL_URL,
        certSecretRef: { name: 'ca' },
        proxySecretRef: { name: 'proxy' },
      }),
    },
    [
      'spec.certSecretRef.name: Not found: "ca": no Secret "ca" in namespace "apps"; create it in "apps" or correct the name',
      'spec.proxySecretRef.name: Not found: "proxy": no Secret "proxy" in namespace "apps"; create it in "apps" or correct the name',
    ],
  ],
  [
    'leaves a Secret that an ExternalSecret will create to provider-secret-pending',
    {
      object: slackProvider(),
      cluster: [externalSecret('slack-url', { data: [{ secretKey: 'address', remoteRef: { key: 'slack' } }] })],
    },
    [],
  ],
  [
    'leaves a missing Secret in an out-of-band namespace to provider-secret-pending',
    { object: slackProvider(), policy: resolvePolicy(ALL_RULES, { outOfBandSecretNamespaces: ['apps'] }) },
    [],
  ],
]);

table(providerSecretPending, [
  [
    'is quiet when the Secret exists',
    { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] },
    [],
  ],
  [
    'is quiet when nothing will create the missing Secret (provider-secret-exists denies)',
    { object: slackProvider() },
    [],
  ],
  [
    'is quiet in a namespace the policy does not list as out of band',
    { object: slackProvider(), policy: resolvePolicy(ALL_RULES, { outOfBandSecretNamespaces: ['other'] }) },
    [],
  ],
  [
    'warns in an out-of-band namespace, and "*" means every namespace',
    { object: slackProvider(), policy: resolvePolicy(ALL_RULES, { outOfBandSecretNamespaces: ['*'] }) },
    [
      'spec.secretRef.name: Not found: "slack-url": Secret "slack-url" does not exist yet; the policy says Secrets in namespace "apps" are made out of band; the Provider sends nothing until it does',
    ],
  ],
]);

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

table(providerAddressOverridden, [
  [
    'warns that spec.address is unused when the Secret has key "address"',
    {
      object: slackProvider('apps', { address: REAL_URL }),
      cluster: [secret('apps', 'slack-url', { address: REAL_URL })],
    },
    [
      'spec.address: Invalid value: unused: key "address" of Secret "slack-url" overrides spec.address, and Flux sends to that one; remove spec.address',
    ],
  ],
  [
    'is quiet when the Secret has no key "address"',
    { object: slackProvider('apps', { address: REAL_URL }), cluster: [secret('apps', 'slack-url', { token: 't' })] },
    [],
  ],
  [
    "is quiet when the Secret's keys cannot be known",
    {
      object: slackProvider('apps', { address: REAL_URL }),
      cluster: [externalSecret('slack-url', { dataFrom: [{ extract: { key: 'k' } }] })],
    },
    [],
  ],
]);

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

table(providerChannelIgnored, [
  [
    'warns that an app webhook ignores channel and username',
    {
      object: slackProvider('apps', { channel: 'general', username: 'flux' }),
      cluster: [secret('apps', 'slack-url', { address: REAL_URL })],
    },
    [
      'spec.channel: Invalid value: "general": Slack app incoming webhooks ignore channel; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the channel)',
      'spec.username: Invalid value: "flux": Slack app incoming webhooks ignore username; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the username)',
    ],
  ],
  [
    'is quiet for chat.postMessage',
    {
      object: slackProvider('apps', { channel: 'general' }),
      cluster: [secret('apps', 'slack-url', { address: 'https://slack.com/api/chat.postMessage', token: 't' })],
    },
    [],
  ],
]);

table(providerDeleteReferenced, [
  [
    'warns about deleting a Provider that Alerts reference, naming them',
    {
      operation: 'DELETE',
      object: slackProvider(),
      cluster: [
        slackProvider(),
        alert('apps', 'zeta', { providerRef: { name: 'slack' } }),
        alert('apps', 'alpha', { providerRef: { name: 'slack' } }),
        alert('other', 'x', { providerRef: { name: 'slack' } }),
      ],
    },
    [
      'metadata.name: Forbidden: Provider "slack" is still referenced by Alert "alpha", "zeta", which will stop sending notifications',
    ],
  ],
  [
    'is quiet when nothing references it',
    { operation: 'DELETE', object: slackProvider(), cluster: [slackProvider()] },
    [],
  ],
]);

test('provider-secret-pending says nothing outside the watched Secret scope, where a miss proves nothing', () => {
  const view = staticClusterView([
    externalSecret('slack-url', { data: [{ secretKey: 'address', remoteRef: { key: 'k' } }] }),
  ]);
  const ctx = {
    operation: 'CREATE' as const,
    object: slackProvider(),
    oldObject: undefined,
    namespace: 'apps',
    name: 'slack',
    secret: undefined,
    oldSecret: undefined,
    policy: defaultPolicy(ALL_RULES),
  };
  // The static view stands for a whole cluster; a live view watching other namespaces does not cover "apps".
  const live = Object.assign(Object.create(view), { getSecret: () => undefined, covers: () => false });
  const inScope = Object.assign(Object.create(view), { getSecret: () => undefined });
  assert.deepEqual(providerSecretPending.check({ ...ctx, cluster: live }), []);
  assert.deepEqual(providerSecretPending.check({ ...ctx, cluster: inScope }).map(errorString), [
    'spec.secretRef.name: Not found: "slack-url": Secret "slack-url" does not exist yet; ExternalSecret "slack-url" will create it; the Provider sends nothing until it does',
  ]);
});
