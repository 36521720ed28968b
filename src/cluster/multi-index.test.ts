import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiIndex } from './multi-index.ts';

/** The structure it replaces: a Set per key, dropped when empty. */
class SetPerKey {
  private readonly map = new Map<string, Set<string>>();
  add(k: string, v: string): void {
    let s = this.map.get(k);
    if (!s) this.map.set(k, (s = new Set()));
    s.add(v);
  }
  delete(k: string, v: string): void {
    const s = this.map.get(k);
    if (s && s.delete(v) && s.size === 0) this.map.delete(k);
  }
  get(k: string): readonly string[] {
    return [...(this.map.get(k) ?? [])];
  }
}

test('answers every key exactly as a Set per key did, order included, over a table of add and delete sequences', () => {
  const ops: ['add' | 'delete', string][][] = [
    [['add', 'a']],
    [
      ['add', 'a'],
      ['add', 'a'],
    ],
    [
      ['add', 'a'],
      ['add', 'b'],
      ['add', 'c'],
    ],
    [
      ['add', 'a'],
      ['add', 'b'],
      ['delete', 'a'],
      ['add', 'a'],
    ],
    [
      ['add', 'a'],
      ['add', 'b'],
      ['delete', 'b'],
      ['add', 'c'],
      ['add', 'b'],
    ],
    [
      ['add', 'a'],
      ['delete', 'a'],
      ['delete', 'a'],
      ['add', 'b'],
    ],
    [
      ['delete', 'x'],
      ['add', 'a'],
      ['delete', 'x'],
    ],
    [
      ['add', 'a'],
      ['add', 'b'],
      ['add', 'c'],
      ['delete', 'b'],
      ['delete', 'a'],
      ['add', 'd'],
      ['delete', 'c'],
      ['delete', 'd'],
    ],
  ];
  for (const seq of ops) {
    const mine = new MultiIndex();
    const theirs = new SetPerKey();
    const trace: [readonly string[], readonly string[]][] = [];
    for (const [op, v] of seq) {
      mine[op]('k', v);
      theirs[op]('k', v);
      trace.push([mine.get('k'), theirs.get('k')]);
    }
    for (const [i, [m, t]] of trace.entries()) assert.deepEqual(m, t, `${JSON.stringify(seq)} after step ${i}`);
    assert.deepEqual(mine.get('other'), []);
  }
});

test('get returns a fresh array: changing it changes nothing stored', () => {
  const m = new MultiIndex();
  m.add('k', 'a');
  (m.get('k') as string[]).push('b');
  assert.deepEqual(m.get('k'), ['a']);
});
