/**
 * The field error of a message template that does not parse (templates/message-template.ts), in
 * one wording for the annotation rules and the policy's `messages` convention: the line and
 * column, what is wrong, and the remedy that fits it (a template over the size bound is shortened;
 * a syntax error is closed at the place named).
 */
import type { FieldError } from './field-error.ts';
import { fieldError } from './field-error.ts';
import type { FieldPath } from './field-path.ts';
import { MESSAGE_TEMPLATE_MAX, messageTemplateProblem } from '../templates/message-template.ts';

/**
 * The error, or undefined when the template parses. `consequence`: what the relay does with such a
 * template, said before the remedy; `alternative`: another way out, said after it.
 */
export function templateFieldError(
  path: FieldPath,
  template: string,
  consequence: string,
  alternative?: string,
): FieldError | undefined {
  const problem = messageTemplateProblem(template);
  if (!problem) return undefined;
  const shown = template.length > 60 ? `${template.slice(0, 57)}...` : template;
  const remedy =
    template.length > MESSAGE_TEMPLATE_MAX
      ? `shorten it to at most ${MESSAGE_TEMPLATE_MAX} characters`
      : 'close every {{tag}} and {{#section}}…{{/section}} at the line and column named';
  return fieldError(
    'Invalid',
    path,
    shown,
    `line ${problem.line}, column ${problem.column}: ${problem.reason}; ${consequence}${consequence ? ': ' : ''}${remedy}${alternative ? `, or ${alternative}` : ''}`,
  );
}
