import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertProviderRefNonempty } from './alert-provider-ref-nonempty.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

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
