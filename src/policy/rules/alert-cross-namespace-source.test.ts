import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { alertCrossNamespaceSource } from './alert-cross-namespace-source.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

const crossSource = alert('apps', 'a', {
  providerRef: { name: 'slack' },
  eventSources: [
    KS_ALL,
    { kind: 'Kustomization', name: 'infra', namespace: 'flux-system' },
    { kind: 'HelmRelease', name: 'x', namespace: 'apps' },
  ],
});

table(alertCrossNamespaceSource, [
  [
    'warns about a source in another namespace',
    { object: crossSource },
    [
      'spec.eventSources[1].namespace: Forbidden: source namespace "flux-system" differs from the Alert\'s namespace "apps": events from other namespaces are dropped if Flux runs with --no-cross-namespace-refs; create this Alert (and its Provider) in "flux-system"',
    ],
  ],
  [
    'says the cluster blocks them when the policy says Flux runs with --no-cross-namespace-refs',
    { object: crossSource, policy: resolvePolicy(ALL_RULES, { noCrossNamespaceRefs: true }) },
    [
      'spec.eventSources[1].namespace: Forbidden: source namespace "flux-system" differs from the Alert\'s namespace "apps": this cluster runs Flux with --no-cross-namespace-refs, which drops events from other namespaces; create this Alert (and its Provider) in "flux-system"',
    ],
  ],
  [
    "reads an empty namespace as the Alert's own, as Flux does",
    {
      object: alert('apps', 'a', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: '*', namespace: '' }],
      }),
    },
    [],
  ],
]);
