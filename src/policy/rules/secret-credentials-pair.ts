import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { credentialPairProblem } from '../../flux/credential-pair.ts';

/**
 * The Secret side of provider-credentials-pair: a Secret a Provider reads through secretRef with
 * `username` without `password` (or the reverse). notification-controller's `extractAuthFromSecret`
 * then drops its credentials and still sends: a warning.
 */
export const secretCredentialsPair: Rule = {
  id: 'secret-credentials-pair',
  kind: 'Secret',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    "A Secret read through a Provider's secretRef has username without password (or the reverse): Flux drops its credentials and sends without them.",
  remediation: 'Supply username and password together, or remove the one that is alone.',
  follows: '`extractAuthFromSecret` → fluxcd/pkg `AuthMethodsFromSecret`',
  check({ secret, cluster, namespace, name }) {
    const problem = secret ? credentialPairProblem(secret.keys) : undefined;
    if (!problem) return [];
    const out: FieldError[] = [];
    for (const ref of cluster.providersReferencingSecret(namespace, name)) {
      if (ref.field !== 'secretRef') continue;
      out.push(
        fieldError(
          'Required',
          field('data').key(problem.key),
          undefined,
          `read by Provider ${quote(providerView(ref.provider).name)} (spec.secretRef): ${problem.detail}`,
        ),
      );
    }
    return out;
  },
};
