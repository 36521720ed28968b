/**
 * The certificate the HTTPS server presents, swapped without a restart: `setSecureContext`
 * applies to new TLS connections while established ones keep theirs, so a rotation drops no
 * connection. A certificate whose key does not match is refused (a half-written update).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Server } from 'node:https';
import type { ServingFiles } from './cert-dir.ts';

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
      if (files && files.certPem === next.certPem && files.keyPem === next.keyPem && files.caPem === next.caPem) return true;
      files = next;
      notAfter = new Date(new X509Certificate(next.certPem).validTo);
      server?.setSecureContext({ cert: next.certPem, key: next.keyPem });
      return true;
    },
    secondsToExpiry: (now) => (notAfter ? (notAfter.getTime() - now.getTime()) / 1000 : undefined),
    attach(s) {
      server = s;
      if (files) s.setSecureContext({ cert: files.certPem, key: files.keyPem });
    },
  };
}
