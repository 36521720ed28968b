import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FakeApiServer } from '../../test/servers/fake-apiserver.ts';
import { kubeApiFor } from '../../test/support/live-cluster.ts';
import { createLogger } from '../observability/logger.ts';
import { apiWarningRecorder } from './warning-events.ts';

test('records a NotificationDispatchFailed Warning event on the Alert, as Flux does', async () => {
  const server = new FakeApiServer([{ group: '', version: 'v1', kind: 'Event', plural: 'events' }]);
  const api = kubeApiFor(await server.start());
  try {
    const recorder = apiWarningRecorder(api, {
      notificationVersion: 'v1beta3',
      logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
      now: () => new Date('2026-11-23T10:00:00.123Z'),
    });
    await recorder.dispatchFailed(
      { namespace: 'apps', name: 'flux-alerts' },
      'failed to send notification for Kustomization/apps/podinfo through Provider apps/slack: HTTP 404 channel_not_found',
    );
    const list = await api.request('GET', '/api/v1/namespaces/apps/events');
    const [e] = (list.body as { items: Record<string, unknown>[] }).items;
    const { metadata, ...rest } = e!;
    assert.match((metadata as { name: string }).name, /^flux-alerts\.[0-9a-f]{16}$/);
    assert.deepEqual(rest, {
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        name: 'flux-alerts',
        namespace: 'apps',
      },
      reason: 'NotificationDispatchFailed',
      type: 'Warning',
      message:
        'failed to send notification for Kustomization/apps/podinfo through Provider apps/slack: HTTP 404 channel_not_found',
      source: { component: 'notify-guard-relay' },
      reportingComponent: 'notify-guard-relay',
      firstTimestamp: '2026-11-23T10:00:00Z',
      lastTimestamp: '2026-11-23T10:00:00Z',
      count: 1,
    });
  } finally {
    await server.close();
  }
});
