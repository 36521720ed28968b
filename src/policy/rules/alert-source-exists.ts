import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * A source with a concrete name whose object does not exist sends nothing (yet): no such object
 * emits events for notification-controller's `eventMatchesAlertSource` to match. A warning: the
 * object may be about to be created.
 */
export const alertSourceExists: Rule = {
  id: 'alert-source-exists',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'An event source with a concrete name should name an object that exists.',
  remediation: 'Correct the kind, name or namespace, or ignore this if the object is about to be created.',
  follows: '`eventMatchesAlertSource` (name compared exactly)',
  check({ alert: a, cluster }) {
    const out: FieldError[] = [];
    a.eventSources.forEach((s, i) => {
      if (s.name === '*' || s.name === '' || !cluster.tracksSourceKind(s.kind)) return;
      const ns = s.namespace ?? a.namespace;
      if (ns.includes('*') || cluster.getSource(s.kind, ns, s.name)) return;
      out.push(
        fieldError(
          'NotFound',
          field('spec', 'eventSources').index(i).child('name'),
          s.name,
          `no ${s.kind} ${quote(s.name)} in namespace ${quote(ns)}; this source sends nothing until it exists; correct the kind, name or namespace, unless the object is about to be created`,
        ),
      );
    });
    return out;
  },
};
