/**
 * The certificate the HTTPS server presents, swapped without a restart: `setSecureContext`
 * applies to new TLS connections while established ones keep theirs, so a rotation drops no
 * connection. A certificate whose key does not match is refused (a half-written update).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Server } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { ServingFiles } from './cert-dir.ts';

/**
 * What the webhook negotiates: TLS 1.2 or 1.3, and on TLS 1.2 only ECDHE key exchange with an
 * AEAD cipher (AES-GCM, ChaCha20-Poly1305): forward secrecy, no CBC, no SHA-1 MAC. Every TLS 1.3
 * suite is both. kube-apiserver's client (Go's crypto/tls) offers all of these, so nothing it
 * sends is refused; a client offering only RSA key exchange or CBC suites fails the handshake.
 */
export const TLS_POLICY = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const satisfies SecureContextOptions;

/** The secure-context options serving `files` under TLS_POLICY (a new server, or a swap). */
export function servingContext(files: Pick<ServingFiles, 'certPem' | 'keyPem'>): SecureContextOptions {
  return { ...TLS_POLICY, cert: files.certPem, key: files.keyPem };
}

/** Holds the served certificate. */
export interface ServingTls {
  /** The certificate in use, if any. */
  current(): ServingFiles | undefined;
  /** Serves `files` from now on; returns false (and keeps the old one) when they do not fit. */
  update(files: ServingFiles): boolean;
  /** Seconds until the served certificate expires, at `now`. */
  secondsToExpiry(now: Date): number | undefined;
  /** Registers the server whose context is swapped on update. */
  attach(server: Server): void;
}

/** Why a certificate and key cannot be served together, or undefined. */
export function servingProblem(files: ServingFiles): string | undefined {
  try {
    const cert = new X509Certificate(files.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(files.keyPem))) return 'tls.key does not belong to tls.crt';
    return undefined;
  } catch (e) {
    return `cannot read the certificate or key: ${(e as Error).message}`;
  }
}

/** Creates the holder, optionally with an initial certificate. */
export function createServingTls(initial?: ServingFiles): ServingTls {
  let files = initial;
  let server: Server | undefined;
  let notAfter = initial ? new Date(new X509Certificate(initial.certPem).validTo) : undefined;
  return {
    current: () => files,
    update(next) {
      if (servingProblem(next)) return false;
      if (files && files.certPem === next.certPem && files.keyPem === next.keyPem && files.caPem === next.caPem)
        return true;
      files = next;
      notAfter = new Date(new X509Certificate(next.certPem).validTo);
      server?.setSecureContext(servingContext(next));
      return true;
    },
    secondsToExpiry: (now) => (notAfter ? (notAfter.getTime() - now.getTime()) / 1000 : undefined),
    attach(s) {
      server = s;
      if (files) s.setSecureContext(servingContext(files));
    },
  };
}
