import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { credentialPairProblem } from '../../flux/credential-pair.ts';

/**
 * `username` without `password` (or the reverse) in the secretRef Secret: notification-controller's
 * `extractAuthFromSecret` drops the Secret's credentials (fluxcd/pkg `AuthMethodsFromSecret` fails)
 * and still sends. A warning: a webhook URL delivers without them.
 */
export const providerCredentialsPair: Rule = {
  id: 'provider-credentials-pair',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'The secretRef Secret has username without password (or the reverse): Flux drops its username, password and token, and sends without them.',
  remediation: 'Supply username and password together, or remove the one that is alone.',
  follows: '`extractAuthFromSecret` → fluxcd/pkg `AuthMethodsFromSecret`',
  check({ provider: p, cluster }) {
    const secret = p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined;
    if (!p.secretRef || !secret || secret.keysKnown === false) return [];
    const problem = credentialPairProblem(secret.keys);
    if (!problem) return [];
    return [
      fieldError(
        'Invalid',
        field('spec', 'secretRef', 'name'),
        p.secretRef,
        `Secret ${quote(p.secretRef)} has ${problem.detail}`,
      ),
    ];
  },
};
