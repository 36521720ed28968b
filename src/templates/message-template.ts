/**
 * Message templates: a Provider or Alert annotation may replace the event's message in Slack with
 * a logic-less Mustache template (mustache.js). Mustache because it cannot run code: a template
 * only names values and sections; there are no expressions, helpers or filters to reach the
 * process, and it is small, stable and widely used. This module is the one parser, shared by the
 * webhook (which denies a template that does not parse, at apply time) and the relay (which
 * renders it). Each use gets its own Writer, so no template is cached between objects.
 */
import Mustache from 'mustache';

/** The annotation that holds the template, on a Provider or an Alert (the Alert's wins). */
export const MESSAGE_TEMPLATE_ANNOTATION = 'notify-guard.fluxcd.community/slack-template';

/** The longest template accepted (characters). */
export const MESSAGE_TEMPLATE_MAX = 4096;

/** Why a template cannot be used, and where (1-based line and column). */
export interface TemplateProblem {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

/** The problem of `template`, or undefined when it parses and is not too long. */
export function messageTemplateProblem(template: string): TemplateProblem | undefined {
  if (template.length > MESSAGE_TEMPLATE_MAX)
    return {
      line: 1,
      column: 1,
      reason: `the template is ${template.length} characters long, more than ${MESSAGE_TEMPLATE_MAX}`,
    };
  try {
    new Mustache.Writer().parse(template);
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    const at = /^(.*) at (\d+)$/.exec(message);
    const offset = at ? openingOf(template, at[1]!, Number(at[2])) : 0;
    const before = template.slice(0, offset).split('\n');
    return {
      line: before.length,
      column: before[before.length - 1]!.length + 1,
      reason: (at ? at[1]! : message)
        .replace(/^Unclosed tag$/, 'unclosed tag')
        .replace(/^Unclosed section/, 'unclosed section')
        .replace(/^Unopened section/, 'unopened section'),
    };
  }
}

/**
 * Where the tag an error is about opens: mustache.js reports an unclosed tag or section where the
 * template ends, which says nothing; the last opening of that tag or section is what to fix.
 */
function openingOf(template: string, error: string, at: number): number {
  if (error === 'Unclosed tag') return Math.max(0, template.lastIndexOf('{{', at));
  const section = /^Unclosed section "(.*)"$/.exec(error)?.[1];
  if (section === undefined) return at;
  let found = at;
  for (const m of template.slice(0, at).matchAll(/\{\{\s*[#^]\s*([^}]*?)\s*\}\}/g))
    if (m[1] === section) found = m.index;
  return found;
}

/**
 * Renders a template that parsed, over `view`, with no escaping of its own: the caller escapes
 * the values in `view` first, for the destination's syntax. Partials are never loaded.
 */
export function renderMessageTemplate(template: string, view: object): string {
  return new Mustache.Writer().render(template, view, {}, { escape: (s: string) => s });
}
