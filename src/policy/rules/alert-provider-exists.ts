import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * providerRef is a local reference: notification-controller's `getNotificationParams` reads the
 * Provider from the Alert's own namespace when an event is sent, and fails the send without it.
 */
export const alertProviderExists: Rule = {
  id: 'alert-provider-exists',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  reportsMissing: true,
  description:
    "spec.providerRef.name must name a Provider in the Alert's own namespace; Flux silently drops events otherwise.",
  remediation: "Create the Provider in the Alert's namespace, or correct the name.",
  follows: "`getNotificationParams` (Provider Get in the Alert's namespace)",
  check({ alert: a, cluster }) {
    if (a.providerName.trim() === '' || cluster.getProvider(a.namespace, a.providerName)) return [];
    const elsewhere = cluster.providerNamespaces(a.providerName).filter((ns) => ns !== a.namespace);
    const where =
      elsewhere.length > 0
        ? `; a Provider of that name exists in namespace ${elsewhere.map(quote).join(', ')}, but provider references are local: create the Provider in ${quote(a.namespace)} or move the Alert there`
        : `; create the Provider in ${quote(a.namespace)}, or correct the name`;
    return [
      fieldError(
        'NotFound',
        field('spec', 'providerRef', 'name'),
        a.providerName,
        `no Provider ${quote(a.providerName)} in namespace ${quote(a.namespace)}${where}`,
      ),
    ];
  },
};
