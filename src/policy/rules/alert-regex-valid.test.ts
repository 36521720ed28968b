import { alert } from '../../../test/support/objects.ts';
import { ruleTable as table } from '../../../test/support/run-rule.ts';
import { alertRegexValid } from './alert-regex-valid.ts';

const KS_ALL = { kind: 'Kustomization', name: '*' };

const regexAlert = (lists: Record<string, string[]>) =>
  alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [KS_ALL], ...lists });

table(alertRegexValid, [
  [
    'rejects an inclusionList in which no pattern compiles: messageIsIncluded then includes nothing',
    { object: regexAlert({ inclusionList: ['(failed'] }) },
    [
      'spec.inclusionList[0]: Invalid value: "(failed": error parsing regexp: missing closing ): `(failed`; no inclusionList entry compiles, so Flux includes no event and this Alert never sends; Flux uses RE2 (Go regexp) syntax: no look-around or back-references',
    ],
  ],
  [
    'rejects look-behind, which JavaScript accepts and RE2 does not, when it is the only inclusion pattern',
    { object: regexAlert({ inclusionList: ['(?<!health)check'] }) },
    [
      'spec.inclusionList[0]: Invalid value: "(?<!health)check": error parsing regexp: invalid named capture: `(?<!health)check`; no inclusionList entry compiles, so Flux includes no event and this Alert never sends; Flux uses RE2 (Go regexp) syntax: no look-around or back-references',
    ],
  ],
  [
    'allows one bad inclusion pattern next to a good one: the Alert still sends (alert-regex-ignored warns)',
    { object: regexAlert({ inclusionList: ['.*succeeded.*', '(failed'] }) },
    [],
  ],
  ['allows a bad exclusion pattern: the Alert still sends', { object: regexAlert({ exclusionList: ['(a)\\1'] }) }, []],
  [
    'allows RE2 patterns, including Go-only syntax such as \\z and (?P<name>)',
    { object: regexAlert({ inclusionList: ['^Reconciliation.*\\z', '(?P<rev>main@sha1:[0-9a-f]+)'] }) },
    [],
  ],
]);
