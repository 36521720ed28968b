/**
 * The container runs the compiled JavaScript, not the TypeScript sources: compile as the
 * Dockerfile does and run the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

test('the compiled build runs: every command prints its flags', () => {
  // Inside the checkout, so that the compiled code resolves node_modules as it does in the image.
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.local', 'build-test-'));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  for (const command of ['webhook', 'relay', 'certs']) {
    const run = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), command, '--help'], { encoding: 'utf8', cwd: ROOT, timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Usage: notify-guard ${command} \\[flags\\]\n`));
  }
});
