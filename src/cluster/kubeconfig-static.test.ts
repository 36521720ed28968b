import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { readWithClientNode } from './kube-credentials-read.ts';
import { readStaticCredentials } from './kubeconfig-static.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-static-'));
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A kubeconfig whose current context joins cluster `c` and user `u`. */
function kubeconfig(name: string, cluster: string, user: string, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: ${cluster}\nusers:\n- name: u\n  user: ${user}\n` +
      `contexts:\n- name: x\n  context: {cluster: c, user: u}\n${extra || 'current-context: x\n'}`,
  );
  return file;
}

/** The same file under a `%YAML 1.1` directive. */
function yaml11(file: string): string {
  writeFileSync(file, `%YAML 1.1\n---\n${readFileSync(file, 'utf8')}`);
  return file;
}

/** The child's answer (client-node), with `env` as its process environment. */
function oracle(path: string | undefined, env: NodeJS.ProcessEnv) {
  const saved = process.env;
  process.env = env;
  try {
    return readWithClientNode(path);
  } finally {
    process.env = saved;
  }
}

const tokenFile = join(dir, 'token.txt');
writeFileSync(tokenFile, 'from-file\n');
const home = join(dir, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
writeFileSync(join(home, '.kube', 'config'), '');
const homeConfig = kubeconfig(join('home', '.kube', 'config'), '{server: "https://home:6443"}', '{token: h}');

const supported: [string, string | undefined, NodeJS.ProcessEnv, object][] = [
  [
    'inline token, CA data, trailing slash',
    kubeconfig('token', '{server: "https://k:6443/", certificate-authority-data: Q0E=}', '{token: abc}'),
    {},
    { server: 'https://k:6443', skipTLSVerify: false, caData: 'Q0E=', token: 'abc' },
  ],
  [
    'relative files resolve against the kubeconfig directory',
    kubeconfig(
      'files',
      '{server: "https://k", certificate-authority: ca.crt, certificate-authority-data: Q0E=}',
      '{client-certificate: tls/c.crt, client-key: /abs/c.key}',
    ),
    {},
    {
      server: 'https://k',
      skipTLSVerify: false,
      caFile: join(dir, 'ca.crt'),
      certFile: join(dir, 'tls/c.crt'),
      keyFile: '/abs/c.key',
    },
  ],
  [
    'certificate data, insecure, server name',
    kubeconfig(
      'data',
      '{server: "https://k", insecure-skip-tls-verify: true, tls-server-name: api}',
      '{client-certificate-data: Q0VSVA==, client-key-data: S0VZ}',
    ),
    {},
    { server: 'https://k', skipTLSVerify: true, tlsServerName: 'api', certData: 'Q0VSVA==', keyData: 'S0VZ' },
  ],
  [
    'an absolute token-file is read once, as it is',
    kubeconfig('token-file', '{server: "http://127.0.0.1:1"}', `{token-file: ${tokenFile}}`),
    {},
    { server: 'http://127.0.0.1:1', skipTLSVerify: false, token: 'from-file\n' },
  ],
  [
    'in cluster (IPv6)',
    undefined,
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    { server: 'https://[fd00::1]:443', skipTLSVerify: false, caFile: `${SA}/ca.crt`, tokenFile: `${SA}/token` },
  ],
  [
    'in cluster (port 8080)',
    undefined,
    { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '8080' },
    { server: 'http://10.0.0.1:8080', skipTLSVerify: false, caFile: `${SA}/ca.crt`, tokenFile: `${SA}/token` },
  ],
  [
    '$KUBECONFIG, one file',
    undefined,
    { KUBECONFIG: `${join(dir, 'token')}${delimiter}`, HOME: home },
    { server: 'https://k:6443', skipTLSVerify: false, caData: 'Q0E=', token: 'abc' },
  ],
  ['~/.kube/config', undefined, { HOME: home }, { server: 'https://home:6443', skipTLSVerify: false, token: 'h' }],
];

for (const [name, path, env, expected] of supported) {
  test(`in-process read: ${name}, as the client-node child reads it`, () => {
    assert.deepEqual(readStaticCredentials(path, env, 'linux'), expected);
    assert.deepEqual(oracle(path, env), { credentials: expected });
  });
}

const exec = '{exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}}';
const fallbacks: [string, string | undefined, NodeJS.ProcessEnv][] = [
  ['exec plugin', kubeconfig('exec', '{server: "https://k"}', exec), {}],
  ['auth provider', kubeconfig('oidc', '{server: "https://k"}', '{auth-provider: {name: oidc}}'), {}],
  ['basic auth', kubeconfig('basic', '{server: "https://k"}', '{username: a, password: b}'), {}],
  ['impersonation', kubeconfig('as', '{server: "https://k"}', '{token: t, as: admin}'), {}],
  ['proxy-url', kubeconfig('proxy', '{server: "https://k", proxy-url: "http://p"}', '{token: t}'), {}],
  ['an unknown field', kubeconfig('unknown', '{server: "https://k"}', '{token: t, new-field: x}'), {}],
  ['a token that is not a string', kubeconfig('number', '{server: "https://k"}', '{token: 123}'), {}],
  ['a relative token-file', kubeconfig('relative', '{server: "https://k"}', '{token-file: token}'), {}],
  ['no current context', kubeconfig('no-current', '{server: "https://k"}', '{token: t}', '\n'), {}],
  [
    'an unknown current context',
    kubeconfig('other', '{server: "https://k"}', '{token: t}', 'current-context: y\n'),
    {},
  ],
  ['a timestamp', kubeconfig('date', '{server: "https://k"}', '{token: 2020-01-01}'), {}],
  ['a YAML tag', kubeconfig('tag', '{server: "https://k"}', '{token: !!binary dG9r}'), {}],
  ['%YAML 1.1', yaml11(kubeconfig('yaml11', '{server: "https://k"}', '{token: t}')), {}],
  ['several $KUBECONFIG files', undefined, { KUBECONFIG: [homeConfig, join(dir, 'token')].join(delimiter) }],
  ['no kubeconfig at all', undefined, { HOME: join(dir, 'nowhere') }],
  ['in cluster without a port', undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }],
];

test('anything but plain static credentials is left to the client-node child', () => {
  for (const [name, path, env] of fallbacks) assert.equal(readStaticCredentials(path, env, 'linux'), undefined, name);
  assert.equal(readStaticCredentials(undefined, { HOME: home }, 'win32'), undefined);
});

test('a missing file and bad YAML are clear errors that quote no value from the file', () => {
  const missing = join(dir, 'missing');
  assert.throws(() => readStaticCredentials(missing, {}), {
    message: `cannot read the kubeconfig ${missing}: ENOENT: no such file or directory, open '${missing}'`,
  });
  const bad = join(dir, 'bad');
  writeFileSync(bad, 'users:\n- name: u\n  user: {token: s3cr3t-token\n');
  assert.throws(
    () => readStaticCredentials(bad, {}),
    (err: Error) => {
      assert.equal(err.message, `the kubeconfig ${bad} is not valid YAML (BAD_INDENT at line 4, column 1)`);
      return true;
    },
  );
});
