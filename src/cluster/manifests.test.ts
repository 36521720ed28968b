import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { tempDir } from '../../test/support/temp-dir.ts';
import type { LoadedObject } from './manifests.ts';
import { ManifestError, eachManifestInFile, parseManifests } from './manifests.ts';

/** The message of the ManifestError a text's parse throws, or 'no error'. */
function error(text: string): string {
  try {
    parseManifests(text, 'f.yaml');
  } catch (err) {
    return err instanceof ManifestError ? err.message : `not a ManifestError: ${String(err)}`;
  }
  return 'no error';
}

test('each object carries the line where it starts: documents after comments and ---, and List items', () => {
  const text = [
    '# leading comment',
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: a}',
    '---',
    '# a comment inside the second document',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: Secret',
    '    metadata: {name: b}',
    '  - {apiVersion: v1, kind: Secret, metadata: {name: c}}',
    '---',
    '---',
    '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "d"}}',
  ].join('\n');
  assert.deepEqual(
    parseManifests(text, 'f.yaml').map((l) => [l.object.metadata?.name, l.source, l.line]),
    [
      ['a', 'f.yaml', 2],
      ['b', 'f.yaml', 10],
      ['c', 'f.yaml', 13],
      ['d', 'f.yaml', 16],
    ],
  );
});

test('a YAML error names the file, line and column', () => {
  assert.throws(
    () => parseManifests('kind: Secret\nmetadata: {name: [a\n', 'bad.yaml'),
    (err: Error) => err instanceof ManifestError && /^bad\.yaml:\d+:\d+: /.test(err.message),
  );
});

test('what is not an object, or a List without items, is a ManifestError at its line, not a crash later', () => {
  assert.equal(
    error('apiVersion: v1\nkind: Secret\n---\n- a\n- b\n'),
    'f.yaml:4: a document is not a Kubernetes object',
  );
  assert.equal(
    error('apiVersion: v1\nkind: List\nitems:\n  - {kind: Secret}\n  - null\n'),
    'f.yaml:5: item 1 of a List is not a Kubernetes object',
  );
  assert.equal(error('apiVersion: v1\nkind: List\n'), 'f.yaml:1: a List without an items list');
});

test('YAML errors read as before documents were composed one at a time: file, line, column and the first line of the message', () => {
  assert.equal(
    error('kind: Secret\nmetadata: {name: [a\n'),
    'f.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
  );
  assert.equal(
    error('a: 1\n---\nkind: Secret\n  bad: indent\n'),
    'f.yaml:3:7: Nested mappings are not allowed in compact mappings',
  );
  assert.equal(error('x: "unterminated\n'), 'f.yaml:2:1: Missing closing "quote');
  assert.equal(error('---\nkind: Secret\nkind: Dup\n'), 'f.yaml:3:1: Map keys must be unique');
});

test('a file of many documents yields every object in order with its line', () => {
  const text = Array.from({ length: 5_000 }, (_, i) => `{kind: Secret, metadata: {name: s${i}}}`).join('\n---\n');
  const loaded = parseManifests(text, 'big.yaml');
  assert.equal(loaded.length, 5_000);
  assert.deepEqual([loaded[0]!.line, loaded[4_999]!.line, loaded[4_999]!.object.metadata?.name], [1, 9_999, 's4999']);
});

/** Texts whose documents the cutter must find as the yaml library does when it reads the whole text. */
const CUT_CASES: Record<string, string> = {
  'no final line break': 'kind: Secret\nmetadata: {name: a}\n---\nkind: Secret\nmetadata: {name: b}',
  'CRLF line breaks': 'kind: Secret\r\nmetadata: {name: a}\r\n---\r\nkind: Secret\r\nmetadata: {name: b}\r\n',
  'document end markers and directives':
    '%YAML 1.2\n---\nkind: Secret\nmetadata: {name: a}\n...\n%YAML 1.2\n---\n{kind: Secret, metadata: {name: b}}\n...\n',
  'content on the --- line': '--- {kind: Secret, metadata: {name: a}}\n--- {kind: Secret, metadata: {name: b}}\n',
  'a block scalar holding --- indented, and --- mid-line':
    'kind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    ---\n    ...\n  y: a --- b\n---\nkind: Secret\nmetadata: {name: b}\n',
  'comments and empty documents between':
    '# head\n---\n# only a comment\n---\n---\nkind: Secret\nmetadata: {name: a}\n# tail\n',
  'a byte order mark': '\uFEFF---\nkind: Secret\nmetadata: {name: a}\n',
  '%YAML 1.1 stays in force for the documents after it':
    '%YAML 1.1\n---\n{kind: ConfigMap, metadata: {name: a}}\n---\nkind: ConfigMap\nmetadata: {name: b}\nspec: {suspend: yes, mode: 0755}\n',
  'quoted scalars spanning lines':
    'kind: Secret\nmetadata:\n  name: "a\n    b"\n  labels: {x: \'c\n    d\'}\n---\nkind: Secret\nmetadata: {name: e}\n',
};

test('documents cut at their --- and ... lines read as the whole text reads: objects and lines', () => {
  for (const [name, text] of Object.entries(CUT_CASES)) {
    const whole = parseAllDocuments(text)
      .map((d) => d.toJS() as unknown)
      .filter((v) => v !== null);
    assert.deepEqual(
      parseManifests(text, 'f.yaml').map((l) => l.object),
      whole,
      name,
    );
  }
  assert.deepEqual(
    parseManifests(CUT_CASES['a block scalar holding --- indented, and --- mid-line']!, 'f.yaml').map((l) => [
      l.object.metadata?.name,
      l.line,
    ]),
    [
      ['a', 1],
      ['b', 9],
    ],
  );
});

test('an error in a later document names its line in the file; a byte order mark starts only the file', () => {
  assert.equal(
    error('kind: Secret\n---\nkind: Secret\n---\nkind: A\nmetadata: {name: [b}\n'),
    'f.yaml:6:20: Flow sequence in block collection must be sufficiently indented and end with a ]',
  );
  assert.equal(error('--- |\n  text\n---\nkind: Secret\n'), 'f.yaml:1: a document is not a Kubernetes object');
  // An unclosed quote ends at the --- that cuts its document (the whole text's parse named the end of the file).
  assert.equal(error('kind: Secret\nmetadata: {name: "a\n---\nkind: B\n'), 'f.yaml:3:1: Missing closing "quote');
  assert.equal(error('kind: A\n---\n\uFEFF---\nkind: B\n'), 'f.yaml:3:1: Implicit keys need to be on a single line');
  assert.deepEqual(
    parseManifests(CUT_CASES['%YAML 1.1 stays in force for the documents after it']!, 'f.yaml')[1]!.object['spec'],
    { suspend: true, mode: 493 },
  );
});

test('a file read as a stream gives what its text gives, across read chunks and multi-byte characters', async () => {
  const dir = tempDir('manifests-stream');
  const docs = Array.from(
    { length: 6_000 },
    (_, i) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n  annotations: {note: "é€😀 ${'x'.repeat(i % 97)}"}\n`,
  );
  const oneLine = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: 12_000 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `l${i}` },
    })),
  });
  const cases = {
    ...CUT_CASES,
    'more than one read chunk': docs.join('---\n'),
    'one line longer than a read chunk, then a document': `${oneLine}\n---\n{kind: Secret, metadata: {name: after}}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    const file = join(dir, 'f.yaml');
    await writeFile(file, text);
    const streamed: LoadedObject[] = [];
    for await (const l of eachManifestInFile(file)) streamed.push(l);
    const read = parseManifests(text, file);
    assert.equal(streamed.length, read.length, name);
    assert.ok(
      streamed.every(
        (l, i) => l.line === read[i]!.line && JSON.stringify(l.object) === JSON.stringify(read[i]!.object),
      ),
      name,
    );
  }
  assert.ok(Buffer.byteLength(cases['more than one read chunk']) > 2 * 256 * 1024);
  assert.ok(oneLine.length > 2 * 256 * 1024);
});
