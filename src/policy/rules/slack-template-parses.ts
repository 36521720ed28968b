import type { Rule, RuleContext } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';
import type { KubeObject } from '../../flux/objects.ts';
import type { GuardedKind } from '../../flux/api.ts';
import {
  MESSAGE_TEMPLATE_ANNOTATION,
  MESSAGE_TEMPLATE_MAX,
  messageTemplateProblem,
} from '../../templates/message-template.ts';

/**
 * The relay's message template (annotation `notify-guard.fluxcd.community/slack-template` on a
 * Provider or an Alert, templates/message-template.ts) must parse as Mustache: one that does not is
 * ignored by the relay, which then shows the plain message, so the author would never see it
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
  const problem = messageTemplateProblem(template);
  if (!problem) return [];
  const shown = template.length > 60 ? `${template.slice(0, 57)}...` : template;
  return [
    fieldError(
      'Invalid',
      field('metadata', 'annotations').key(MESSAGE_TEMPLATE_ANNOTATION),
      shown,
      `line ${problem.line}, column ${problem.column}: ${problem.reason}; the relay would show the plain message instead: fix the template or remove the annotation`,
    ),
  ];
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
