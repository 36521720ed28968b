import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * notification-controller's `eventMatchesAlertSource` compares eventSources[].namespace with the
 * involved object's namespace exactly: "*" (or "team-*") is a namespace name that never exists.
 */
export const alertSourceNamespaceWildcard: Rule = {
  id: 'alert-source-namespace-wildcard',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'eventSources[].namespace "*" is not a wildcard in Flux; the source matches no event.',
  remediation: "Omit namespace to match the Alert's own namespace, or add one event source per namespace.",
  follows: '`eventMatchesAlertSource` (namespace compared exactly)',
  check({ alert }) {
    const out: FieldError[] = [];
    alert.eventSources.forEach((s, i) => {
      if (s.namespace?.includes('*')) {
        out.push(
          fieldError(
            'Invalid',
            field('spec', 'eventSources').index(i).child('namespace'),
            s.namespace,
            'Flux compares namespaces exactly and "*" is not a wildcard, so this source matches no event; omit namespace to match the Alert\'s own namespace, or add one event source per namespace',
          ),
        );
      }
    });
    return out;
  },
};
