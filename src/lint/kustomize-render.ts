/**
 * A directory holding a kustomization is linted as Flux applies it: rendered by `kustomize build`
 * or, failing that, `kubectl kustomize`, whichever is on PATH first in that order. Each rendered
 * object is traced back to the file that defines it (by group, kind and name), so that findings
 * point at a line a reviewer can open; an object that kustomize renamed points at the
 * kustomization file. Without either tool the directory is read as plain files.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { LoadedObject } from '../cluster/manifests.ts';
import { loadManifests, ManifestError, parseManifests } from '../cluster/manifests.ts';
import { parseApiVersion } from '../flux/api.ts';

/** The kustomization file names kustomize looks for. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A tool that renders a kustomization, and how to call it. */
export interface Renderer {
  readonly tool: 'kustomize' | 'kubectl';
  readonly path: string;
  readonly args: (dir: string) => string[];
}

/** The kustomization file of `dir`, or undefined when it has none. */
export function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** The renderer on `PATH` (kustomize first, then kubectl), or undefined. */
export function findRenderer(pathVar: string | undefined): Renderer | undefined {
  const dirs = (pathVar ?? '').split(delimiter).filter((d) => d !== '');
  const find = (name: string) => dirs.map((d) => join(d, name)).find((p) => executable(p));
  const kustomize = find('kustomize');
  if (kustomize) return { tool: 'kustomize', path: kustomize, args: (dir) => ['build', dir] };
  const kubectl = find('kubectl');
  if (kubectl) return { tool: 'kubectl', path: kubectl, args: (dir) => ['kustomize', dir] };
  return undefined;
}

/** Renders `dir` and traces each object to its file; a failing render is a ManifestError. */
export async function loadRendered(
  dir: string,
  kustomization: string,
  r: Renderer,
  o: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<LoadedObject[]> {
  const text = await new Promise<string>((resolve, reject) => {
    execFile(
      r.path,
      r.args(dir),
      { env: o.env, timeout: o.timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const why =
          (stderr.trim().split('\n')[0] ?? '') || (err.killed ? `no answer within ${o.timeoutMs} ms` : err.message);
        reject(new ManifestError(`${dir}: ${r.tool} ${r.args(dir).join(' ')} failed: ${why}`));
      },
    );
  });
  const rendered = parseManifests(text, `${kustomization} (rendered)`);
  const origins = new Map<string, LoadedObject>();
  for (const l of await loadManifests(dir).catch(() => [])) origins.set(identity(l), l);
  return rendered.map((l) => {
    const origin = origins.get(identity(l));
    return {
      object: l.object,
      source: origin?.source ?? kustomization,
      line: origin?.line ?? 1,
      ...(origin?.column !== undefined ? { column: origin.column } : {}),
    };
  });
}

function identity(l: LoadedObject): string {
  const o = l.object;
  return `${parseApiVersion(String(o.apiVersion ?? '')).group}\u0000${String(o.kind)}\u0000${o.metadata?.name ?? ''}`;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
