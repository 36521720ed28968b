import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactUri } from './sarif.ts';

test('artifact URIs are relative to the working directory when under it, percent-encoded, file:// otherwise', () => {
  assert.equal(artifactUri('/repo/clusters/prod/notify.yaml', '/repo'), 'clusters/prod/notify.yaml');
  assert.equal(artifactUri('clusters/my apps/a#1.yaml', '/repo'), 'clusters/my%20apps/a%231.yaml');
  assert.equal(artifactUri('/elsewhere/notify.yaml', '/repo'), 'file:///elsewhere/notify.yaml');
  assert.equal(artifactUri('<stdin>', '/repo'), 'stdin');
});
