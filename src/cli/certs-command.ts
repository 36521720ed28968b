/**
 * `notify-guard certs`: writes ca.crt, ca.key, tls.crt and tls.key for the webhook Service into a
 * directory, and optionally prints the caBundle or writes it into the webhook configurations.
 */
import { parseArgs } from 'node:util';
import { readCaFromDir, writeCertDir } from '../certs/cert-dir.ts';
import { createCA, createServingCertificate, needsRenewal, serviceHosts } from '../certs/certificates.ts';
import { toCaBundleField } from '../certs/ca-bundle.ts';
import { injectIntoManifests } from '../certs/inject-manifests.ts';
import { UsageError, parseWholeNumber } from './flag-values.ts';

export const CERTS_USAGE = `Usage: notify-guard certs [flags]

Writes ca.crt, ca.key, tls.crt and tls.key (keys mode 0600) for the webhook Service. A CA already
in --out is reused until --renew-before-days before it expires or two thirds of its life, whichever
is sooner; the serving certificate is new.

Flags:
  --out DIR                   directory to write (default certs)
  --service NAME              the webhook Service (default notify-guard-webhook)
  --namespace NS              its namespace (default notify-guard-system)
  --extra-san LIST            more DNS names or IPs for the serving certificate, comma-separated
  --ca-validity-days DAYS     lifetime of a new CA (default 1825)
  --leaf-validity-days DAYS   lifetime of the serving certificate (default 365)
  --renew-before-days DAYS    replace a CA that expires within this many days, or past two thirds of its life (default 30)
  --print-ca-bundle           print the base64 caBundle on stdout
  --inject DIR                write the caBundle into every Validating/MutatingWebhookConfiguration under DIR
  -h, --help                  show this help
`;

const DAY_MS = 86_400_000;

export async function certsCommand(argv: readonly string[], now: Date = new Date()): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string', default: 'certs' },
      service: { type: 'string', default: 'notify-guard-webhook' },
      namespace: { type: 'string', default: 'notify-guard-system' },
      'extra-san': { type: 'string', default: '' },
      'ca-validity-days': { type: 'string', default: '1825' },
      'leaf-validity-days': { type: 'string', default: '365' },
      'renew-before-days': { type: 'string', default: '30' },
      'print-ca-bundle': { type: 'boolean', default: false },
      inject: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(CERTS_USAGE);
    return 0;
  }
  const lifetimes = parseLifetimes(values);
  const hosts = [
    ...serviceHosts(values.service, values.namespace),
    ...values['extra-san']
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const existing = await readCaFromDir(values.out);
  const reuse =
    existing && !needsRenewal(existing.certPem, { at: now, renewBeforeMs: lifetimes.renewBeforeDays * DAY_MS });
  const ca = reuse ? existing : await createCA({ now, validityDays: lifetimes.caValidityDays });
  const leaf = await createServingCertificate({ ca, now, validityDays: lifetimes.leafValidityDays, hosts });
  await writeCertDir(values.out, ca, leaf);
  process.stderr.write(
    `${reuse ? 'reused the CA' : 'created a CA'} and wrote a serving certificate for ${hosts.join(', ')} into ${values.out}/\n`,
  );
  const bundle = toCaBundleField(ca.certPem);
  if (values.inject) {
    const injected = await injectIntoManifests(values.inject, bundle);
    for (const i of injected)
      process.stderr.write(`injected the caBundle into ${i.kind} ${i.name} (${i.webhooks} webhooks) in ${i.file}\n`);
    if (injected.length === 0) process.stderr.write(`no webhook configuration found under ${values.inject}\n`);
  }
  if (values['print-ca-bundle']) process.stdout.write(`${bundle}\n`);
  return 0;
}

/** The three lifetimes; refuses a serving certificate longer than the CA, or a CA replaced on every run. */
function parseLifetimes(values: Record<string, string | boolean | undefined>): {
  caValidityDays: number;
  leafValidityDays: number;
  renewBeforeDays: number;
} {
  const days = (flag: string) => parseWholeNumber(`--${flag}`, String(values[flag]), 1, 36500, 'days');
  const l = {
    caValidityDays: days('ca-validity-days'),
    leafValidityDays: days('leaf-validity-days'),
    renewBeforeDays: days('renew-before-days'),
  };
  if (l.leafValidityDays > l.caValidityDays) {
    throw new UsageError(
      `--leaf-validity-days ${l.leafValidityDays} must not exceed --ca-validity-days ${l.caValidityDays}: a serving certificate cannot outlive the CA that signs it`,
    );
  }
  if (l.renewBeforeDays >= l.caValidityDays) {
    throw new UsageError(
      `--renew-before-days ${l.renewBeforeDays} must be less than --ca-validity-days ${l.caValidityDays}: a new CA would be replaced on every run`,
    );
  }
  return l;
}
