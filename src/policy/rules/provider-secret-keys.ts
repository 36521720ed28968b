import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { slackSecretKeyProblems } from '../../flux/slack-secret-requirements.ts';

/** A Slack Provider must get an address from somewhere Flux reads, and whole credentials. */
export const providerSecretKeys: Rule = {
  id: 'provider-secret-keys',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'A slack Provider needs its address in Secret key "address" or spec.address (a "url" or "webhook" key is never read), and username/password as a pair.',
  remediation: 'Rename the Secret key to "address", or set spec.address; supply username and password together.',
  check({ object, cluster }) {
    const p = providerView(object);
    if (p.type !== 'slack') return [];
    const out: FieldError[] = [];
    const secret = p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined;
    if (p.secretRef && secret) {
      for (const problem of slackSecretKeyProblems(p, secret)) {
        out.push(fieldError('Invalid', field('spec', 'secretRef', 'name'), p.secretRef,
          `Secret ${quote(p.secretRef)} has no key ${quote(problem.key)}: ${problem.detail}`));
      }
      if (secret.keys.includes('token') && !p.channel) {
        out.push(fieldError('Required', field('spec', 'channel'), undefined,
          `Secret ${quote(p.secretRef)} holds a bot token, and chat.postMessage needs a channel: set spec.channel`));
      }
    } else if (!p.secretRef && !p.address) {
      out.push(fieldError('Required', field('spec', 'address'), undefined,
        'a Slack Provider needs a webhook URL: set spec.secretRef to a Secret with key "address" (recommended, the URL is a credential) or set spec.address'));
    }
    return out;
  },
};
