import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';
import { re2CompileError } from '../../flux/re2.ts';

/**
 * Patterns notification-controller skips while the Alert still sends: `messageIsIncluded` skips an
 * inclusionList entry that does not compile (another one does: see alert-regex-valid), and
 * `messageIsExcluded` skips such an exclusionList entry (it excludes nothing). Both record an
 * `InvalidConfig` Warning event each time. A warning.
 */
export const alertRegexIgnored: Rule = {
  id: 'alert-regex-ignored',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'An inclusionList entry (while another compiles) or exclusionList entry that RE2 cannot compile: Flux skips it and records a Warning event on every event.',
  remediation: 'Rewrite the pattern in RE2 syntax: no look-around, no back-references.',
  follows: '`messageIsIncluded`, `messageIsExcluded`',
  check({ object }) {
    const a = alertView(object);
    const out: FieldError[] = [];
    const includes = a.inclusionList.map((p) => re2CompileError(p));
    const someInclusionCompiles = includes.some((e) => e === undefined);
    a.inclusionList.forEach((pattern, i) => {
      if (includes[i] && someInclusionCompiles) out.push(ignored('inclusionList', i, pattern, includes[i]!, 'includes nothing'));
    });
    a.exclusionList.forEach((pattern, i) => {
      const error = re2CompileError(pattern);
      if (error) out.push(ignored('exclusionList', i, pattern, error, 'excludes nothing'));
    });
    return out;
  },
};

function ignored(list: string, i: number, pattern: string, error: string, effect: string): FieldError {
  return fieldError('Invalid', field('spec', list).index(i), pattern,
    `${error}; Flux skips this pattern, so it ${effect}; RE2 (Go regexp) has no look-around or back-references`);
}
