import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { slackSecretKeyProblems } from '../../flux/slack-secret-requirements.ts';
import { addressProblem } from '../../flux/address.ts';

/**
 * A Secret that a Slack Provider reads through secretRef must keep serving it, as
 * notification-controller's `createNotifier` reads it: an address (key `address`, else the
 * Provider's spec.address), valid and at most 2048 bytes (`extractAuthFromSecret`). Problems the Secret already had before
 * an UPDATE are demoted to warnings by the engine (ratcheting), so only a change that breaks is denied.
 */
export const secretKeysKept: Rule = {
  id: 'secret-keys-kept',
  kind: 'Secret',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description:
    "A Secret referenced by a Provider's secretRef must keep the keys that Provider needs and a valid address.",
  remediation: 'Keep key "address" while Providers reference the Secret, or repoint the Providers first.',
  follows: '`createNotifier`, `extractAuthFromSecret`',
  check({ secret, cluster, policy, namespace, name }) {
    if (!secret) return [];
    const out: FieldError[] = [];
    for (const ref of cluster.providersReferencingSecret(namespace, name)) {
      if (ref.field !== 'secretRef') continue;
      const p = providerView(ref.provider);
      const by = `Provider ${quote(p.name)} (spec.secretRef)`;
      if (p.type === 'slack') {
        for (const problem of slackSecretKeyProblems(p, secret)) {
          out.push(
            fieldError('Required', field('data').key(problem.key), undefined, `needed by ${by}: ${problem.detail}`),
          );
        }
      }
      if (secret.address && policy.checkedProviderTypes.includes(p.type)) {
        const problem = addressProblem(secret.address, policy.allowedHosts);
        if (problem)
          out.push(fieldError('Invalid', field('data').key('address'), undefined, `used by ${by}: ${problem}`));
      }
    }
    return out;
  },
};
