import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURRENT_FLUX, parseFluxVersion, removedApiVersionMessage } from './api-versions.ts';
import { alert, provider } from '../../test/support/objects.ts';
import { servedVersions } from '../../test/support/crd-schema.ts';

test('--flux-version takes current, 2.N, v2.N and v2.N.P; anything else is undefined', () => {
  assert.deepEqual(parseFluxVersion('current'), CURRENT_FLUX);
  assert.deepEqual(parseFluxVersion('2.6'), { minor: 6 });
  assert.deepEqual(parseFluxVersion('v2.8.4'), { minor: 8 });
  for (const bad of ['3', '2', 'v2.x', 'latest', '1.9', '']) assert.equal(parseFluxVersion(bad), undefined, bad);
});

test('agrees with the CRDs of the releases in test/fixtures/flux-crds: a version is reported exactly when the release does not serve it', () => {
  // The fixture folders are named after notification-controller releases: v1.N ships in Flux v2.N.
  const releases: Record<string, number> = {
    'v1.6.0-with-v1beta1-v1beta2': 6,
    'v1.8.4-with-v1beta2': 8,
    current: CURRENT_FLUX.minor,
  };
  const served = servedVersions();
  for (const [release, minor] of Object.entries(releases)) {
    for (const version of ['v1beta1', 'v1beta2', 'v1beta3']) {
      const isServed = served.some((s) => s.release === release && s.kind === 'Alert' && s.version === version);
      const reported = removedApiVersionMessage(alert('apps', 'a', {}, {}, version), { minor }) !== undefined;
      assert.equal(reported, !isServed, `${release} ${version}`);
    }
  }
});

test('says what to change, and leaves other kinds and groups alone', () => {
  assert.equal(
    removedApiVersionMessage(provider('apps', 'p', { type: 'slack' }, 'v1beta1'), { minor: 7 }),
    'apiVersion: Unsupported value: "notification.toolkit.fluxcd.io/v1beta1": Flux v2.7 does not serve v1beta1 (removed in Flux v2.7), so applying this Provider fails; change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass --flux-version with the release the cluster runs',
  );
  assert.equal(
    removedApiVersionMessage({ apiVersion: 'notification.toolkit.fluxcd.io/v1beta1', kind: 'Receiver' }, CURRENT_FLUX),
    undefined,
  );
  assert.equal(removedApiVersionMessage({ apiVersion: 'example.org/v1beta1', kind: 'Alert' }, CURRENT_FLUX), undefined);
});
