/**
 * Which certificate lifetimes can run: the checks `webhook --self-managed-certs` makes at startup
 * (exit 2 with the message) and self-management makes again when started from code. Accepted
 * settings can never make a certificate that is due for renewal as soon as it is made (see
 * `renewalPoint` in certificates.ts): renewal falls at least one day after issue.
 */

/** The lifetimes of self-managed certificates, in days (whole days from the flags that set them). */
export interface CertLifetimes {
  readonly caValidityDays: number;
  readonly leafValidityDays: number;
  readonly renewBeforeDays: number;
}

/** The first problem with `s`, naming the flags, or undefined when the settings can run. */
export function certLifetimesProblem(s: CertLifetimes): string | undefined {
  const { caValidityDays: ca, leafValidityDays: leaf, renewBeforeDays: before } = s;
  for (const [flag, v] of [
    ['--ca-validity-days', ca],
    ['--leaf-validity-days', leaf],
    ['--cert-renew-before-days', before],
  ] as const) {
    if (!(v > 0)) return `${flag} ${v}: expected a number of days above 0`;
  }
  if (before >= ca) {
    return (
      `--cert-renew-before-days ${before} must be less than --ca-validity-days ${ca}: ` +
      'every new CA would be due for rotation as soon as it is made'
    );
  }
  if (before >= leaf) {
    return (
      `--cert-renew-before-days ${before} must be less than --leaf-validity-days ${leaf}: ` +
      'every new serving certificate would be due for renewal as soon as it is made'
    );
  }
  if (leaf > ca) {
    return `--leaf-validity-days ${leaf} must not exceed --ca-validity-days ${ca}: a serving certificate cannot outlive the CA that signs it`;
  }
  return undefined;
}
