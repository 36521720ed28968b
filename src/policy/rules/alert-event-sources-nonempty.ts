import type { Rule } from '../rule.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * An empty eventSources list passes the CRD schema and matches no event: notification-controller's
 * `eventMatchesAlertSources` looks for one matching source and finds none.
 */
export const alertEventSourcesNonempty: Rule = {
  id: 'alert-event-sources-nonempty',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'spec.eventSources must list at least one source: an empty list matches no event.',
  remediation: 'Add an entry such as {kind: Kustomization, name: "*"}.',
  follows: '`eventMatchesAlertSources`',
  check({ alert }) {
    if (alert.eventSources.length > 0) return [];
    return [
      fieldError(
        'Required',
        field('spec', 'eventSources'),
        undefined,
        'an Alert without event sources matches no event; add at least one, e.g. {kind: Kustomization, name: "*"}',
      ),
    ];
  },
};
