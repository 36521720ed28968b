import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { addressInUse } from '../../flux/address-in-use.ts';
import type { ConventionCheck, ConventionContext, ConventionError, ConventionRequirements } from './convention.ts';
import { fillTemplate, matchesAny } from './template.ts';

type Channels = NonNullable<ConventionRequirements['channels']>;

/**
 * Channels per team. Flux's Slack notifier (`Slack.Post`, internal/notifier/slack.go) puts
 * spec.channel in the payload; chat.postMessage posts there, while an incoming webhook posts to
 * the channel it was created for whatever the payload says. So: a Provider whose address in use
 * (`createNotifier`: the Secret's key `address` over spec.address) is an incoming webhook is judged
 * by the webhook registry (its `T…/B…` ids, never the secret segment); any other slack Provider
 * that sets spec.channel is judged by the patterns.
 */
export const channelsConvention: ConventionCheck<'channels'> = {
  key: 'channels',
  kinds: ['Provider'],
  description:
    'slack Providers notify only the channels the namespace may use: spec.channel matches a pattern; an incoming webhook is registered for the namespace.',
  check(ctx, req) {
    const p = providerView(ctx.object);
    if (p.type !== 'slack') return [];
    const use = addressInUse(p, p.secretRef ? ctx.cluster.getSecret(p.namespace, p.secretRef) : undefined);
    const webhookId = 'facts' in use ? use.facts?.slackWebhookId : undefined;
    if (webhookId !== undefined) {
      if (!req.webhooks) return [];
      const path = use.from === 'secret' ? field('spec', 'secretRef', 'name') : field('spec', 'address');
      const shown = use.from === 'secret' ? p.secretRef : undefined;
      return webhookFindings(ctx, req, webhookId, path, shown);
    }
    if (!req.patterns || p.channel === undefined || p.channel === '') return [];
    // When the address in use cannot be read (a Secret outside the view, or one whose keys or
    // value are unknown), it may be an incoming webhook, which ignores spec.channel: only warn.
    const unknown = use.from === 'unknown' || (use.from === 'secret' && use.facts === undefined);
    return channelFindings(ctx, req.patterns, p.channel).map((e) =>
      unknown
        ? {
            ...e,
            detail: `${e.detail} (the address in use cannot be read here; if it is an incoming webhook, Slack ignores spec.channel)`,
            doubtful: true as const,
          }
        : e,
    );
  },
};

function channelFindings(ctx: ConventionContext, patterns: readonly string[], channel: string): ConventionError[] {
  const name = channel.replace(/^#/, '');
  const m = matchesAny(patterns, name, ctx.namespace);
  if (m.matched) return [];
  const allowed = m.filled.length > 0 ? `channels matching ${m.filled.map(quote).join(', ')}` : 'no channel';
  const missing =
    m.missingLabels.length > 0
      ? ` (namespace ${quote(ctx.namespace.name)} has no label ${m.missingLabels.map(quote).join(', ')}, which the policy's patterns need)`
      : '';
  return [
    fieldError(
      'Invalid',
      field('spec', 'channel'),
      channel,
      `namespace ${quote(ctx.namespace.name)} may notify ${allowed}${missing}: use one of them, or ask the platform team`,
    ),
  ];
}

function webhookFindings(
  ctx: ConventionContext,
  req: Channels,
  id: string,
  path: ReturnType<typeof field>,
  shown: string | undefined,
): FieldError[] {
  const entry = req.webhooks!.find((w) => w.id === id);
  if (!entry) {
    return [
      fieldError(
        'Invalid',
        path,
        shown,
        `the Slack incoming webhook ${id} is not registered in the policy: ask the platform team to register it with its channel and namespaces`,
      ),
    ];
  }
  const allowed = entry.namespaces.some((n) => {
    const f = fillTemplate(n, ctx.namespace);
    return 'text' in f && f.text === ctx.namespace.name;
  });
  if (allowed) return [];
  return [
    fieldError(
      'Invalid',
      path,
      shown,
      `the Slack incoming webhook ${id} (channel ${quote(entry.channel)}) is registered for namespaces ${entry.namespaces.map(quote).join(', ')}, not ${quote(ctx.namespace.name)}: use a webhook registered for this namespace`,
    ),
  ];
}
