import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';
import { re2CompileError } from '../../flux/re2.ts';

/** Flux compiles inclusionList/exclusionList with Go's RE2; a pattern that fails never matches. */
export const alertRegexValid: Rule = {
  id: 'alert-regex-valid',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'Every inclusionList and exclusionList entry must compile as RE2 (Go regexp); Flux silently ignores one that does not.',
  remediation: 'Rewrite the pattern in RE2 syntax: no look-around, no back-references.',
  check({ object }) {
    const a = alertView(object);
    const out: FieldError[] = [];
    for (const list of ['inclusionList', 'exclusionList'] as const) {
      a[list].forEach((pattern, i) => {
        const error = re2CompileError(pattern);
        if (error) out.push(fieldError('Invalid', field('spec', list).index(i), pattern, `${error}; Flux uses RE2 (Go regexp) syntax: no look-around or back-references`));
      });
    }
    return out;
  },
};
