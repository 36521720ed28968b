import { alert, source } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertSourceExists } from './alert-source-exists.ts';

table(alertSourceExists, [
  [
    'warns about a named source that is not in the cluster',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [
          { kind: 'HelmRelease', name: 'podinfo' },
          { kind: 'HelmRelease', name: 'redis' },
        ],
      }),
      cluster: [source('HelmRelease', 'apps', 'podinfo')],
    },
    [
      'spec.eventSources[1].name: Not found: "redis": no HelmRelease "redis" in namespace "apps"; this source sends nothing until it exists; correct the kind, name or namespace, unless the object is about to be created',
    ],
  ],
  [
    "looks in the source's namespace when one is given",
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: 'infra', namespace: 'flux-system' }],
      }),
      cluster: [source('Kustomization', 'flux-system', 'infra')],
    },
    [],
  ],
  [
    'says nothing about kinds the view does not track',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'OCIRepository', name: 'x' }],
      }),
      cluster: [source('HelmRelease', 'apps', 'podinfo')],
    },
    [],
  ],
]);
