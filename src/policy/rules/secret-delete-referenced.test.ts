import { provider, secret, slackProvider } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { secretDeleteReferenced } from './secret-delete-referenced.ts';

table(secretDeleteReferenced, [
  [
    'warns about deleting a Secret that Providers read, naming them and the field',
    {
      operation: 'DELETE',
      object: secret('apps', 'slack-url', {}),
      cluster: [
        slackProvider(),
        provider('apps', 'github', {
          type: 'github',
          secretRef: { name: 'other' },
          certSecretRef: { name: 'slack-url' },
        }),
      ],
    },
    [
      'metadata.name: Forbidden: Secret "slack-url" is still referenced by Provider "github" (spec.certSecretRef), "slack" (spec.secretRef), which will stop sending notifications; repoint or delete those Providers first',
    ],
  ],
  [
    'is quiet for an unreferenced Secret',
    { operation: 'DELETE', object: secret('apps', 'other', {}), cluster: [slackProvider()] },
    [],
  ],
]);
