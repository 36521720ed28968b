import { alert, provider, slackProvider, source } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { resolvePolicy } from '../policy.ts';
import { ALL_RULES } from './index.ts';
import { alertProviderExists } from './alert-provider-exists.ts';
import { alertProviderRefNonempty } from './alert-provider-ref-nonempty.ts';
import { alertEventSourcesNonempty } from './alert-event-sources-nonempty.ts';
import { alertSourceNamespaceWildcard } from './alert-source-namespace-wildcard.ts';
import { alertCrossNamespaceSource } from './alert-cross-namespace-source.ts';
import { alertRegexValid } from './alert-regex-valid.ts';
import { alertRegexIgnored } from './alert-regex-ignored.ts';
import { alertSourceExists } from './alert-source-exists.ts';
import { alertSourceLabels } from './alert-source-labels.ts';
import { alertProviderSuspended } from './alert-provider-suspended.ts';

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

table(alertProviderRefNonempty, [
  [
    'rejects an empty providerRef.name',
    { object: alert('apps', 'a', { providerRef: { name: '' }, eventSources: [KS_ALL] }) },
    ['spec.providerRef.name: Required value: name the Provider in this namespace that should send these events'],
  ],
  [
    'rejects a blank providerRef.name',
    { object: alert('apps', 'a', { providerRef: { name: '  ' }, eventSources: [KS_ALL] }) },
    ['spec.providerRef.name: Required value: name the Provider in this namespace that should send these events'],
  ],
  [
    'allows a named provider',
    { object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }) },
    [],
  ],
]);

table(alertEventSourcesNonempty, [
  [
    'rejects an empty eventSources list',
    { object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [] }) },
    [
      'spec.eventSources: Required value: an Alert without event sources matches no event; add at least one, e.g. {kind: Kustomization, name: "*"}',
    ],
  ],
  ['allows one source', { object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }) }, []],
]);

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

const regexAlert = (lists: Record<string, string[]>) =>
  alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL], ...lists });
table(alertRegexValid, [
  [
    'rejects an inclusionList in which no pattern compiles: messageIsIncluded then includes nothing',
    { object: regexAlert({ inclusionList: ['(failed'] }) },
    [
      'spec.inclusionList[0]: Invalid value: "(failed": error parsing regexp: missing closing ): `(failed`; no inclusionList entry compiles, so Flux includes no event and this Alert never sends; Flux uses RE2 (Go regexp) syntax: no look-around or back-references',
    ],
  ],
  [
    'rejects look-behind, which JavaScript accepts and RE2 does not, when it is the only inclusion pattern',
    { object: regexAlert({ inclusionList: ['(?<!health)check'] }) },
    [
      'spec.inclusionList[0]: Invalid value: "(?<!health)check": error parsing regexp: invalid named capture: `(?<!health)check`; no inclusionList entry compiles, so Flux includes no event and this Alert never sends; Flux uses RE2 (Go regexp) syntax: no look-around or back-references',
    ],
  ],
  [
    'allows one bad inclusion pattern next to a good one: the Alert still sends (alert-regex-ignored warns)',
    { object: regexAlert({ inclusionList: ['.*succeeded.*', '(failed'] }) },
    [],
  ],
  ['allows a bad exclusion pattern: the Alert still sends', { object: regexAlert({ exclusionList: ['(a)\\1'] }) }, []],
  [
    'allows RE2 patterns, including Go-only syntax such as \\z and (?P<name>)',
    { object: regexAlert({ inclusionList: ['^Reconciliation.*\\z', '(?P<rev>main@sha1:[0-9a-f]+)'] }) },
    [],
  ],
]);

table(alertRegexIgnored, [
  [
    'warns about a bad inclusion pattern next to a good one, with the index and the compile error',
    { object: regexAlert({ inclusionList: ['.*succeeded.*', '(failed'] }) },
    [
      'spec.inclusionList[1]: Invalid value: "(failed": error parsing regexp: missing closing ): `(failed`; Flux skips this pattern, so it includes nothing; RE2 (Go regexp) has no look-around or back-references',
    ],
  ],
  [
    'warns about back-references in an exclusion pattern, which then excludes nothing',
    { object: regexAlert({ exclusionList: ['(a)\\1'] }) },
    [
      'spec.exclusionList[0]: Invalid value: "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1`; Flux skips this pattern, so it excludes nothing; RE2 (Go regexp) has no look-around or back-references',
    ],
  ],
  [
    'leaves an inclusionList where nothing compiles to alert-regex-valid',
    { object: regexAlert({ inclusionList: ['(failed'] }) },
    [],
  ],
]);

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
      'spec.eventSources[1].name: Not found: "redis": no HelmRelease "redis" in namespace "apps"; this source sends nothing until it exists',
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

table(alertProviderSuspended, [
  [
    'warns when the Provider is suspended',
    {
      object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }),
      cluster: [provider('apps', 'slack', { type: 'slack', suspend: true })],
    },
    [
      'spec.providerRef.name: Invalid value: "slack": Provider "slack" is suspended, so this Alert sends nothing until it is resumed',
    ],
  ],
  [
    'is quiet for an active Provider',
    {
      object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }),
      cluster: [slackProvider('apps')],
    },
    [],
  ],
  [
    'is quiet for a Provider suspended only for notification-controller because the relay delivers it',
    {
      object: alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL] }),
      cluster: [
        {
          ...provider('apps', 'slack', { type: 'slack', suspend: true }),
          metadata: {
            name: 'slack',
            namespace: 'apps',
            annotations: {
              'notify-guard.fluxcd.community/delivered-by': 'notify-guard-relay',
              'notify-guard.fluxcd.community/user-suspend': 'false',
            },
          },
        },
      ],
    },
    [],
  ],
]);
