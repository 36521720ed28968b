import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import type { KubeObject } from '../../flux/objects.ts';
import { alertView } from '../../flux/objects.ts';
import type { ConventionCheck } from './convention.ts';

/**
 * Required notification coverage. The audit reports each object of the required kinds that no
 * Alert covers (src/policy/coverage.ts); here, deleting an Alert, suspending it or removing event
 * sources from it is reported when it was the last one watching a required kind in a namespace
 * the convention covers. An Alert watches the kinds of its eventSources in the source's namespace,
 * defaulting to its own (`eventMatchesAlertSources`); a suspended one watches nothing
 * (`filterAlertsForEvent`).
 */
export const coverageConvention: ConventionCheck<'coverage'> = {
  key: 'coverage',
  kinds: ['Alert'],
  operations: ['UPDATE', 'DELETE'],
  description:
    'Objects of the required kinds are watched by an Alert: audit reports the gaps, and deleting (or suspending) the last Alert watching a required namespace is reported.',
  check(ctx, req) {
    const before = ctx.operation === 'DELETE' ? ctx.object : ctx.oldObject;
    if (!before) return [];
    const a = alertView(before);
    const after = ctx.operation === 'UPDATE' ? watched(ctx.object) : new Set<string>();
    const out: FieldError[] = [];
    const seen = new Set<string>();
    watchedSources(before).forEach(({ kind, namespace: ns, index }) => {
      const key = `${kind}/${ns}`;
      if (!req.kinds.includes(kind) || seen.has(key) || after.has(key) || !ctx.appliesTo(ns)) return;
      seen.add(key);
      const others = ctx.cluster.alertsWatching(kind, ns).filter((o) => {
        const v = alertView(o);
        return !(v.namespace === a.namespace && v.name === a.name) && !v.suspend;
      });
      if (others.length > 0) return;
      const what =
        ctx.operation === 'DELETE'
          ? `Alert ${quote(a.name)} is the last one watching`
          : `after this change no Alert watches`;
      out.push(
        fieldError(
          'Forbidden',
          field('spec', 'eventSources').index(index),
          undefined,
          `${what} ${kind} objects in namespace ${quote(ns)}, which the platform requires to be covered: create another Alert for them first`,
        ),
      );
    });
    return out;
  },
};

/** The (kind, namespace) pairs an Alert watches, with the index of the first source giving each; none when suspended. */
function watchedSources(alert: KubeObject): { kind: string; namespace: string; index: number }[] {
  const a = alertView(alert);
  return a.suspend
    ? []
    : a.eventSources.map((s, index) => ({ kind: s.kind, namespace: s.namespace || a.namespace, index }));
}

function watched(alert: KubeObject): Set<string> {
  return new Set(watchedSources(alert).map((s) => `${s.kind}/${s.namespace}`));
}
