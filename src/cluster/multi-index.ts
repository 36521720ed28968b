/**
 * A multimap from string keys to sets of strings, as the object index uses it: most keys (an
 * Alert's provider, a Provider's Secret) have one value, so a single value is held as the string
 * itself and a Set only from the second on. Values come back in insertion order, as from a Set.
 */
export class MultiIndex {
  private readonly map = new Map<string, string | Set<string>>();

  add(k: string, v: string): void {
    const cur = this.map.get(k);
    if (cur === undefined) this.map.set(k, v);
    else if (typeof cur !== 'string') cur.add(v);
    else if (cur !== v) this.map.set(k, new Set([cur, v]));
  }

  delete(k: string, v: string): void {
    const cur = this.map.get(k);
    if (cur === undefined) return;
    if (typeof cur === 'string') {
      if (cur === v) this.map.delete(k);
      return;
    }
    if (!cur.delete(v)) return;
    if (cur.size === 0) this.map.delete(k);
    else if (cur.size === 1) this.map.set(k, cur.values().next().value!);
  }

  /** The values of `k`, in insertion order (a fresh array). */
  get(k: string): readonly string[] {
    const cur = this.map.get(k);
    return cur === undefined ? [] : typeof cur === 'string' ? [cur] : [...cur];
  }
}
