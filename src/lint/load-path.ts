/**
 * Reads one PATH given to `lint` as Flux's kustomize-controller would apply it: a directory that
 * holds kustomizations (itself or below) has each top-most one rendered, with kustomize or kubectl
 * from PATH, and its other files read as they are; without either tool, or when a render fails,
 * the files are read as they are and a note says so. Context is read leniently: a file in it
 * that is not a manifest is skipped, with one note for all.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { LoadedObject } from '../cluster/manifests.ts';
import { ManifestError, manifestFiles, parseManifests } from '../cluster/manifests.ts';
import type { Renderer } from './kustomize-render.ts';
import { findRenderer, kustomizationFile, loadRendered } from './kustomize-render.ts';

/** How to read a PATH. */
export interface LoadPathOptions {
  /** Context is read leniently. */
  readonly context: boolean;
  /** PATH (for kustomize or kubectl) and the environment they run with. */
  readonly env: NodeJS.ProcessEnv;
  readonly renderTimeoutMs: number;
  /** Receives each note, without the program name. */
  note(message: string): void;
}

/** Loads a file or directory (not stdin). */
export async function loadPath(path: string, o: LoadPathOptions): Promise<LoadedObject[]> {
  const files = await manifestFiles(path);
  const isDir = (await stat(path)).isDirectory();
  const roots = isDir ? kustomizationRoots(path, files) : [];
  const renderer = roots.length > 0 ? findRenderer(o.env['PATH']) : undefined;
  if (roots.length > 0 && !renderer) {
    o.note(
      `${path} holds ${roots.map((r) => kustomizationFile(r)).join(', ')}, but neither kustomize nor kubectl is on PATH: linted as plain files, so patches are read as objects and overlays are not applied`,
    );
  }
  const rendered = renderer ? roots : [];
  const out: LoadedObject[] = [];
  const skipped: string[] = [];
  const plain = async (f: string) => {
    try {
      out.push(...parseManifests(await readFile(f, 'utf8'), f));
    } catch (err) {
      if (!(err instanceof ManifestError) || !o.context) throw err;
      skipped.push(err.message);
    }
  };
  for (const f of files) if (!rendered.some((r) => under(f, r))) await plain(f);
  for (const root of rendered) {
    try {
      out.push(
        ...(await loadRendered(root, kustomizationFile(root)!, renderer!, {
          env: o.env,
          timeoutMs: o.renderTimeoutMs,
        })),
      );
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      o.note(`${err.message}; its files are linted as plain files`);
      for (const f of files) if (under(f, root)) await plain(f);
    }
  }
  if (renderer && rendered.length > 0)
    o.note(`rendered with ${renderer.tool} (${describe(renderer, '<dir>')}): ${rendered.join(', ')}`);
  if (skipped.length > 0)
    o.note(
      `--context ${path}: skipped ${skipped.length === 1 ? '1 file that is not a Kubernetes manifest' : `${skipped.length} files that are not Kubernetes manifests`} (first: ${skipped[0]})`,
    );
  return out;
}

/** The top-most directories at or below `dir` holding a kustomization, in a stable order. */
function kustomizationRoots(dir: string, files: readonly string[]): string[] {
  const candidates = [...new Set([dir, ...files.map((f) => dirname(f))])]
    .filter((d) => kustomizationFile(d) !== undefined)
    .sort();
  return candidates.filter((d) => !candidates.some((other) => other !== d && under(d, other)));
}

/** True when `path` is `dir` or inside it. */
function under(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

function describe(r: Renderer, dir: string): string {
  return [r.path, ...r.args(dir)].join(' ');
}
