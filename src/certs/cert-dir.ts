/**
 * The certificate directory the server reads: `ca.crt`, `tls.crt`, `tls.key`. When the files
 * are absent they are generated (a local CA and a serving certificate), keys written 0600.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCA, createServingCertificate } from './certificates.ts';
import type { CertificatePem } from './certificates.ts';

/** The files of a certificate directory, as PEM text. */
export interface ServingFiles {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** File names inside the directory (the names a kubernetes.io/tls Secret mounts, plus ca.crt). */
export const CERT_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

/** The CA's private key, kept beside it so `notify-guard certs` can issue the next serving certificate. */
export const CA_KEY_FILE = 'ca.key';

/** Reads the directory's certificate files; undefined when any is missing. */
export async function readCertDir(dir: string): Promise<ServingFiles | undefined> {
  try {
    const [caPem, certPem, keyPem] = await Promise.all(
      [CERT_FILES.ca, CERT_FILES.cert, CERT_FILES.key].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read certificates in ${dir}`, { cause: e });
  }
}

/** Writes a CA and a serving certificate into `dir`; private keys get mode 0600. */
export async function writeCertDir(dir: string, ca: CertificatePem, leaf: CertificatePem): Promise<ServingFiles> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CERT_FILES.ca), ca.certPem, { mode: 0o644 });
  await writeFile(join(dir, CA_KEY_FILE), ca.keyPem, { mode: 0o600 });
  await writeFile(join(dir, CERT_FILES.cert), leaf.certPem, { mode: 0o644 });
  await writeFile(join(dir, CERT_FILES.key), leaf.keyPem, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; make it true for existing files too.
  await Promise.all([chmod(join(dir, CA_KEY_FILE), 0o600), chmod(join(dir, CERT_FILES.key), 0o600)]);
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

/** Reads the CA (certificate and key) kept in `dir`, if both files are there. */
export async function readCaFromDir(dir: string): Promise<CertificatePem | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(join(dir, CERT_FILES.ca), 'utf8'),
      readFile(join(dir, CA_KEY_FILE), 'utf8'),
    ]);
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

/** Generates a CA and serving certificate for `hosts` and writes them into `dir`. */
export async function writeNewCertDir(
  dir: string,
  o: { hosts: readonly string[]; now: Date; caDays?: number; leafDays?: number },
): Promise<ServingFiles> {
  const ca = await createCA({ now: o.now, validityDays: o.caDays ?? 3650 });
  const leaf = await createServingCertificate({ ca, now: o.now, validityDays: o.leafDays ?? 365, hosts: o.hosts });
  return writeCertDir(dir, ca, leaf);
}

/** Reads the directory, generating its files first when they are absent. */
export async function ensureCertDir(
  dir: string,
  o: { hosts: readonly string[]; now: Date },
): Promise<{ files: ServingFiles; generated: boolean }> {
  const existing = await readCertDir(dir);
  if (existing) return { files: existing, generated: false };
  return { files: await writeNewCertDir(dir, o), generated: true };
}
