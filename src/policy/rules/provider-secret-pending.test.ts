import { REAL_URL, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { staticClusterView } from '../../cluster/static-view.ts';
import { ALL_RULES } from './index.ts';
import { providerSecretPending } from './provider-secret-pending.ts';

const externalSecret = (name: string, spec: Record<string, unknown>, ns = 'apps', version = 'v1') => ({
  apiVersion: `external-secrets.io/${version}`,
  kind: 'ExternalSecret',
  metadata: { name, namespace: ns },
  spec,
});

// The static view stands for a whole cluster; a live view watching other namespaces does not cover "apps".
const withProducer = staticClusterView([
  externalSecret('slack-url', { data: [{ secretKey: 'address', remoteRef: { key: 'k' } }] }),
]);
const outsideScope = Object.assign(Object.create(withProducer), { getSecret: () => undefined, covers: () => false });
const inScope = Object.assign(Object.create(withProducer), { getSecret: () => undefined });

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
  [
    'says nothing outside the watched Secret scope, where a miss proves nothing',
    { object: slackProvider(), view: outsideScope },
    [],
  ],
  [
    'warns inside the watched Secret scope when an ExternalSecret will create the Secret',
    { object: slackProvider(), view: inScope },
    [
      'spec.secretRef.name: Not found: "slack-url": Secret "slack-url" does not exist yet; ExternalSecret "slack-url" will create it; the Provider sends nothing until it does',
    ],
  ],
]);
