/**
 * The legacy (attachment) layout of a digest, for Providers that get notification-controller's
 * layout (slack-format.ts): one attachment per severity (errors first, `danger`; infos, `good`),
 * whose fields are its groups by count (title: reason, kind and namespace; value: count, first and
 * last time, examples), within the legacy limits of slack-message.ts (`SLACK_LIMITS`, cut with
 * `…` by `fitEscaped`). Times are ISO: attachment fields are not mrkdwn. Same groups, order and
 * "and N more" as the Block Kit layout (digest-blocks.ts).
 */
import type { DigestAcc, DigestGroup } from './digest.ts';
import { examplesOf, orderedGroups } from './digest.ts';
import type { DigestLook } from './digest-blocks.ts';
import { counted, DIGEST_USERNAME, digestHeadline, groupName } from './digest-blocks.ts';
import type { SlackAttachment, SlackField, SlackPayload } from './slack-message.ts';
import { fitEscaped, SLACK_LIMITS } from './slack-message.ts';
import { thousands } from './plain-text.ts';

/** The legacy payload of a digest. */
export function digestLegacyPayload(acc: DigestAcc, look: DigestLook): SlackPayload {
  const attachments: SlackAttachment[] = [];
  let hidden = acc.count;
  for (const severity of ['error', 'info'] as const) {
    const groups = orderedGroups(acc)
      .filter((g) => g.severity === severity)
      .slice(0, SLACK_LIMITS.fields);
    if (groups.length === 0) continue;
    const events = groups.reduce((n, g) => n + g.count, 0);
    hidden -= events;
    attachments.push({
      color: severity === 'error' ? 'danger' : 'good',
      author_name: fitEscaped(counted(events, severity), SLACK_LIMITS.fieldTitle),
      text: fitEscaped(`${counted(groups.length, 'group')}, most events first`, SLACK_LIMITS.text),
      mrkdwn_in: ['text'],
      fields: groups.map((g) => groupField(acc, g)),
    });
  }
  const more = hidden > 0 ? `; and ${counted(hidden, 'more event')} in groups not shown` : '';
  return {
    ...(look.channel ? { channel: look.channel } : {}),
    username: fitEscaped(look.username || DIGEST_USERNAME, SLACK_LIMITS.username),
    text: fitEscaped(
      `${digestHeadline(acc, look.label)}: ${counted(acc.errors, 'error')}, ${counted(acc.count - acc.errors, 'info')}${more}`,
      SLACK_LIMITS.fallback,
    ),
    attachments,
  };
}

/** A group as a field: its name; its count, times, examples and how many more. */
function groupField(acc: DigestAcc, g: DigestGroup): SlackField {
  const iso = (ms: number) => new Date(ms).toISOString();
  const examples = examplesOf(acc, g).map((x) => `• ${x.name}: ${x.message}${x.cut > 0 ? '…' : ''}`);
  if (g.count > examples.length) examples.push(`and ${thousands(g.count - examples.length)} more`);
  return {
    title: fitEscaped(groupName(g), SLACK_LIMITS.fieldTitle),
    value: fitEscaped(
      [`${counted(g.count, 'event')}, ${iso(g.first)} to ${iso(g.last)}`, ...examples].join('\n'),
      SLACK_LIMITS.fieldValue,
    ),
    short: false,
  };
}
