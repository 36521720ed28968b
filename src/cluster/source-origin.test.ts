import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../flux/objects.ts';
import { staticClusterView } from './static-view.ts';

const git = (ns: string, name: string, url: string): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { namespace: ns, name },
  spec: { url, ref: { branch: 'main' } },
});
const ks = (ns: string, name: string, sourceRef: Record<string, string>): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { namespace: ns, name },
  spec: { sourceRef, path: './' },
});

test('the Git URL of a GitRepository, and of the GitRepository a Kustomization applies (its namespace by default)', () => {
  const view = staticClusterView([
    git('flux-system', 'infra', 'https://github.com/org/infra'),
    git('apps', 'local', 'git@gitlab.com:org/apps.git'),
    ks('apps', 'cross', { kind: 'GitRepository', name: 'infra', namespace: 'flux-system' }),
    ks('apps', 'same', { kind: 'GitRepository', name: 'local' }),
    ks('apps', 'oci', { kind: 'OCIRepository', name: 'local' }),
    ks('apps', 'dangling', { kind: 'GitRepository', name: 'gone' }),
  ]);
  assert.equal(view.gitUrlOf('GitRepository', 'flux-system', 'infra'), 'https://github.com/org/infra');
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'cross'), 'https://github.com/org/infra');
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'same'), 'git@gitlab.com:org/apps.git');
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'oci'), undefined);
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'dangling'), undefined);
  assert.equal(view.gitUrlOf('HelmRelease', 'apps', 'x'), undefined);
});

test('a changed or deleted source changes the answer; nothing else of the object is kept', () => {
  const view = staticClusterView([
    git('apps', 'r', 'https://github.com/org/old'),
    ks('apps', 'k', { kind: 'GitRepository', name: 'r' }),
  ]);
  view.upsert(git('apps', 'r', 'https://github.com/org/new'));
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'k'), 'https://github.com/org/new');
  view.remove('GitRepository', 'apps', 'r');
  assert.equal(view.gitUrlOf('Kustomization', 'apps', 'k'), undefined);
  view.upsert({ ...git('apps', 'r', ''), spec: {} });
  assert.equal(view.gitUrlOf('GitRepository', 'apps', 'r'), undefined);
  assert.deepEqual(view.getSource('GitRepository', 'apps', 'r'), { name: 'r', namespace: 'apps' });
});
