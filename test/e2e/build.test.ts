/**
 * The container runs the compiled JavaScript, not the TypeScript sources: compile as the
 * Dockerfile does and run the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('the compiled build runs: every command prints its flags', () => {
  // Inside the checkout, so that the compiled code resolves node_modules as it does in the image.
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const out = tempDir('build-test', join(ROOT, '.local'));
  const tsc = spawnSync(
    process.execPath,
    // --noCheck: `npm test` type-checks these files with the same options (tsconfig.build.json extends
    // tsconfig.json, which includes them); the emitted JavaScript is the same with or without it.
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--noCheck',
      '--outDir',
      out,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  for (const command of ['webhook', 'relay', 'certs']) {
    const run = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), command, '--help'], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 20_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Usage: notify-guard ${command} \\[flags\\]\n`));
  }
  // The relay's delivery thread is a separate script: the compiled one must be found and run.
  const script = join(out, 'delivery-thread-check.mjs');
  writeFileSync(
    script,
    [
      `const { startDeliveryThread } = await import(${JSON.stringify(join(out, 'src', 'relay', 'delivery-thread.js'))});`,
      `const { createLogger } = await import(${JSON.stringify(join(out, 'src', 'observability', 'logger.js'))});`,
      `const outcomes = [];`,
      `const thread = startDeliveryThread({ pacing: { perSecond: 10, burst: 10 }, backoff: { baseMs: 10, maxMs: 10 }, maxAgeMs: 60000, sendTimeoutMs: 1000 },`,
      `  { resolve: async () => ({ kind: 'skipped', reason: 'Provider suspended' }), onDone: (q, j, o) => outcomes.push([q, j.id, o]), onDead: () => {}, onAttempt: () => {} }, createLogger('info'));`,
      `thread.enqueue('slack', { id: 'e:0', destination: 'apps/slack', acceptedAt: Date.now(), event: { message: 'm' }, metadata: {} });`,
      `const drained = await thread.drain(10000);`,
      `await thread.stop();`,
      `console.log(JSON.stringify({ drained, outcomes }));`,
    ].join('\n'),
  );
  const check = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: ROOT, timeout: 20_000 });
  assert.equal(check.status, 0, check.stderr);
  assert.equal(check.stdout, '{"drained":true,"outcomes":[["slack","e:0","skipped"]]}\n', check.stderr);
});
