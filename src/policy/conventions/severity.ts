import type { ConventionError } from './convention.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView, providerView } from '../../flux/objects.ts';
import { addressInUse } from '../../flux/address-in-use.ts';
import type { ConventionCheck } from './convention.ts';
import { matchesAny } from './template.ts';

/**
 * Severity routing. notification-controller sends an Alert the events at or above its
 * eventSeverity (`eventMatchesAlertSource`: `error` takes only errors, `info` takes both; absent
 * reads as the CRD default `info`). The convention may require a severity, and may forbid `info` Alerts
 * from targeting a Provider whose spec.channel matches given patterns (e.g. `*-incidents`); a Provider
 * whose address is an incoming webhook is not judged by its spec.channel, which Slack ignores.
 */
export const severityConvention: ConventionCheck<'severity'> = {
  key: 'severity',
  kinds: ['Alert'],
  description:
    'Alerts carry the required eventSeverity, and info Alerts do not target the channels the policy keeps for errors.',
  check(ctx, req) {
    const a = alertView(ctx.object);
    const severity = a.eventSeverity ?? 'info';
    const out: ConventionError[] = [];
    if (req.required && severity !== req.required) {
      out.push(
        fieldError(
          'Invalid',
          field('spec', 'eventSeverity'),
          severity,
          `Alerts in namespace ${quote(ctx.namespace.name)} must have eventSeverity ${quote(req.required)}: set spec.eventSeverity: ${req.required}`,
        ),
      );
    }
    const provider =
      req.infoForbiddenChannels && severity === 'info' && a.providerName
        ? ctx.cluster.getProvider(a.namespace, a.providerName)
        : undefined;
    if (!provider) return out;
    const p = providerView(provider);
    const channel = p.channel?.replace(/^#/, '');
    if (!channel || !matchesAny(req.infoForbiddenChannels!, channel, ctx.namespace).matched) return out;
    // An incoming webhook posts to its own channel whatever spec.channel says (`Slack.Post`).
    const use = addressInUse(p, p.secretRef ? ctx.cluster.getSecret(p.namespace, p.secretRef) : undefined);
    if ('facts' in use && use.facts?.slackAppWebhook) return out;
    const unknown = use.from === 'unknown' || (use.from === 'secret' && use.facts === undefined);
    out.push({
      ...fieldError(
        'Invalid',
        field('spec', 'eventSeverity'),
        severity,
        `Provider ${quote(a.providerName)} posts to channel ${quote(channel)}, which takes only error events: set spec.eventSeverity: error, or use another Provider${unknown ? " (the Provider's address cannot be read here; if it is an incoming webhook, Slack ignores spec.channel)" : ''}`,
      ),
      ...(unknown ? { doubtful: true as const } : {}),
    });
    return out;
  },
};
