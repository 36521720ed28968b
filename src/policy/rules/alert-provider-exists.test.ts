import { alert, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertProviderExists } from './alert-provider-exists.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

table(alertProviderExists, [
  [
    'allows an Alert whose Provider is in its namespace',
    {
      object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }),
      cluster: [slackProvider('apps')],
    },
    [],
  ],
  [
    'rejects an Alert whose Provider does not exist, saying to create it first',
    { object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }) },
    [
      'spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
    ],
  ],
  [
    'rejects an Alert whose Provider is in another namespace, saying references are local',
    {
      object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }),
      cluster: [slackProvider('flux-system'), slackProvider('team-b')],
    },
    [
      'spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "apps"; a Provider of that name exists in namespace "flux-system", "team-b", but provider references are local: create the Provider in "apps" or move the Alert there',
    ],
  ],
  [
    'leaves an empty name to alert-provider-ref-nonempty',
    { object: alert('apps', 'a', { providerRef: { name: '' }, eventSources: [KS_ALL] }) },
    [],
  ],
  [
    'reads v1beta1 Alerts the same way',
    { object: alert('apps', 'a', { providerRef: { name: 'nope' }, eventSources: [KS_ALL] }, {}, 'v1beta1') },
    [
      'spec.providerRef.name: Not found: "nope": no Provider "nope" in namespace "apps"; create the Provider in "apps", or correct the name',
    ],
  ],
]);
