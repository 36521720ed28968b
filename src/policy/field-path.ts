/**
 * A field path as apimachinery's `field.Path` prints it: `spec.eventSources[2].namespace`,
 * `data[address]` for map keys that are not identifiers.
 */
export interface FieldPath {
  /** A child field: `spec` -> `spec.providerRef`. */
  child(name: string, ...more: string[]): FieldPath;
  /** A list element: `spec.eventSources` -> `spec.eventSources[2]`. */
  index(i: number): FieldPath;
  /** A map entry: `data` -> `data[address]`. */
  key(k: string): FieldPath;
  /** The printed path. */
  toString(): string;
}

/** Starts a path at a root field, e.g. `field('spec', 'providerRef', 'name')`. */
export function field(root: string, ...more: string[]): FieldPath {
  return makePath([root, ...more].join('.'));
}

function makePath(printed: string): FieldPath {
  return {
    child: (name, ...more) => makePath([printed, name, ...more].join('.')),
    index: (i) => makePath(`${printed}[${i}]`),
    key: (k) => makePath(`${printed}[${k}]`),
    toString: () => printed,
  };
}
