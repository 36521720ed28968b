import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertSourceNamespaceWildcard } from './alert-source-namespace-wildcard.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

table(alertSourceNamespaceWildcard, [
  [
    'rejects namespace "*" and says what to do instead',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [KS_ALL, { kind: 'HelmRelease', name: '*', namespace: '*' }],
      }),
    },
    [
      'spec.eventSources[1].namespace: Invalid value: "*": Flux compares namespaces exactly and "*" is not a wildcard, so this source matches no event; omit namespace to match the Alert\'s own namespace, or add one event source per namespace',
    ],
  ],
  [
    'rejects a glob such as "team-*"',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'HelmRelease', name: '*', namespace: 'team-*' }],
      }),
    },
    [
      'spec.eventSources[0].namespace: Invalid value: "team-*": Flux compares namespaces exactly and "*" is not a wildcard, so this source matches no event; omit namespace to match the Alert\'s own namespace, or add one event source per namespace',
    ],
  ],
  [
    'allows name "*" (the one wildcard Flux has)',
    { object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }) },
    [],
  ],
]);
