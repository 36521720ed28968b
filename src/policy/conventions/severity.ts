import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView, providerView } from '../../flux/objects.ts';
import type { ConventionCheck } from './convention.ts';
import { matchesAny } from './template.ts';

/**
 * Severity routing. notification-controller sends an Alert the events at or above its
 * eventSeverity (`eventMatchesAlertSource`: `error` takes only errors, `info` takes both; absent
 * reads as the CRD default `info`). The convention may require a severity, and may forbid `info` Alerts
 * from targeting a Provider whose spec.channel matches given patterns (e.g. `*-incidents`).
 */
export const severityConvention: ConventionCheck<'severity'> = {
  key: 'severity',
  kinds: ['Alert'],
  description: 'Alerts carry the required eventSeverity, and info Alerts do not target the channels the policy keeps for errors.',
  check(ctx, req) {
    const a = alertView(ctx.object);
    const severity = a.eventSeverity ?? 'info';
    const out: FieldError[] = [];
    if (req.required && severity !== req.required) {
      out.push(fieldError('Invalid', field('spec', 'eventSeverity'), severity,
        `Alerts in namespace ${quote(ctx.namespace.name)} must have eventSeverity ${quote(req.required)}: set spec.eventSeverity: ${req.required}`));
    }
    if (req.infoForbiddenChannels && severity === 'info' && a.providerName) {
      const provider = ctx.cluster.getProvider(a.namespace, a.providerName);
      const channel = provider ? providerView(provider).channel?.replace(/^#/, '') : undefined;
      if (channel && matchesAny(req.infoForbiddenChannels, channel, ctx.namespace).matched) {
        out.push(fieldError('Invalid', field('spec', 'eventSeverity'), severity,
          `Provider ${quote(a.providerName)} posts to channel ${quote(channel)}, which takes only error events: set spec.eventSeverity: error, or use another Provider`));
      }
    }
    return out;
  },
};
