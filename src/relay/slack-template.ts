/**
 * Renders a Provider's or Alert's message template (templates/message-template.ts) for Slack
 * mrkdwn. Values are escaped for Slack before rendering (`&`, `<`, `>`), so `{{message}}` and
 * `{{{message}}}` alike cannot mention @channel or forge a link; what the template's own text
 * says (a `<!subteam^…>` mention its author wrote) is kept. Every value is cut to 3,000
 * characters before rendering and the result to the section limit after, never inside an entity
 * or a `<…>` sequence. The view is built of objects without a prototype, so a name such as
 * `{{object.constructor}}` finds nothing. A template that does not parse (the webhook denies
 * one, but an annotation may predate it) renders nothing: the message is shown instead.
 */
import type { FluxEvent } from './flux-event.ts';
import { messageTemplateProblem, renderMessageTemplate } from '../templates/message-template.ts';
import { fitCounted } from './slack-blocks.ts';
import type { KubeObject } from '../flux/objects.ts';

const VALUE_MAX = 3000;

/** The platform's template for a delivery: the policy's `messages` convention, resolved outside the relay. */
export interface PlatformTemplate {
  readonly template: string;
  /** True: it wins over the Alert's and the Provider's annotations. */
  readonly required: boolean;
}

/**
 * The platform's template for a delivery of `alert` through `provider` (both as the view holds
 * them now), or undefined. cli/ wires it from the NotifyGuardPolicy: the relay never reads the
 * policy itself, so a change to the policy applies to the next attempt of every delivery.
 */
export type PlatformTemplateLookup = (
  alert: KubeObject | undefined,
  provider: KubeObject,
) => PlatformTemplate | undefined;

/**
 * The template a delivery renders: the first that parses of the Alert's annotation, the
 * Provider's annotation and the platform's; the platform's alone when it is required. A template
 * that does not parse is passed over (the webhook denies one; an annotation may predate it), and
 * none leaves the built-in layout.
 */
export function chooseTemplate(
  alertAnnotation: string | undefined,
  providerAnnotation: string | undefined,
  platform: PlatformTemplate | undefined,
): string | undefined {
  const candidates = platform?.required
    ? [platform.template]
    : [alertAnnotation, providerAnnotation, platform?.template];
  return candidates.find((t) => t !== undefined && t !== '' && !messageTemplateProblem(t));
}

/** A plain record with no prototype: template names reach only its own keys. */
function bare(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The values a template can name, escaped for Slack. */
export function templateView(
  e: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  commitUrl: string | undefined,
): Record<string, unknown> {
  const esc = (s: string) => fitCounted(s, VALUE_MAX);
  const o = e.involvedObject;
  return bare([
    [
      'object',
      bare([
        ['kind', esc(o.kind)],
        ['namespace', esc(o.namespace)],
        ['name', esc(o.name)],
      ]),
    ],
    ['severity', e.severity],
    ['reason', esc(e.reason)],
    ['message', esc(e.message)],
    ['revision', esc(metadata['revision'] ?? '')],
    ['commitUrl', commitUrl ?? ''],
    ['reportingController', esc(e.reportingController)],
    ['timestamp', esc(e.timestamp)],
    ['metadata', bare(Object.entries(metadata).map(([k, v]) => [k, esc(v)] as const))],
  ]);
}

/** The rendered mrkdwn, within `limit` characters, or undefined (no usable template, or nothing rendered). */
export function renderSlackTemplate(
  template: string,
  e: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  commitUrl: string | undefined,
  limit: number,
): string | undefined {
  if (messageTemplateProblem(template)) return undefined;
  const out = renderMessageTemplate(template, templateView(e, metadata, commitUrl)).trim();
  return out === '' ? undefined : cutMrkdwn(out, limit);
}

/** Cuts rendered mrkdwn to `limit`, saying how much was left out, never inside `&…;` or `<…>`. */
export function cutMrkdwn(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const tail = (n: number) => `... (${n} more characters)`;
  let end = limit - tail(text.length).length;
  while (end > 0 && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end--;
  const head = text.slice(0, end);
  const open = Math.max(
    head.lastIndexOf('<') > head.lastIndexOf('>') ? head.lastIndexOf('<') : -1,
    head.lastIndexOf('&') > head.lastIndexOf(';') ? head.lastIndexOf('&') : -1,
  );
  const cut = open >= 0 ? head.slice(0, open) : head;
  return `${cut}${tail(text.length - cut.length)}`;
}
