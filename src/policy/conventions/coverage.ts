import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { alertView } from '../../flux/objects.ts';
import type { ConventionCheck } from './convention.ts';

/**
 * Required notification coverage. The audit reports each object of the required kinds that no
 * Alert covers (src/policy/coverage.ts); here, deleting an Alert is reported when it is the last
 * one watching a required kind in a namespace the convention covers. An Alert watches the kinds of
 * its eventSources in the source's namespace, defaulting to its own (`eventMatchesAlertSources`);
 * a suspended one watches nothing (`filterAlertsForEvent`).
 */
export const coverageConvention: ConventionCheck<'coverage'> = {
  key: 'coverage',
  kinds: ['Alert'],
  operations: ['DELETE'],
  description: 'Objects of the required kinds are watched by an Alert: audit reports the gaps, and deleting the last Alert watching a required namespace is reported.',
  check(ctx, req) {
    const a = alertView(ctx.object);
    if (a.suspend) return [];
    const out: FieldError[] = [];
    const seen = new Set<string>();
    a.eventSources.forEach((s, i) => {
      const ns = s.namespace || a.namespace;
      const key = `${s.kind}/${ns}`;
      if (!req.kinds.includes(s.kind) || seen.has(key) || !ctx.appliesTo(ns)) return;
      seen.add(key);
      const others = ctx.cluster.alertsWatching(s.kind, ns).filter((o) => {
        const v = alertView(o);
        return !(v.namespace === a.namespace && v.name === a.name) && !v.suspend;
      });
      if (others.length > 0) return;
      out.push(fieldError('Forbidden', field('spec', 'eventSources').index(i), undefined,
        `Alert ${quote(a.name)} is the last one watching ${s.kind} objects in namespace ${quote(ns)}, which the platform requires to be covered: create another Alert for them first`));
    });
    return out;
  },
};
