/**
 * Pure, time-parameterised certificate functions on node-forge: a CA, a serving certificate
 * signed by it, and a validity check at a given instant. No clock is read here: callers pass
 * `now` (and tests pass future instants instead of faking clocks).
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import type { KeyPair } from './keys.ts';
import { generateRsaKeyPair } from './keys.ts';

/** A certificate and its key, as PEM. */
export interface CertificatePem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** How far `notBefore` is backdated, for clocks that run behind. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options for a CA. */
export interface CaOptions {
  readonly now: Date;
  readonly validityDays: number;
  readonly commonName?: string;
  readonly keys?: KeyPair;
}

/** Creates a self-signed CA: basicConstraints CA:true, keyCertSign and cRLSign. */
export async function createCA(o: CaOptions): Promise<CertificatePem> {
  const keys = o.keys ?? (await generateRsaKeyPair());
  const cert = baseCertificate(keys, o.now, o.validityDays);
  const subject = [{ name: 'commonName', value: o.commonName ?? 'notify-guard-ca' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: keys.privateKeyPem };
}

/** Options for a serving (leaf) certificate. */
export interface ServingOptions {
  readonly ca: CertificatePem;
  readonly now: Date;
  readonly validityDays: number;
  /** DNS names and IP addresses for subjectAltName; the first DNS name is the common name. */
  readonly hosts: readonly string[];
  readonly keys?: KeyPair;
}

/** Creates a leaf certificate for TLS servers, signed by `ca`. */
export async function createServingCertificate(o: ServingOptions): Promise<CertificatePem> {
  const keys = o.keys ?? (await generateRsaKeyPair());
  const caCert = forge.pki.certificateFromPem(o.ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(o.ca.keyPem);
  const cert = baseCertificate(keys, o.now, o.validityDays);
  const dnsNames = o.hosts.filter((h) => isIP(h) === 0);
  cert.setSubject([{ name: 'commonName', value: dnsNames[0] ?? o.hosts[0] ?? 'notify-guard' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: o.hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: keys.privateKeyPem };
}

/** The DNS names a webhook Service is reached by: `svc`, `svc.ns`, `svc.ns.svc`. */
export function serviceHosts(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`];
}

/** The DNS names and IPs in a certificate's subjectAltName. */
export function certificateHosts(certPem: string): string[] {
  const ext = forge.pki.certificateFromPem(certPem).getExtension('subjectAltName') as
    { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  return (ext?.altNames ?? []).map((a) => (a.type === 7 ? (a.ip ?? '') : (a.value ?? '')));
}

/**
 * When a certificate is due for replacement: `renewBeforeMs` before it expires, or once two thirds
 * of its lifetime have passed, whichever is sooner (so a short `renewBeforeMs` still leaves a third
 * of the lifetime to retry in). Used for the CA and the serving certificate alike.
 */
export function renewalPoint(certPem: string, renewBeforeMs: number): Date {
  const { notBefore, notAfter } = forge.pki.certificateFromPem(certPem).validity;
  const twoThirds = notBefore.getTime() + ((notAfter.getTime() - notBefore.getTime()) * 2) / 3;
  return new Date(Math.min(notAfter.getTime() - renewBeforeMs, twoThirds));
}

/** True when a certificate should be replaced at `at` (at or after its `renewalPoint`). */
export function needsRenewal(certPem: string, o: { at: Date; renewBeforeMs: number }): boolean {
  return o.at.getTime() >= renewalPoint(certPem, o.renewBeforeMs).getTime();
}

/** PEM with LF line endings (node-forge writes CRLF). */
function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

function baseCertificate(keys: KeyPair, now: Date, validityDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  return cert;
}

/** 128 random bits as a positive hex serial (RFC 5280: positive, at most 20 octets). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
