import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { addressProblem } from '../../flux/address.ts';
import { addressInUse } from '../../flux/address-in-use.ts';

/**
 * The address notification-controller will use (`createNotifier`: Secret key `address` overrides
 * spec.address) is an https URL on an allowed host, at most 2048 bytes (`extractAuthFromSecret`),
 * not a placeholder, and, on Slack's hooks host, a whole `/services/T…/B…/<secret>` path.
 * An overridden spec.address is not judged here (see provider-address-overridden).
 */
export const providerAddress: Rule = {
  id: 'provider-address',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description:
    'A checked Provider\'s address in use (Secret key "address", else spec.address) must be an absolute https URL of at most 2048 bytes on an allowed host, not a placeholder, and a whole Slack incoming-webhook path on hooks.slack.com/services/.',
  remediation: 'Use the real webhook URL from Slack; ask the platform team to allow other hosts in the policy.',
  follows: '`createNotifier`, `extractAuthFromSecret` (2048 bytes)',
  check({ provider: p, cluster, policy }) {
    if (!policy.checkedProviderTypes.includes(p.type)) return [];
    const use = addressInUse(p, p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined);
    const out: FieldError[] = [];
    if (use.from === 'spec') {
      const problem = addressProblem(use.facts, policy.allowedHosts);
      // spec.address is not secret (it is stored in the Provider), so the value may be shown.
      if (problem) out.push(fieldError('Invalid', field('spec', 'address'), p.address, problem));
    } else if (use.from === 'secret' && use.facts && p.secretRef) {
      const problem = addressProblem(use.facts, policy.allowedHosts);
      if (problem)
        out.push(
          fieldError(
            'Invalid',
            field('spec', 'secretRef', 'name'),
            p.secretRef,
            `in Secret ${quote(p.secretRef)} key "address": ${problem}`,
          ),
        );
    }
    return out;
  },
};
