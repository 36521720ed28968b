/**
 * Objects defined twice (same API group, kind, namespace and name) across the linted manifests
 * and the context: applied together, one replaces the other, so they are reported rather than
 * silently resolved, at each checked copy. The same object read twice (a file both checked and in
 * the context) is one.
 */
import { resolve } from 'node:path';
import type { LoadedObject } from '../cluster/manifests.ts';
import { parseApiVersion } from '../flux/api.ts';

/** Where else each checked object is defined: index in `checked` -> `file:line` of its other definitions. */
export function duplicateLocations(
  checked: readonly LoadedObject[],
  context: readonly LoadedObject[],
): Map<number, string[]> {
  const groups = new Map<string, Map<string, string>>();
  const locate = (o: LoadedObject) => ({
    id: identity(o),
    at: `${resolve(o.source)}:${o.line}`,
    where: `${o.source}:${o.line}`,
  });
  for (const o of [...checked, ...context]) {
    const { id, at, where } = locate(o);
    if (!id) continue;
    const g = groups.get(id) ?? new Map<string, string>();
    if (!g.has(at)) g.set(at, where);
    groups.set(id, g);
  }
  const out = new Map<number, string[]>();
  checked.forEach((o, i) => {
    const { id, at } = locate(o);
    const others = id
      ? [...(groups.get(id) ?? new Map<string, string>())].filter(([k]) => k !== at).map(([, where]) => where)
      : [];
    if (others.length > 0) out.set(i, others);
  });
  return out;
}

function identity(l: LoadedObject): string | undefined {
  const o = l.object;
  const name = o.metadata?.name;
  if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || typeof name !== 'string' || name === '')
    return undefined;
  return `${parseApiVersion(o.apiVersion).group}\u0000${o.kind}\u0000${o.metadata?.namespace ?? ''}\u0000${name}`;
}
