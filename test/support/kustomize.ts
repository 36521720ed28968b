/**
 * Renders the project's kustomizations with `kubectl kustomize`, as an admin's `kubectl apply -k`
 * would; tests that need it skip where kubectl is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

/** A rendered object, read loosely (tests navigate into specs). */
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The reason to skip kustomize tests, or false when kubectl is on PATH. */
export const kustomizeSkip =
  spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0 ? 'kubectl is not installed' : false;

const rendered = new Map<string, Obj[]>();

/**
 * The objects `kubectl kustomize` renders from `dir` (relative to the repository root): rendered
 * once per test file, each caller getting its own copy to navigate or change.
 */
export function renderKustomization(dir: string): Obj[] {
  let objects = rendered.get(dir);
  if (!objects) {
    const r = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
    rendered.set(dir, objects);
  }
  return structuredClone(objects);
}
