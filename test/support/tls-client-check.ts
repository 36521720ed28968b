/**
 * Why a TLS client would refuse a certificate at `at`, judged by OpenSSL through node's
 * X509Certificate (what kube-apiserver's client does when it calls the webhook): signed by the CA,
 * inside its validity window, and naming `host` in its subjectAltName. The tests' check of the
 * certificates src/certs/certificates.ts makes with node-forge, by another implementation.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** The reason a client refuses `certPem`, or undefined when it accepts it. */
export function tlsClientProblem(certPem: string, o: { caPem: string; at: Date; host?: string }): string | undefined {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(o.caPem);
  if (o.at < cert.validFromDate) return `not valid before ${cert.validFromDate.toISOString()}`;
  if (o.at > cert.validToDate) return `expired at ${cert.validToDate.toISOString()}`;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not signed by the CA';
  if (o.host !== undefined) {
    const named = isIP(o.host) ? cert.checkIP(o.host) : cert.checkHost(o.host, { wildcards: false });
    if (named === undefined) return `not valid for host ${o.host}`;
  }
  return undefined;
}
