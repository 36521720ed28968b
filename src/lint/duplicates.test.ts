import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateLocations } from './duplicates.ts';
import { slackProvider } from '../../test/support/objects.ts';

test('duplicates: same group, kind, namespace and name at different places; versions of one group are one object', () => {
  const at = (source: string, line: number, version = 'v1beta3') => ({
    object: { ...slackProvider('apps'), apiVersion: `notification.toolkit.fluxcd.io/${version}` },
    source,
    line,
  });
  const other = { object: { ...slackProvider('team-b') }, source: 'b.yaml', line: 1 };
  assert.deepEqual(
    [...duplicateLocations([at('a.yaml', 1), other, at('c.yaml', 5, 'v1beta2')], [at('a.yaml', 1)])],
    [
      [0, ['c.yaml:5']],
      [2, ['a.yaml:1']],
    ],
  );
  assert.deepEqual(
    [...duplicateLocations([at('a.yaml', 1)], [at('./a.yaml', 1)])],
    [],
    'one file read as PATH and as context is one object',
  );
});
