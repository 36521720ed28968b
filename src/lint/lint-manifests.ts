/**
 * The offline linter: checks the Alerts, Providers and Secrets of a set of manifests (a GitOps
 * repository, or what `kustomize build` renders) as the validating webhook checks them when they
 * are created, against the other objects of the same manifests and of any context manifests.
 * Pure: the caller loads the manifests and prints the findings.
 */
import type { LoadedObject } from '../cluster/manifests.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import type { GuardedKind } from '../flux/api.ts';
import { guardedKind, parseApiVersion, qualifiedKind } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Engine } from '../policy/engine.ts';
import { errorString } from '../policy/field-error.ts';

/** One finding about one object of the linted manifests. */
export interface LintFinding {
  readonly source: string;
  readonly line: number;
  readonly kind: GuardedKind;
  readonly namespace: string;
  readonly name: string;
  readonly rule: string;
  /** What the webhook would do: deny the object, or admit it with a warning. */
  readonly action: 'deny' | 'warn';
  /** The field error as apimachinery prints it: `spec.providerRef.name: Not found: "slack": ...`. */
  readonly message: string;
}

/** What to lint, and how. */
export interface LintInput {
  /** The manifests whose Alerts, Providers and Secrets are checked. */
  readonly checked: readonly LoadedObject[];
  /** Objects that exist elsewhere (Secrets kept out of the repository, say): read, not checked. */
  readonly context: readonly LoadedObject[];
  readonly engine: Engine;
  /** The namespace of objects that set none, as `kubectl apply --namespace` would give them. */
  readonly defaultNamespace: string;
}

/** Lints the checked manifests; findings come in the order of the manifests. */
export function lintManifests(input: LintInput): LintFinding[] {
  const inNamespace = (o: LoadedObject): LoadedObject =>
    (o.object.metadata?.namespace ? o : { ...o, object: { ...o.object, metadata: { ...o.object.metadata, namespace: input.defaultNamespace } } });
  const checked = input.checked.map(inNamespace);
  const view = staticClusterView([...checked, ...input.context.map(inNamespace)].map((o) => o.object));
  const out: LintFinding[] = [];
  for (const { object, source, line } of checked) {
    const kind = kindOf(object);
    if (!kind) continue;
    const namespace = object.metadata?.namespace ?? input.defaultNamespace;
    const name = object.metadata?.name ?? '';
    for (const f of input.engine.evaluate({ kind, operation: 'CREATE', namespace, name, object, oldObject: undefined }, view)) {
      out.push({ source, line, kind, namespace, name, rule: f.rule, action: f.action, message: errorString(f) });
    }
  }
  return out;
}

/** `file:line: error: Alert.notification.toolkit.fluxcd.io "x" in namespace "apps": <field error> [rule]`. */
export function formatFinding(f: LintFinding): string {
  return `${f.source}:${f.line}: ${level(f)}: ${subject(f)}: ${f.message} [${f.rule}]`;
}

/**
 * The finding as a GitHub Actions workflow command, which the runner shows as an annotation on
 * that line of the pull request: `::error file=F,line=N,title=RULE::MESSAGE`, escaped as the
 * runner reads it (`%`, CR and LF everywhere; also `:` and `,` in the properties).
 */
export function formatGithubAnnotation(f: LintFinding): string {
  const data = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  const property = (s: string) => data(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
  return `::${level(f)} file=${property(f.source)},line=${f.line},title=${property(f.rule)}::${data(`${subject(f)}: ${f.message}`)}`;
}

function level(f: LintFinding): 'error' | 'warning' {
  return f.action === 'deny' ? 'error' : 'warning';
}

function subject(f: LintFinding): string {
  return `${qualifiedKind(f.kind)} ${JSON.stringify(f.name)} in namespace ${JSON.stringify(f.namespace)}`;
}

/** The guarded kind of a manifest object, read from its apiVersion and kind. */
function kindOf(o: KubeObject): GuardedKind | undefined {
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return undefined;
  return guardedKind({ ...parseApiVersion(o.apiVersion), kind: o.kind });
}
