/**
 * Reads Kubernetes objects from YAML manifests: a file or a directory tree of `.yaml`/`.yml`/`.json`
 * files, multi-document files and `kind: List` included. Documents are composed one at a time and
 * each parse tree is dropped once its object is taken, so a 30,000-document file never holds
 * 30,000 trees at once.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Composer, isSeq, LineCounter, Parser } from 'yaml';
import type { KubeObject } from '../flux/objects.ts';

/** An object with the file it came from, for error messages. */
export interface LoadedObject {
  readonly object: KubeObject;
  readonly source: string;
  /** The line (from 1) where the object starts in its file. */
  readonly line: number;
  /** The column (from 1) where the object starts, when known. */
  readonly column?: number;
}

/** A manifest that could not be read; loading stops on it. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Parses every document of one YAML text; `source` names it in errors. */
export function parseManifests(text: string, source: string): LoadedObject[] {
  return [...eachManifest(text, source)];
}

/**
 * The objects of one YAML text, one at a time as documents are composed, so a caller that keeps
 * only part of each (the static view) never holds every parsed object at once.
 */
export function* eachManifest(text: string, source: string): Generator<LoadedObject> {
  const lines = new LineCounter();
  const posOf = (node: unknown, fallback: { line: number; col: number }) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]) : fallback;
  };
  for (const doc of new Composer().compose(new Parser(lines.addNewLine).parse(text))) {
    const err = doc.errors[0];
    if (err) {
      const line = err.pos[0] >= 0 ? lines.linePos(err.pos[0]) : undefined;
      throw new ManifestError(`${source}${line ? `:${line.line}:${line.col}` : ''}: ${parseErrorText(err.message)}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const { line, col } = posOf(doc.contents, posOf(doc, { line: 1, col: 1 }));
    if (!isObject(value)) throw new ManifestError(`${source}:${line}: a document is not a Kubernetes object`);
    const items = value['items'];
    if (value.kind === 'List' && !Array.isArray(items))
      throw new ManifestError(`${source}:${line}: a List without an items list`);
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(items)) {
      const nodes = doc.get('items', true);
      for (const [i, item] of (items as unknown[]).entries()) {
        const at = posOf(isSeq(nodes) ? nodes.items[i] : undefined, { line, col });
        if (!isObject(item))
          throw new ManifestError(`${source}:${at.line}: item ${i} of a ${value.kind} is not a Kubernetes object`);
        yield { object: item, source, line: at.line, column: at.col };
      }
      continue;
    }
    yield { object: value, source, line, column: col };
  }
}

/**
 * The yaml library's message without what the prefix already says (the caller prints
 * `file:L:C:` itself): its first line, without the ` at line L, column C:` it would end with had
 * it been prettified.
 */
function parseErrorText(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

function isObject(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loads every manifest below `path` (a file or a directory), in a stable order. */
export async function loadManifests(path: string): Promise<LoadedObject[]> {
  const files = await manifestFiles(path);
  const out: LoadedObject[] = [];
  // One push per object: spreading a 100,000-object file into push() overflows the call stack.
  for (const f of files) for (const l of parseManifests(await readFile(f, 'utf8'), f)) out.push(l);
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
  if (!s.isDirectory()) throw new ManifestError(`${path}: not a file or directory`);
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
