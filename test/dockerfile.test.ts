/**
 * The Dockerfile cannot be built here (no Docker engine), so its rules are checked as text:
 * multi-stage, Node 24, production dependencies only, no package manager at runtime, a numeric
 * non-root user that matches the pods' runAsUser, the ports the manifests use, and the compiled
 * entry point (test/e2e/build.test.ts runs the same compile and the commands).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
const stages = lines.reduce<string[][]>((acc, l) => {
  if (l.startsWith('FROM ')) acc.push([]);
  acc.at(-1)?.push(l);
  return acc;
}, []);
const runtime = stages.at(-1)!;

test('two stages on Node 24; the runtime stage gets compiled code and production dependencies only', () => {
  assert.equal(stages.length, 2);
  for (const s of stages) assert.match(s[0]!, /^FROM node:24-/);
  assert.ok(stages[0]!.some((l) => l.includes('npm prune --omit=dev')));
  assert.deepEqual(
    runtime.filter((l) => l.startsWith('COPY')),
    [
      'COPY --from=build /src/package.json ./',
      'COPY --from=build /src/node_modules ./node_modules',
      'COPY --from=build /src/dist/src ./dist/src',
    ],
  );
  assert.ok(
    runtime.some(
      (l) => l.startsWith('RUN rm -rf') && l.includes('/usr/local/bin/npm') && l.includes('/usr/local/bin/npx'),
    ),
    'no npm or npx at runtime',
  );
});

test('runs as the numeric non-root user the pods use, exposing the ports the manifests use', () => {
  const user = runtime.find((l) => l.startsWith('USER '))!.split(' ')[1]!;
  assert.match(user, /^[1-9]\d*:[1-9]\d*$/);
  const sts = parse(readFileSync(join(ROOT, 'manifests', 'base', 'statefulset.yaml'), 'utf8')) as {
    spec: {
      template: {
        spec: { securityContext: { runAsUser: number }; containers: { ports: { containerPort: number }[] }[] };
      };
    };
  };
  assert.equal(Number(user.split(':')[0]), sts.spec.template.spec.securityContext.runAsUser);
  const exposed = runtime
    .find((l) => l.startsWith('EXPOSE '))!
    .split(' ')
    .slice(1)
    .map(Number);
  assert.deepEqual(
    exposed,
    sts.spec.template.spec.containers.map((c) => c.ports[0]!.containerPort),
  );
  assert.ok(runtime.includes('ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]'));
});

test('.dockerignore keeps sources the runtime does not need and local state out of the build context', () => {
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['node_modules', '.git', 'test', 'bench', '.local', 'certs', '*.journal'])
    assert.ok(ignored.includes(p), p);
});
