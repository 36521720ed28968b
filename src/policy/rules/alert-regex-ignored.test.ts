import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertRegexIgnored } from './alert-regex-ignored.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

const regexAlert = (lists: Record<string, string[]>) =>
  alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL], ...lists });

table(alertRegexIgnored, [
  [
    'warns about a bad inclusion pattern next to a good one, with the index and the compile error',
    { object: regexAlert({ inclusionList: ['.*succeeded.*', '(failed'] }) },
    [
      'spec.inclusionList[1]: Invalid value: "(failed": error parsing regexp: missing closing ): `(failed`; Flux skips this pattern, so it includes nothing; RE2 (Go regexp) has no look-around or back-references',
    ],
  ],
  [
    'warns about back-references in an exclusion pattern, which then excludes nothing',
    { object: regexAlert({ exclusionList: ['(a)\\1'] }) },
    [
      'spec.exclusionList[0]: Invalid value: "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1`; Flux skips this pattern, so it excludes nothing; RE2 (Go regexp) has no look-around or back-references',
    ],
  ],
  [
    'leaves an inclusionList where nothing compiles to alert-regex-valid',
    { object: regexAlert({ inclusionList: ['(failed'] }) },
    [],
  ],
]);
