/**
 * Temporary directories for tests, removed when the test file's tests have finished (a journal
 * is at least 4 MiB of preallocated zeros, so leaving them behind fills /tmp run after run).
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/** Makes `<parent>/ng-<name>-XXXXXX` (parent: the OS temp directory) and removes it after this file's tests. */
export function tempDir(name: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `ng-${name}-`));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    // Also on exit: a file whose tests fail or time out still cleans up.
    after(removeAll);
    process.once('exit', removeAll);
  }
  return dir;
}

function removeAll(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
