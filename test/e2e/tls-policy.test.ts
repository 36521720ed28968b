/**
 * The webhook's TLS, probed as a scanner would against `notify-guard webhook`: TLS 1.2+ with
 * ECDHE AEAD suites only. Suites without forward secrecy, CBC suites and TLS 1.1 fail the
 * handshake; what kube-apiserver's Go client offers is served.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import type { SecureVersion } from 'node:tls';
import { startWebhook } from '../../src/cli/webhook-command.ts';
import type { RunningWebhook } from '../../src/cli/webhook-command.ts';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let w: RunningWebhook;
let ca: string;

before(async () => {
  const certDir = join(tempDir('tls'), 'certs');
  const options = parseWebhookArgs([
    '--listen',
    '127.0.0.1:0',
    '--cert-dir',
    certDir,
    '--cluster-dir',
    join(ROOT, 'examples', 'cluster'),
  ]);
  if (options === 'help') throw new Error('unexpected help');
  w = await startWebhook(options, createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })));
  ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
});
after(() => w.close());

/** The negotiated protocol and cipher, or the handshake error's code. */
function handshake(o: { ciphers?: string; minVersion?: SecureVersion; maxVersion?: SecureVersion }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: w.port, ca, servername: 'localhost', ...o }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

test('TLS 1.3 and TLS 1.2 with ECDHE AEAD suites are served', async () => {
  assert.equal(await handshake({}), 'TLSv1.3 TLS_AES_128_GCM_SHA256');
  assert.equal(
    await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }),
    'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  );
  assert.equal(
    await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' }),
    'TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  );
});

test('suites without forward secrecy, CBC suites and TLS 1.1 fail the handshake', async () => {
  for (const ciphers of [
    'AES128-GCM-SHA256',
    'AES256-SHA',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA384',
    'DHE-RSA-AES128-GCM-SHA256',
  ]) {
    assert.match(await handshake({ maxVersion: 'TLSv1.2', ciphers }), /^ERR_SSL_|^ECONNRESET$/, ciphers);
  }
  assert.match(
    await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }),
    /^ERR_SSL_|^ECONNRESET$/,
  );
});
