import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * A source in another namespace works only while Flux runs without --no-cross-namespace-refs:
 * notification-controller's `getNotificationParams` refuses such events when the flag is set.
 * Warn by default; the policy's `flux.noCrossNamespaceRefs: true` makes it deny.
 */
export const alertCrossNamespaceSource: Rule = {
  id: 'alert-cross-namespace-source',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'An event source in another namespace is dropped when Flux runs with --no-cross-namespace-refs.',
  remediation: 'Put the Alert in the namespace of the objects it watches, or remove the namespace.',
  follows: '`getNotificationParams` (`--no-cross-namespace-refs`)',
  check({ alert: a, policy }) {
    const out: FieldError[] = [];
    const why = policy.noCrossNamespaceRefs
      ? 'this cluster runs Flux with --no-cross-namespace-refs, which drops events from other namespaces'
      : 'events from other namespaces are dropped if Flux runs with --no-cross-namespace-refs';
    a.eventSources.forEach((s, i) => {
      if (s.namespace === undefined || s.namespace === a.namespace || s.namespace.includes('*')) return;
      out.push(
        fieldError(
          'Forbidden',
          field('spec', 'eventSources').index(i).child('namespace'),
          s.namespace,
          `source namespace ${quote(s.namespace)} differs from the Alert's namespace ${quote(a.namespace)}: ${why}; create this Alert (and its Provider) in ${quote(s.namespace)}`,
        ),
      );
    });
    return out;
  },
};
