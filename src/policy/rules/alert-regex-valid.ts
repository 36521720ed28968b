import type { Rule } from '../rule.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import { re2Verdict } from '../../flux/re2.ts';

/**
 * notification-controller's `messageIsIncluded` compiles each inclusionList entry with Go's RE2 and
 * skips one that fails: when no entry compiles, nothing is included and the Alert never sends.
 * That case is denied here; a single bad entry among good ones, and any bad exclusionList entry
 * (`messageIsExcluded` then excludes nothing), leave the Alert sending and are warnings
 * (`alert-regex-ignored`). A pattern over notify-guard's compile caps (re2.ts) is not judged here:
 * Flux compiles it, so it is a warning (`alert-regex-ignored`), never a reason to deny.
 */
export const alertRegexValid: Rule = {
  id: 'alert-regex-valid',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description:
    'At least one inclusionList entry must compile as RE2 (Go regexp): when none does, Flux includes no event and the Alert never sends.',
  remediation: 'Rewrite the patterns in RE2 syntax: no look-around, no back-references.',
  follows: '`messageIsIncluded` (a pattern that fails to compile is skipped)',
  check({ alert }) {
    const list = alert.inclusionList;
    const verdicts = list.map((p) => re2Verdict(p));
    const errors = verdicts.map((v) => (v.kind === 'invalid' ? v.error : undefined));
    if (list.length === 0 || errors.some((e) => e === undefined)) return [];
    return list.map((pattern, i) =>
      fieldError(
        'Invalid',
        field('spec', 'inclusionList').index(i),
        pattern,
        `${errors[i]}; no inclusionList entry compiles, so Flux includes no event and this Alert never sends; Flux uses RE2 (Go regexp) syntax: no look-around or back-references`,
      ),
    );
  },
};
