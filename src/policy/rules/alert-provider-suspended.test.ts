import { alert, provider, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertProviderSuspended } from './alert-provider-suspended.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

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
