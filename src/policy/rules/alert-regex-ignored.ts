import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { re2Verdict } from '../../flux/re2.ts';

/**
 * Patterns notification-controller skips while the Alert still sends: `messageIsIncluded` skips an
 * inclusionList entry that does not compile (another one does: see alert-regex-valid), and
 * `messageIsExcluded` skips such an exclusionList entry (it excludes nothing). Both record an
 * `InvalidConfig` Warning event each time. A warning. So is a pattern over notify-guard's compile
 * caps (re2.ts): it is not compiled here, so it is neither judged nor ever a reason to deny.
 */
export const alertRegexIgnored: Rule = {
  id: 'alert-regex-ignored',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'An inclusionList entry (while another compiles) or exclusionList entry that RE2 cannot compile: Flux skips it and records a Warning event on every event. A pattern over the compile caps of notify-guard is not compiled here, and said so.',
  remediation: 'Rewrite the pattern in RE2 syntax: no look-around, no back-references.',
  follows: '`messageIsIncluded`, `messageIsExcluded`',
  check({ alert: a }) {
    const out: FieldError[] = [];
    const includes = a.inclusionList.map((p) => re2Verdict(p));
    const someInclusionMaySend = includes.some((v) => v.kind !== 'invalid');
    a.inclusionList.forEach((pattern, i) => {
      const v = includes[i]!;
      if (v.kind === 'unchecked') out.push(unchecked('inclusionList', i, v.reason));
      else if (v.kind === 'invalid' && someInclusionMaySend)
        out.push(ignored('inclusionList', i, pattern, v.error, 'includes nothing'));
    });
    a.exclusionList.forEach((pattern, i) => {
      const v = re2Verdict(pattern);
      if (v.kind === 'unchecked') out.push(unchecked('exclusionList', i, v.reason));
      else if (v.kind === 'invalid') out.push(ignored('exclusionList', i, pattern, v.error, 'excludes nothing'));
    });
    return out;
  },
};

function ignored(list: string, i: number, pattern: string, error: string, effect: string): FieldError {
  return fieldError(
    'Invalid',
    field('spec', list).index(i),
    pattern,
    `${error}; Flux skips this pattern, so it ${effect}; RE2 (Go regexp) has no look-around or back-references`,
  );
}

function unchecked(list: string, i: number, reason: string): FieldError {
  // The value is left out: a pattern over the caps is long, and a warning is cut at 256 characters.
  return fieldError(
    'Invalid',
    field('spec', list).index(i),
    undefined,
    `${reason}; not compiled here (Flux compiles it)`,
  );
}
