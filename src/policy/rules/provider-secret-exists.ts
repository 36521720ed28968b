import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { PROVIDER_SECRET_REFS, providerSecretRef, providerView } from '../../flux/objects.ts';

/** secretRef, certSecretRef and proxySecretRef are local references. */
export const providerSecretExists: Rule = {
  id: 'provider-secret-exists',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  reportsMissing: true,
  description: 'Every Secret a Provider references (secretRef, certSecretRef, proxySecretRef) must exist in the Provider\'s namespace.',
  remediation: 'Create the Secret in the Provider\'s namespace before the Provider, or correct the name.',
  check({ object, cluster }) {
    const p = providerView(object);
    const out: FieldError[] = [];
    for (const ref of PROVIDER_SECRET_REFS) {
      const name = providerSecretRef(p, ref);
      if (!name || cluster.getSecret(p.namespace, name)) continue;
      const elsewhere = cluster.secretNamespaces(name).filter((ns) => ns !== p.namespace);
      const hint = elsewhere.length > 0
        ? `; a Secret of that name exists in namespace ${elsewhere.map(quote).join(', ')}, but Secret references are local: create it in ${quote(p.namespace)}`
        : `; create the Secret in ${quote(p.namespace)} before the Provider, or correct the name`;
      out.push(fieldError('NotFound', field('spec', ref, 'name'), name, `no Secret ${quote(name)} in namespace ${quote(p.namespace)}${hint}`));
    }
    return out;
  },
};
