/**
 * The platform's eventMetadata defaults (`eventMetadata.defaults` of a convention): keys the
 * Alert does not set are added, filled from the namespace (`{namespace}`, `{label:KEY}`), so every
 * message says which cluster and team it is about (notification-controller's
 * `combineEventMetadata` puts the Alert's eventMetadata into each event).
 * Never overwrites: a key the Alert has, with any value, is the user's. A key whose template needs
 * a label the namespace lacks is left out, with a warning. Reinvocation adds nothing. v1beta1
 * Alerts have no eventMetadata field and are left alone.
 */
import type { KubeObject } from '../../flux/objects.ts';
import { asRecord, specOf } from '../../flux/objects.ts';
import type { Convention } from '../conventions/convention.ts';
import { conventionApplies, exemptionReason } from '../conventions/evaluate-conventions.ts';
import type { NamespaceFacts } from '../conventions/template.ts';
import { fillTemplate } from '../conventions/template.ts';
import type { Defaulted } from './event-severity.ts';

/** Returns the Alert with the missing default keys added, or undefined when nothing changes. */
export function defaultEventMetadata(
  obj: KubeObject,
  conventions: readonly Convention[],
  ns: NamespaceFacts,
): Defaulted | undefined {
  if (obj.apiVersion?.endsWith('/v1beta1')) return undefined;
  const current = asRecord(specOf(obj)['eventMetadata']);
  const added: Record<string, string> = {};
  const unfilled: string[] = [];
  for (const c of conventions) {
    if (!c.eventMetadata?.defaults || !conventionApplies(c, ns) || exemptionReason(obj, c.name)) continue;
    for (const [key, template] of Object.entries(c.eventMetadata.defaults)) {
      if (Object.hasOwn(current, key) || Object.hasOwn(added, key)) continue;
      const f = fillTemplate(template, ns);
      if ('text' in f) added[key] = f.text;
      else
        unfilled.push(`${key} (namespace ${JSON.stringify(ns.name)} has no label ${JSON.stringify(f.missingLabel)})`);
    }
  }
  const keys = Object.keys(added);
  if (keys.length === 0) return unfilled.length > 0 ? { object: obj, warning: notFilled(unfilled) } : undefined;
  const warning = `spec.eventMetadata: added ${keys.map((k) => `${k}: ${JSON.stringify(added[k])}`).join(', ')} from the platform's policy; set a key yourself to choose its value${unfilled.length > 0 ? `; ${notFilled(unfilled)}` : ''}`;
  return { object: { ...obj, spec: { ...specOf(obj), eventMetadata: { ...current, ...added } } }, warning };
}

function notFilled(unfilled: readonly string[]): string {
  return `not defaulted: ${unfilled.join(', ')}`;
}
