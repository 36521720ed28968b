import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * notification-controller's `eventMatchesAlertSource` applies matchLabels next to a concrete name
 * too: the named object must also carry every label. When the named object exists without them,
 * the source sends nothing. A warning: the labels may be about to be added.
 */
export const alertSourceLabels: Rule = {
  id: 'alert-source-labels',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'An event source with a concrete name and matchLabels names an object that lacks those labels: Flux applies both, so the source sends nothing.',
  remediation: 'Add the labels to the object, or remove matchLabels (the name alone selects it).',
  follows: '`eventMatchesAlertSource` (name, then matchLabels)',
  check({ alert: a, cluster }) {
    const out: FieldError[] = [];
    a.eventSources.forEach((s, i) => {
      if (s.name === '*' || !s.matchLabels || !cluster.tracksSourceKind(s.kind)) return;
      const ns = s.namespace ?? a.namespace;
      const found = cluster.getSource(s.kind, ns, s.name);
      if (!found) return;
      const missing = Object.entries(s.matchLabels)
        .filter(([k, v]) => found.labels?.[k] !== v)
        .map(([k, v]) => `${k}=${v}`);
      if (missing.length === 0) return;
      out.push(
        fieldError(
          'Invalid',
          field('spec', 'eventSources').index(i).child('matchLabels'),
          undefined,
          `${s.kind} ${quote(s.name)} lacks ${missing.map(quote).join(', ')}, and Flux applies matchLabels next to a name too, so this source sends nothing; add the labels or remove matchLabels`,
        ),
      );
    });
    return out;
  },
};
