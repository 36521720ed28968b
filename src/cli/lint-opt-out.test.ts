import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { stringify } from 'yaml';
import { alert } from '../../test/support/objects.ts';
import { lintCommand } from './lint-command.ts';

async function lint(argv: string[], input: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = await lintCommand(argv, { stdin: Readable.from([input]), stdout, stderr });
  stdout.end();
  stderr.end();
  return { code, stdout: await text(stdout), stderr: await text(stderr) };
}

const spec = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };

test('lint reports what an object opts out of and why, and an opt-out never fails the run, --strict included', async () => {
  const opted = alert('apps', 'a', spec, {
    annotations: { 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'PLAT-7: made by the platform' },
  });
  const r = await lint(['--strict', '-'], stringify(opted));
  assert.deepEqual(r, {
    code: 0,
    stdout:
      '<stdin>:1: note: Alert.notification.toolkit.fluxcd.io "a" in namespace "apps": spec.providerRef.name: Not found: "slack": ignored by annotation notify-guard.fluxcd.community/ignore.alert-provider-exists: no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name [alert-provider-exists]\n' +
      '  reason: PLAT-7: made by the platform\n',
    stderr: '0 errors, 0 warnings and 1 ignored by annotation in 1 of 1 object\n',
  });
});

test('lint: an opt-out without a reason leaves the error and warns about the annotation', async () => {
  const opted = alert('apps', 'a', spec, {
    annotations: { 'notify-guard.fluxcd.community/ignore.alert-provider-exists': '' },
  });
  const r = await lint(['-'], stringify(opted));
  assert.deepEqual(r, {
    code: 1,
    stdout:
      '<stdin>:1: error: Alert.notification.toolkit.fluxcd.io "a" in namespace "apps": spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name [alert-provider-exists]\n' +
      "  fix: Create the Provider in the Alert's namespace, or correct the name.\n" +
      '<stdin>:1: warning: Alert.notification.toolkit.fluxcd.io "a" in namespace "apps": metadata.annotations[notify-guard.fluxcd.community/ignore.alert-provider-exists]: Required value: opting out of rule "alert-provider-exists" needs a reason as the annotation\'s value; until then the rule applies [alert-provider-exists]\n' +
      "  fix: Write why the object opts out as the annotation's value, or remove the annotation.\n",
    stderr: '1 error and 1 warning in 1 of 1 object\n',
  });
});
