import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { AUDIT_SLICE, auditFindings, auditFindingsInSlices } from './audit-command.ts';
import { snapshotFromDir } from './cluster-snapshot.ts';
import { loadPolicyFile } from '../policy/policy-file.ts';
import { ALL_RULES } from '../policy/rules/index.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

test('the periodic audit judges in slices: the same findings in the same order, one turn of the event loop per slice', async () => {
  const snapshot = await snapshotFromDir(join(EXAMPLES, 'platform'));
  const policy = await loadPolicyFile(join(EXAMPLES, 'platform', 'policy.yaml'), ALL_RULES);
  // Enough subjects for three slices: the example's Alerts and Providers, repeated.
  const copies = Math.ceil((2 * AUDIT_SLICE + 1) / snapshot.subjects.length);
  const subjects = Array.from({ length: copies }, () => snapshot.subjects).flat();
  const big = { ...snapshot, subjects };
  let turns = 0;
  const sliced = await auditFindingsInSlices(big, policy, async () => {
    turns++;
  });
  assert.deepEqual(sliced, auditFindings(big, policy));
  assert.equal(turns, Math.ceil(subjects.length / AUDIT_SLICE));
  assert.ok(sliced.length > 0);
});
