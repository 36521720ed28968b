import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticClusterView } from '../cluster/static-view.ts';
import type { KubeObject } from '../flux/objects.ts';
import { resolveSlackDestination } from './slack-delivery.ts';

const provider = (annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Provider',
  metadata: { namespace: 'apps', name: 'slack', annotations },
  spec: { type: 'slack', channel: '#ops', secretRef: { name: 'slack-bot' } },
});
const deps = (values: Record<string, string>, annotations: Record<string, string> = {}) => ({
  cluster: staticClusterView([provider(annotations)]),
  secrets: { get: () => Promise.resolve(values) },
  allowInsecureDestinations: false,
});
const address = 'https://slack.com/api/chat.postMessage';

test('the Secret token is sent as notification-controller sends it', async () => {
  const r = await resolveSlackDestination(deps({ address, token: 'xoxb-1' }), 'apps/slack');
  assert.deepEqual(r, {
    kind: 'send',
    to: { address, token: 'xoxb-1' },
    look: { channel: '#ops', username: undefined, format: 'blocks' },
  });
});

test('a username without a password (or the reverse) drops the token, as Flux does', async () => {
  for (const extra of [{ username: 'bot' }, { password: 'pw' }] as Record<string, string>[]) {
    const r = await resolveSlackDestination(deps({ address, token: 'xoxb-1', ...extra }), 'apps/slack');
    assert.deepEqual(r, {
      kind: 'send',
      to: { address },
      look: { channel: '#ops', username: undefined, format: 'blocks' },
    });
  }
  const both = await resolveSlackDestination(
    deps({ address, token: 'xoxb-1', username: 'bot', password: 'pw' }),
    'apps/slack',
  );
  assert.deepEqual(both, {
    kind: 'send',
    to: { address, token: 'xoxb-1' },
    look: { channel: '#ops', username: undefined, format: 'blocks' },
  });
});

test("the Git URL of the event's source comes with the destination, for a commit link", async () => {
  const objects: KubeObject[] = [
    provider(),
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { namespace: 'flux-system', name: 'infra' },
      spec: { url: 'ssh://git@github.com/org/infra.git' },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { namespace: 'apps', name: 'podinfo' },
      spec: { sourceRef: { kind: 'GitRepository', name: 'infra', namespace: 'flux-system' } },
    },
  ];
  const d = { ...deps({ address }), cluster: staticClusterView(objects) };
  const look = async (kind: string, namespace: string, name: string) => {
    const r = await resolveSlackDestination(d, 'apps/slack', { kind, namespace, name });
    return r.kind === 'send' ? (r as { look: unknown }).look : r;
  };
  assert.deepEqual(await look('Kustomization', 'apps', 'podinfo'), {
    channel: '#ops',
    username: undefined,
    format: 'blocks',
    gitUrl: 'ssh://git@github.com/org/infra.git',
  });
  assert.deepEqual(await look('GitRepository', 'flux-system', 'infra'), {
    channel: '#ops',
    username: undefined,
    format: 'blocks',
    gitUrl: 'ssh://git@github.com/org/infra.git',
  });
  assert.deepEqual(await look('HelmRelease', 'apps', 'podinfo'), {
    channel: '#ops',
    username: undefined,
    format: 'blocks',
  });
});

test('the slack-format annotation picks the layout; any other value leaves the relay default', async () => {
  const format = async (annotations: Record<string, string>, defaultFormat?: 'blocks' | 'legacy') => {
    const r = await resolveSlackDestination(
      { ...deps({ address }, annotations), ...(defaultFormat ? { defaultFormat } : {}) },
      'apps/slack',
    );
    return r.kind === 'send' ? (r as { look: { format: string } }).look.format : r.kind;
  };
  assert.equal(await format({ 'notify-guard.fluxcd.community/slack-format': 'legacy' }), 'legacy');
  assert.equal(await format({ 'notify-guard.fluxcd.community/slack-format': 'blocks' }, 'legacy'), 'blocks');
  assert.equal(await format({ 'notify-guard.fluxcd.community/slack-format': 'fancy' }, 'legacy'), 'legacy');
  assert.equal(await format({}), 'blocks');
});
