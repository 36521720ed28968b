import type { Rule, RuleContext } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import type { KubeObject } from '../../flux/objects.ts';
import type { GuardedKind } from '../../flux/api.ts';
import { MESSAGE_TEMPLATE_ANNOTATION, MESSAGE_TEMPLATE_MAX } from '../../templates/message-template.ts';
import { templateFieldError } from '../template-field-error.ts';

/**
 * The relay's message template (annotation `notify-guard.fluxcd.community/slack-template` on a
 * Provider or an Alert, templates/message-template.ts) must parse as Mustache: one that does not is
 * passed over by the relay for the next template or its built-in layout, so the author would never see it
 * work. Not a Flux behaviour: notification-controller ignores the annotation. An UPDATE that
 * leaves a broken template as it was is not denied (ratcheting).
 */
function templateParses(kind: GuardedKind): Rule {
  return {
    id: `${kind.toLowerCase()}-slack-template-parses`,
    kind,
    operations: ['CREATE', 'UPDATE'],
    defaultAction: 'deny',
    description: `The ${kind}'s notify-guard.fluxcd.community/slack-template annotation must parse as a Mustache template of at most ${MESSAGE_TEMPLATE_MAX} characters: the relay ignores one that does not.`,
    remediation: 'Close every {{tag}} and {{#section}}…{{/section}} at the line and column the error names.',
    follows: "none: notify-guard extension (the relay's message templates)",
    check: (ctx) => check(ctx),
  };
}

function check({ object, oldObject, operation }: RuleContext): readonly FieldError[] {
  const template = annotation(object);
  if (template === undefined) return [];
  if (operation === 'UPDATE' && oldObject && annotation(oldObject) === template) return [];
  const error = templateFieldError(
    field('metadata', 'annotations').key(MESSAGE_TEMPLATE_ANNOTATION),
    template,
    'the relay would pass it over for the next template or its built-in layout',
    'remove the annotation',
  );
  return error ? [error] : [];
}

function annotation(obj: KubeObject): string | undefined {
  const v = obj.metadata?.annotations?.[MESSAGE_TEMPLATE_ANNOTATION];
  return typeof v === 'string' ? v : undefined;
}

/** The rule for Providers. */
export const providerSlackTemplateParses = templateParses('Provider');
/** The rule for Alerts. */
export const alertSlackTemplateParses = templateParses('Alert');
/** Both, for the rule index. */
export const slackTemplateRules: readonly Rule[] = [providerSlackTemplateParses, alertSlackTemplateParses];
