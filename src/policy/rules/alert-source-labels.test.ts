import { alert, source } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertSourceLabels } from './alert-source-labels.ts';

table(alertSourceLabels, [
  [
    'warns when the named object lacks the labels, naming the ones it lacks',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'HelmRelease', name: 'podinfo', matchLabels: { team: 'web', tier: 'front' } }],
      }),
      cluster: [source('HelmRelease', 'apps', 'podinfo', { team: 'web' })],
    },
    [
      'spec.eventSources[0].matchLabels: Invalid value: HelmRelease "podinfo" lacks "tier=front", and Flux applies matchLabels next to a name too, so this source sends nothing; add the labels or remove matchLabels',
    ],
  ],
  [
    'is quiet when the named object carries them',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'HelmRelease', name: 'podinfo', matchLabels: { team: 'web' } }],
      }),
      cluster: [source('HelmRelease', 'apps', 'podinfo', { team: 'web', x: 'y' })],
    },
    [],
  ],
  [
    'leaves a missing object to alert-source-exists, and name "*" alone',
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [
          { kind: 'HelmRelease', name: 'other', matchLabels: { team: 'web' } },
          { kind: 'HelmRelease', name: '*', matchLabels: { team: 'db' } },
        ],
      }),
      cluster: [source('HelmRelease', 'apps', 'podinfo')],
    },
    [],
  ],
]);
