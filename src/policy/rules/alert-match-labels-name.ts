import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';

/** Flux reads matchLabels only when the source name is "*". */
export const alertMatchLabelsName: Rule = {
  id: 'alert-match-labels-name',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'matchLabels is ignored unless the event source name is "*".',
  remediation: 'Set name: "*" to select by labels, or remove matchLabels.',
  check({ object }) {
    const out: FieldError[] = [];
    alertView(object).eventSources.forEach((s, i) => {
      if (s.matchLabels && Object.keys(s.matchLabels).length > 0 && s.name !== '*') {
        out.push(fieldError('Forbidden', field('spec', 'eventSources').index(i).child('matchLabels'), undefined,
          `Flux ignores matchLabels unless name is "*", and this source names ${quote(s.name)}; set name: "*" to select by labels, or remove matchLabels`));
      }
    });
    return out;
  },
};
