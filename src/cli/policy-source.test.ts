import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { openDirCluster } from '../../test/support/dir-cluster.ts';
import { openPolicySource } from './policy-source.ts';

const HEAD = 'apiVersion: notify-guard.fluxcd.community/v1alpha1\nkind: NotifyGuardPolicy\n';

test('the policy file is reloaded when it changes; an unusable version keeps the last good one in force, and says so', async () => {
  const dir = tempDir('policy-source');
  const file = join(dir, 'policy.yaml');
  await writeFile(file, `${HEAD}spec: {rules: {alert-source-exists: off}}\n`);
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(c: Buffer, _e, cb) {
        logs.push(c.toString());
        cb();
      },
    }),
  );
  const source = await openPolicySource({
    rules: ALL_RULES,
    policyFile: file,
    namespaces: undefined,
    logger,
    fileReloadMs: 3_600_000,
  });
  try {
    assert.equal(source.holder.policy.actions['alert-source-exists'], 'off');
    await writeFile(file, `${HEAD}spec: {rules: {alert-source-exists: deny}}\n`);
    await source.reloadFile();
    assert.equal(source.holder.policy.actions['alert-source-exists'], 'deny');
    await writeFile(file, `${HEAD}spec: {rules: {alert-source-exists: block}}\n`);
    await source.reloadFile();
    assert.equal(source.holder.policy.actions['alert-source-exists'], 'deny');
    assert.equal(source.holder.source(), `policy file ${file}`);
    const warning = JSON.parse(logs.at(-1)!) as { msg: string; err: { message: string } };
    assert.equal(warning.msg, 'policy file changed but cannot be used; the last good policy stays in force');
    assert.equal(
      warning.err.message,
      `${file}: spec.rules.alert-source-exists: Invalid option: expected one of "deny"|"warn"|"off"`,
    );
  } finally {
    source.stop();
  }
});

test('with --cluster-dir, Namespace objects there give the conventions their labels, read once with the manifests', async () => {
  const dir = tempDir('policy-source');
  await writeFile(
    join(dir, 'ns.yaml'),
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: payments, labels: {team: payments}}\n---\n' +
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: bare}\n',
  );
  const logger = createLogger('silent');
  const cluster = await openDirCluster(dir, logger);
  const source = await openPolicySource({
    rules: ALL_RULES,
    policyFile: undefined,
    namespaces: cluster.namespaces,
    logger,
  });
  try {
    assert.deepEqual(source.namespaces.labels('payments'), { team: 'payments' });
    assert.deepEqual(source.namespaces.labels('bare'), {});
    assert.equal(source.namespaces.labels('other'), undefined);
  } finally {
    source.stop();
  }
});
