/**
 * Which Slack message layout a Provider gets: Block Kit (the default) or the legacy attachment
 * that notification-controller sends, for tooling that parses it. The relay's `--slack-format`
 * sets the default; a Provider's annotation overrides it.
 */

/** The two layouts. */
export type SlackFormat = 'blocks' | 'legacy';

/** The Provider annotation that picks the layout (`blocks` or `legacy`). */
export const SLACK_FORMAT_ANNOTATION = 'notify-guard.fluxcd.community/slack-format';

/** The layout named by `value`, or undefined when it names none. */
export function parseSlackFormat(value: string | undefined): SlackFormat | undefined {
  return value === 'blocks' || value === 'legacy' ? value : undefined;
}

/** The layout for a Provider: its annotation when valid, else the relay's default. */
export function providerFormat(
  annotations: Readonly<Record<string, string>> | undefined,
  fallback: SlackFormat,
): SlackFormat {
  return parseSlackFormat(annotations?.[SLACK_FORMAT_ANNOTATION]?.trim()) ?? fallback;
}
