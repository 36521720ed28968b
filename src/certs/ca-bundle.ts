/**
 * CA bundles (concatenated PEM certificates), as the API server reads them from a webhook
 * configuration's caBundle. During a CA rotation the bundle holds the old and the new CA, so a
 * serving certificate from either verifies; a CA leaves the bundle only once it has expired.
 * Pure: the instant is a parameter.
 */
import forge from 'node-forge';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, normalised (one trailing newline each). */
export function splitBundle(bundlePem: string): string[] {
  return (bundlePem.replace(/\r\n/g, '\n').match(PEM_CERT) ?? []).map((c) => `${c.trim()}\n`);
}

/** A bundle of the given CAs that are still valid at `at`, without duplicates, oldest first. */
export function buildBundle(cas: readonly string[], at: Date): string {
  const seen = new Set<string>();
  const kept: { pem: string; notAfter: number }[] = [];
  for (const pem of cas.flatMap(splitBundle)) {
    const cert = forge.pki.certificateFromPem(pem);
    const fingerprint = forge.md.sha256
      .create()
      .update(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes())
      .digest()
      .toHex();
    if (seen.has(fingerprint) || cert.validity.notAfter < at) continue;
    seen.add(fingerprint);
    kept.push({ pem, notAfter: cert.validity.notAfter.getTime() });
  }
  return kept
    .sort((a, b) => a.notAfter - b.notAfter)
    .map((k) => k.pem)
    .join('');
}

/** True when some CA of the bundle signed `certPem`. */
export function bundleTrusts(bundlePem: string, certPem: string): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  return splitBundle(bundlePem).some((ca) => {
    try {
      return forge.pki.certificateFromPem(ca).verify(cert);
    } catch {
      return false;
    }
  });
}

/** Base64 of a PEM bundle, as `caBundle` carries it. */
export function toCaBundleField(bundlePem: string): string {
  return Buffer.from(bundlePem, 'utf8').toString('base64');
}
