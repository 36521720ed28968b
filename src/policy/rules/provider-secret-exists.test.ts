import { REAL_URL, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { providerSecretExists } from './provider-secret-exists.ts';

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
