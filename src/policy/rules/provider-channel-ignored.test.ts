import { REAL_URL, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerChannelIgnored } from './provider-channel-ignored.ts';

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
