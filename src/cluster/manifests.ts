/**
 * Reads Kubernetes objects from YAML manifests: a file or a directory tree of `.yaml`/`.yml`/`.json`
 * files, multi-document files and `kind: List` included.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../flux/objects.ts';

/** An object with the file it came from, for error messages. */
export interface LoadedObject {
  readonly object: KubeObject;
  readonly source: string;
}

/** A manifest that could not be read; loading stops on it. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Parses every document of one YAML text; `source` names it in errors. */
export function parseManifests(text: string, source: string): LoadedObject[] {
  const out: LoadedObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0];
      throw new ManifestError(`${source}${line ? `:${line.line}:${line.col}` : ''}: ${err.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new ManifestError(`${source}: a document is not a Kubernetes object`);
    const obj = value as KubeObject;
    if (obj.kind === 'List' || (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj['items']))) {
      for (const item of obj['items'] as unknown[]) out.push({ object: item as KubeObject, source });
      continue;
    }
    out.push({ object: obj, source });
  }
  return out;
}

/** Loads every manifest below `path` (a file or a directory), in a stable order. */
export async function loadManifests(path: string): Promise<LoadedObject[]> {
  const files = await manifestFiles(path);
  const out: LoadedObject[] = [];
  for (const f of files) out.push(...parseManifests(await readFile(f, 'utf8'), f));
  return out;
}

/** The manifest files below `path` (a file or a directory), sorted. */
export async function manifestFiles(path: string): Promise<string[]> {
  let s;
  try {
    s = await stat(path);
  } catch (cause) {
    throw new ManifestError(`${path}: no such file or directory`, { cause });
  }
  if (s.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
