/**
 * Reads Kubernetes objects from YAML manifests: a file or a directory tree of `.yaml`/`.yml`/`.json`
 * files, multi-document files and `kind: List` included. A file is read as a stream and cut into
 * documents at their `---`/`...` lines (DocumentCutter), and each document is parsed alone and its
 * parse tree dropped once its object is taken: a 100,000-document file is never held whole, as
 * text or as trees.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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
  const cutter = new DocumentCutter();
  const yaml: YamlInForce = {};
  for (const line of linesOf(text)) {
    const doc = cutter.push(line);
    if (doc) yield* documentObjects(doc, source, yaml);
  }
  const last = cutter.end();
  if (last) yield* documentObjects(last, source, yaml);
}

/**
 * The objects of one manifest file, read as a stream: each document is parsed alone as soon as it
 * is read, so neither the file's text nor a parse tree of more than one document is ever held (a
 * 100,000-object file is 25 MB of text).
 */
export async function* eachManifestInFile(file: string): AsyncGenerator<LoadedObject> {
  const cutter = new DocumentCutter();
  const yaml: YamlInForce = {};
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    // A chunk inside one long line (minified JSON) only extends it: splitting what is held at every
    // chunk would scan a 12 MB line 48 times.
    if (!(chunk as string).includes('\n')) {
      rest += chunk as string;
      continue;
    }
    const lines = linesOf(rest + (chunk as string));
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const doc = cutter.push(line);
      if (doc) yield* documentObjects(doc, file, yaml);
    }
  }
  for (const doc of [rest === '' ? undefined : cutter.push(rest), cutter.end()])
    if (doc) yield* documentObjects(doc, file, yaml);
}

/** The lines of `text`, each with its line break; the last one without, when the text does not end with one. */
function linesOf(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** One document's text, and the number of lines before it in its file. */
interface DocumentText {
  readonly text: string;
  readonly linesBefore: number;
}

/**
 * A line that starts (`---`) or ends (`...`) a document: YAML forbids such a line inside any node,
 * quoted and block scalars included (c-forbidden, YAML 1.2.2 section 9.1.4), so a file can be cut
 * into documents there without parsing it. Each document parsed alone (with the YAML version the
 * one before it left in force, YamlInForce) reads as in the whole file; an unclosed quote's error
 * names the --- that cuts it rather than the end of the file. A byte order mark is read only at the
 * file's start (the yaml library's rule), where no cut is needed.
 */
const DOCUMENT_START = /^---(?:[ \t\r\n]|$)/;
const DOCUMENT_END = /^\.\.\.(?:[ \t\r\n]|$)/;
/** A line that holds nothing of a document: blank, a comment, or a directive (`%YAML`), which belong to the next. */
const NO_CONTENT = /^(?:\s*(?:#.*)?|%.*)$/s;

/** Cuts a YAML text, given line by line, into documents (DOCUMENT_START, DOCUMENT_END). */
class DocumentCutter {
  private lines: string[] = [];
  private linesBefore = 0;
  private content = false;

  /** Takes the next line (with its line break); returns the document it ends, if any. */
  push(line: string): DocumentText | undefined {
    if (DOCUMENT_START.test(line) && this.content) {
      const doc = this.take();
      this.lines.push(line);
      this.content = true;
      return doc;
    }
    this.lines.push(line);
    if (DOCUMENT_END.test(line)) return this.take();
    if (DOCUMENT_START.test(line) || !NO_CONTENT.test(line)) this.content = true;
    return undefined;
  }

  /** The last document, if the text holds anything after the last one returned. */
  end(): DocumentText | undefined {
    return this.lines.length > 0 ? this.take() : undefined;
  }

  private take(): DocumentText {
    const doc = { text: this.lines.join(''), linesBefore: this.linesBefore };
    this.linesBefore += this.lines.length;
    this.lines = [];
    this.content = false;
    return doc;
  }
}

/**
 * The YAML version in force: a `%YAML 1.1` directive stays in force for the documents after it
 * until another one says otherwise, as the yaml library reads a whole text (`yes` is true and
 * `0755` octal in 1.1), so each document is composed with the version the one before it ended in.
 */
interface YamlInForce {
  version?: '1.1' | '1.2';
}

/** The objects of one document (a List gives its items), each with its line in the file. */
function* documentObjects(
  { text, linesBefore }: DocumentText,
  source: string,
  yaml: YamlInForce,
): Generator<LoadedObject> {
  const lines = new LineCounter();
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line + linesBefore, col: p.col };
  };
  const posOf = (node: unknown, fallback: { line: number; col: number }) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? at(range[0]) : fallback;
  };
  const composer = new Composer(yaml.version ? { version: yaml.version } : {});
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text))) {
    const version = doc.directives?.yaml.version;
    if (version === '1.1' || version === '1.2') yaml.version = version;
    const err = doc.errors[0];
    if (err) {
      const line = err.pos[0] >= 0 ? at(err.pos[0]) : undefined;
      throw new ManifestError(`${source}${line ? `:${line.line}:${line.col}` : ''}: ${parseErrorText(err.message)}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const { line, col } = posOf(doc.contents, posOf(doc, { line: linesBefore + 1, col: 1 }));
    if (!isObject(value)) throw new ManifestError(`${source}:${line}: a document is not a Kubernetes object`);
    const items = value['items'];
    if (value.kind === 'List' && !Array.isArray(items))
      throw new ManifestError(`${source}:${line}: a List without an items list`);
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(items)) {
      const nodes = doc.get('items', true);
      for (const [i, item] of (items as unknown[]).entries()) {
        const itemAt = posOf(isSeq(nodes) ? nodes.items[i] : undefined, { line, col });
        if (!isObject(item))
          throw new ManifestError(`${source}:${itemAt.line}: item ${i} of a ${value.kind} is not a Kubernetes object`);
        yield { object: item, source, line: itemAt.line, column: itemAt.col };
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
  const out: LoadedObject[] = [];
  // One push per object: spreading a 100,000-object file into push() overflows the call stack.
  for (const f of await manifestFiles(path)) for await (const l of eachManifestInFile(f)) out.push(l);
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
