/**
 * The platform's Slack message template: one Mustache template (templates/message-template.ts,
 * the same view as the `slack-template` annotation) for the messages of every Alert in the
 * convention's namespaces, set once in the policy. The relay applies it: cli/relay-templates.ts
 * resolves it (policy-message-template.ts) and hands it to the relay. Precedence: an Alert's
 * annotation, then its Provider's, then the policy's, then the built-in layout; with
 * `require: true` the policy's wins over both annotations. Not a Flux behaviour:
 * notification-controller's Slack notifier (`Slack.Post`, internal/notifier/slack.go) builds its
 * message itself and reads no template; this convention is the platform's choice only, so its
 * check reports only annotations that a required template makes the relay ignore.
 */
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { MESSAGE_TEMPLATE_ANNOTATION } from '../../templates/message-template.ts';
import { templateFieldError } from '../template-field-error.ts';
import type { FieldError } from '../field-error.ts';
import type { FieldPath } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';
import type { ConventionCheck, ConventionContext } from './convention.ts';
import { exemptionReason } from './convention.ts';

/** The `messages` convention: its check reports annotations a required template overrides. */
export const messagesConvention: ConventionCheck<'messages'> = {
  key: 'messages',
  kinds: ['Alert', 'Provider'],
  description:
    "Slack messages of Alerts in scope use the platform's template; with require, an Alert or Provider may not set its own.",
  check(ctx, req) {
    const own = ctx.object.metadata?.annotations?.[MESSAGE_TEMPLATE_ANNOTATION];
    if (!req.require || own === undefined || providerExempt(ctx)) return [];
    return [
      fieldError(
        'Forbidden',
        field('metadata', 'annotations').key(MESSAGE_TEMPLATE_ANNOTATION),
        undefined,
        `the platform sets the Slack message template for namespace ${quote(ctx.namespace.name)} and requires it: the relay ignores this annotation; remove it, or ask the platform team for an exemption`,
      ),
    ];
  },
};

/**
 * True for an Alert whose Provider is exempt from the convention with a reason: the relay then
 * passes the platform's template over for the Alert's messages (policy-message-template.ts), so
 * the Alert's own template is the one used, not one ignored.
 */
function providerExempt(ctx: ConventionContext): boolean {
  if (ctx.object.kind !== 'Alert') return false;
  const a = alertView(ctx.object);
  const provider = a.providerName ? ctx.cluster.getProvider(a.namespace, a.providerName) : undefined;
  return !!provider && !!exemptionReason(provider, ctx.convention);
}

/** The field error of a policy template that does not parse. */
export function messagesTemplateError(path: FieldPath, template: string): FieldError | undefined {
  return templateFieldError(path, template, '');
}
