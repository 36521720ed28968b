import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { KubeApi, KubeResponse } from './kube-api.ts';
import { startReflector } from './reflector.ts';
import type { StoreEvent } from './reflector.ts';
import { createLogger } from '../observability/logger.ts';

const obj = (name: string) => ({ metadata: { namespace: 'apps', name } });

test('a continue token that expires mid-list restarts the list from its first page, upserting page by page; nothing is deleted', async () => {
  const pages: KubeResponse[] = [
    { status: 200, body: { metadata: { continue: 'c1', resourceVersion: '5' }, items: [obj('a')] } },
    { status: 410, body: { kind: 'Status', code: 410, reason: 'Expired' } },
    { status: 200, body: { metadata: { continue: 'c2', resourceVersion: '7' }, items: [obj('a')] } },
    { status: 200, body: { metadata: { resourceVersion: '7' }, items: [obj('b')] } },
  ];
  const queries: Record<string, string>[] = [];
  let watched!: (query: Record<string, string>) => void;
  const watchQuery = new Promise<Record<string, string>>((resolve) => (watched = resolve));
  const api: KubeApi = {
    request: (_m, _p, o) => {
      queries.push(o?.query ?? {});
      return Promise.resolve(pages.shift()!);
    },
    watch: (_path, query) => {
      watched(query);
      return Promise.resolve({ abort: () => undefined });
    },
  };
  const applied: [StoreEvent, string][] = [];
  const r = startReflector({
    kind: 'Alert',
    path: '/alerts',
    api,
    logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    observer: { relisted: () => undefined, watchRestarted: () => undefined, event: () => undefined },
    apply: (event, o) => applied.push([event, (o['metadata'] as { name: string }).name]),
    watchdogMs: 60_000,
    random: () => 0,
  });
  try {
    assert.deepEqual(await watchQuery, {
      allowWatchBookmarks: 'true',
      resourceVersion: '7',
      timeoutSeconds: '240',
    });
    assert.deepEqual(queries, [
      { limit: '500' },
      { limit: '500', continue: 'c1' },
      { limit: '500' },
      { limit: '500', continue: 'c2' },
    ]);
    assert.deepEqual(applied, [
      ['upsert', 'a'],
      ['upsert', 'a'],
      ['upsert', 'b'],
    ]);
    assert.equal(r.synced(), true);
  } finally {
    r.stop();
  }
});
