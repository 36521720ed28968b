import { REAL_URL, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerAddressOverridden } from './provider-address-overridden.ts';

const externalSecret = (name: string, spec: Record<string, unknown>, ns = 'apps', version = 'v1') => ({
  apiVersion: `external-secrets.io/${version}`,
  kind: 'ExternalSecret',
  metadata: { name, namespace: ns },
  spec,
});

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
