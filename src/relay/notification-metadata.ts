/**
 * The metadata a notification carries, merged as notification-controller merges it:
 * from the controller's event metadata only keys prefixed `event.toolkit.fluxcd.io/` or with the
 * involved object's API group, less `<group>/checksum` and `<group>/digest`, prefixes stripped;
 * precedence (lowest first) object annotations `event.toolkit.fluxcd.io/*` < Alert eventMetadata
 * < Alert summary (as `summary`) < controller metadata; `<group>/token` is used for dedup and then
 * dropped.
 */
import type { AlertView } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import { involvedGroup } from './flux-event.ts';

export const EVENT_PREFIX = 'event.toolkit.fluxcd.io/';

/** True for events that report commit status only (never sent to Slack). */
export function isCommitStatusUpdate(e: FluxEvent): boolean {
  return e.metadata?.[`${involvedGroup(e)}/commit_status`] === 'update';
}

/** The merged, prefix-stripped metadata for one Alert's notification. */
export function notificationMetadata(
  e: FluxEvent,
  a: AlertView,
  objectAnnotations: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return withEventMetadata(e, alertMetadata(a, objectAnnotations));
}

/**
 * The part of a notification's metadata that comes from the Alert and the object's annotations,
 * below the controller's metadata in precedence. The journal keeps this per Alert and the event's
 * own metadata once per event (`withEventMetadata` merges them at delivery).
 */
export function alertMetadata(
  a: AlertView,
  objectAnnotations: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectAnnotations))
    if (k.startsWith(EVENT_PREFIX)) out[k.slice(EVENT_PREFIX.length)] = v;
  Object.assign(out, a.eventMetadata);
  if (a.summary) out['summary'] = a.summary;
  return out;
}

/** `base` with the controller's metadata of `e` merged over it (it takes precedence). */
export function withEventMetadata(e: FluxEvent, base: Readonly<Record<string, string>>): Record<string, string> {
  const group = involvedGroup(e);
  const out: Record<string, string> = { ...base };
  const dropped = new Set([`${group}/checksum`, `${group}/digest`, `${group}/token`]);
  for (const [k, v] of Object.entries(e.metadata ?? {})) {
    if (dropped.has(k)) continue;
    if (k.startsWith(EVENT_PREFIX)) out[k.slice(EVENT_PREFIX.length)] = v;
    else if (group && k.startsWith(`${group}/`)) out[k.slice(group.length + 1)] = v;
  }
  return out;
}
