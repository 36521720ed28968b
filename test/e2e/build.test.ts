/**
 * The container runs the compiled JavaScript, not the TypeScript sources: compile as the
 * Dockerfile does and run the result.
 *
 * Under `npm test`, test/run.ts's type check also emits the whole project with tsconfig.json's
 * options (env NOTIFY_GUARD_TEST_BUILD names where) and this test runs after it: when
 * tsconfig.build.json only narrows tsconfig.json's files, its JavaScript is that emit's, so the
 * test copies the files it selects instead of compiling them a second time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** tsconfig.build.json, when it is tsconfig.json's options on the files `include` minus `exclude`. */
function narrowingOnly(): { include: string[]; exclude: string[] } | undefined {
  const config: unknown = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
  if (typeof config !== 'object' || config === null) return undefined;
  const { extends: base, include, exclude, ...rest } = config as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((e) => typeof e === 'string');
  if (base !== './tsconfig.json' || Object.keys(rest).length > 0 || !strings(include)) return undefined;
  if (exclude !== undefined && !strings(exclude)) return undefined;
  return { include, exclude: exclude ?? [] };
}

/** Fills `out` with the build's JavaScript: copied from `emitted` when that is the same, else compiled. */
function build(out: string, emitted: string | undefined): void {
  const files = narrowingOnly();
  if (emitted !== undefined && files !== undefined) {
    for (const ts of globSync(files.include, { cwd: ROOT, exclude: files.exclude })) {
      const js = ts.replace(/\.ts$/, '.js');
      mkdirSync(dirname(join(out, js)), { recursive: true });
      copyFileSync(join(emitted, js), join(out, js));
    }
    return;
  }
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
}

test('the compiled build runs: every command prints its flags', () => {
  // Inside the checkout, so that the compiled code resolves node_modules as it does in the image.
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const out = tempDir('build-test', join(ROOT, '.local'));
  build(out, process.env['NOTIFY_GUARD_TEST_BUILD']);
  for (const command of ['webhook', 'relay', 'certs']) {
    const run = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), command, '--help'], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 100_000,
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
  const check = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: ROOT, timeout: 100_000 });
  assert.equal(check.status, 0, check.stderr);
  assert.equal(check.stdout, '{"drained":true,"outcomes":[["slack","e:0","skipped"]]}\n', check.stderr);
});
