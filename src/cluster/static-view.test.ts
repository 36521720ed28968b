import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from './manifests.ts';
import { loadStaticClusterView, staticClusterView } from './static-view.ts';

const V = 'notification.toolkit.fluxcd.io/v1beta3';

test('loading a directory document by document gives the view that indexing every loaded object gave', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-view-'));
  writeFileSync(
    join(dir, 'a.yaml'),
    `apiVersion: ${V}\nkind: Provider\nmetadata: {name: slack, namespace: apps}\nspec: {type: slack, secretRef: {name: hook}}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: ${V}, kind: Alert, metadata: {name: a}, spec: {providerRef: {name: slack}, eventSources: [{kind: Kustomization, name: '*'}]}}\n`,
  );
  writeFileSync(
    join(dir, 'b.yaml'),
    `apiVersion: v1\nkind: Secret\nmetadata: {name: hook, namespace: apps}\nstringData: {address: "https://hooks.slack.com/services/T0AB12CD3/B0CD34EF5/abcdefgh"}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: default}\n---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: es, namespace: apps}\nspec: {target: {name: made}, data: [{secretKey: address, remoteRef: {key: k}}]}\n`,
  );
  const streamed = await loadStaticClusterView(dir);
  const before = staticClusterView((await loadManifests(dir)).map((l) => l.object));
  assert.deepStrictEqual(
    [
      streamed.counts(),
      streamed.getAlert('default', 'a'),
      streamed.getProvider('apps', 'slack'),
      streamed.getSecret('apps', 'hook'),
      streamed.getSecret('apps', 'made'),
      streamed.getSource('Kustomization', 'default', 'apps'),
      streamed.tracksSourceKind('Kustomization'),
    ],
    [
      before.counts(),
      before.getAlert('default', 'a'),
      before.getProvider('apps', 'slack'),
      before.getSecret('apps', 'hook'),
      before.getSecret('apps', 'made'),
      before.getSource('Kustomization', 'default', 'apps'),
      before.tracksSourceKind('Kustomization'),
    ],
  );
  assert.equal(streamed.counts().Alert, 1);
});

test('a bad document anywhere rejects the load with the file, line and reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-view-'));
  writeFileSync(join(dir, 'a.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: ok, namespace: apps}\n`);
  writeFileSync(join(dir, 'b.yaml'), `apiVersion: v1\nkind: Secret\n---\n- a\n`);
  await assert.rejects(loadStaticClusterView(dir), {
    name: 'ManifestError',
    message: `${join(dir, 'b.yaml')}:4: a document is not a Kubernetes object`,
  });
});
