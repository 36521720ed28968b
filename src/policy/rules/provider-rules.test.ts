import { PLACEHOLDER_URL, REAL_URL, alert, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { providerSecretExists } from './provider-secret-exists.ts';
import { providerSecretKeys } from './provider-secret-keys.ts';
import { providerAddress } from './provider-address.ts';
import { providerChannelIgnored } from './provider-channel-ignored.ts';
import { providerDeleteReferenced } from './provider-delete-referenced.ts';

table(providerSecretExists, [
  ['allows a Provider whose Secret exists', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] }, []],
  ['rejects a Provider whose secretRef names a missing Secret', { object: slackProvider() },
    ['spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; create the Secret in "apps" before the Provider, or correct the name']],
  ['rejects a Provider whose Secret is in another namespace, saying so', { object: slackProvider(), cluster: [secret('flux-system', 'slack-url', { address: REAL_URL })] },
    ['spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; a Secret of that name exists in namespace "flux-system", but Secret references are local: create it in "apps"']],
  ['checks certSecretRef and proxySecretRef too',
    { object: provider('apps', 'slack', { type: 'slack', address: REAL_URL, certSecretRef: { name: 'ca' }, proxySecretRef: { name: 'proxy' } }) },
    ['spec.certSecretRef.name: Not found: "ca": no Secret "ca" in namespace "apps"; create the Secret in "apps" before the Provider, or correct the name',
      'spec.proxySecretRef.name: Not found: "proxy": no Secret "proxy" in namespace "apps"; create the Secret in "apps" before the Provider, or correct the name']],
]);

table(providerSecretKeys, [
  ['rejects the tutorial Secret that holds the URL under "url"', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { url: PLACEHOLDER_URL })] },
    ['spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"']],
  ['rejects a Secret with no address at all', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { other: 'x' })] },
    ['spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": a Slack Provider needs a webhook URL: add key "address" to the Secret, or set spec.address']],
  ['accepts an address from spec.address', { object: slackProvider('apps', { address: REAL_URL }), cluster: [secret('apps', 'slack-url', { token: 'xoxb-1' })], }, ['spec.channel: Required value: Secret "slack-url" holds a bot token, and chat.postMessage needs a channel: set spec.channel']],
  ['tells a bot-token user which address to use', { object: slackProvider('apps', { channel: 'ops' }), cluster: [secret('apps', 'slack-url', { token: 'xoxb-1' })] },
    ['spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": a Slack bot token needs an address: set spec.address (or key "address") to "https://slack.com/api/chat.postMessage"']],
  ['flags username without password', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL, username: 'bot' })] },
    ['spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "password": key "username" without "password": Flux then drops the credentials, token included; add "password" or remove "username"']],
  ['flags password without username', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL, password: 'p' })] },
    ['spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "username": key "password" without "username": Flux then drops the credentials, token included; add "username" or remove "password"']],
  ['requires some address when there is no Secret', { object: provider('apps', 'slack', { type: 'slack' }) },
    ['spec.address: Required value: a Slack Provider needs a webhook URL: set spec.secretRef to a Secret with key "address" (recommended, the URL is a credential) or set spec.address']],
  ['ignores other provider types', { object: provider('apps', 'teams', { type: 'msteams', secretRef: { name: 'slack-url' } }), cluster: [secret('apps', 'slack-url', { url: 'x' })] }, []],
  ['leaves a missing Secret to provider-secret-exists', { object: slackProvider() }, []],
]);

table(providerAddress, [
  ['rejects the placeholder URL in the Secret without showing it', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: PLACEHOLDER_URL })] },
    ['spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there']],
  ['rejects an internal service in spec.address', { object: provider('apps', 'slack', { type: 'slack', address: 'http://grafana.monitoring.svc:3000/hook' }) },
    ['spec.address: Invalid value: "http://grafana.monitoring.svc:3000/hook": the address uses scheme "http"; only https is allowed']],
  ['rejects a host outside the allowed list', { object: provider('apps', 'slack', { type: 'slack', address: 'https://evil.example.com/hook' }) },
    ['spec.address: Invalid value: "https://evil.example.com/hook": host "evil.example.com" is not an allowed destination (allowed: "hooks.slack.com", "slack.com"); ask the platform team to add it to the policy\'s spec.destinations.allowedHosts']],
  ['allows a host the policy adds', { object: provider('apps', 'slack', { type: 'slack', address: 'https://chat.example.org/hooks/1' }), policy: resolvePolicy(ALL_RULES, { allowedHosts: ['chat.example.org'] }) }, []],
  ['allows a real webhook', { object: slackProvider(), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] }, []],
  ['checks only the provider types the policy lists', { object: provider('apps', 'hook', { type: 'generic', address: 'http://x.internal/' }) }, []],
]);

table(providerChannelIgnored, [
  ['warns that an app webhook ignores channel and username', { object: slackProvider('apps', { channel: 'general', username: 'flux' }), cluster: [secret('apps', 'slack-url', { address: REAL_URL })] },
    ['spec.channel: Invalid value: "general": Slack app incoming webhooks ignore channel; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the channel)',
      'spec.username: Invalid value: "flux": Slack app incoming webhooks ignore username; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the username)']],
  ['is quiet for chat.postMessage', { object: slackProvider('apps', { channel: 'general' }), cluster: [secret('apps', 'slack-url', { address: 'https://slack.com/api/chat.postMessage', token: 't' })] }, []],
]);

table(providerDeleteReferenced, [
  ['warns about deleting a Provider that Alerts reference, naming them',
    { operation: 'DELETE', object: slackProvider(), cluster: [slackProvider(), alert('apps', 'zeta', { providerRef: { name: 'slack' } }), alert('apps', 'alpha', { providerRef: { name: 'slack' } }), alert('other', 'x', { providerRef: { name: 'slack' } })] },
    ['metadata.name: Forbidden: Provider "slack" is still referenced by Alert "alpha", "zeta", which will stop sending notifications']],
  ['is quiet when nothing references it', { operation: 'DELETE', object: slackProvider(), cluster: [slackProvider()] }, []],
]);
