import { alert, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { providerDeleteReferenced } from './provider-delete-referenced.ts';

table(providerDeleteReferenced, [
  [
    'warns about deleting a Provider that Alerts reference, naming them',
    {
      operation: 'DELETE',
      object: slackProvider(),
      cluster: [
        slackProvider(),
        alert('apps', 'zeta', { providerRef: { name: 'slack' } }),
        alert('apps', 'alpha', { providerRef: { name: 'slack' } }),
        alert('other', 'x', { providerRef: { name: 'slack' } }),
      ],
    },
    [
      'metadata.name: Forbidden: Provider "slack" is still referenced by Alert "alpha", "zeta", which will stop sending notifications; delete or repoint those Alerts first',
    ],
  ],
  [
    'is quiet when nothing references it',
    { operation: 'DELETE', object: slackProvider(), cluster: [slackProvider()] },
    [],
  ],
]);
