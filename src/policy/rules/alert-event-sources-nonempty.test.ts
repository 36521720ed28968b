import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertEventSourcesNonempty } from './alert-event-sources-nonempty.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

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
