/**
 * The offline linter: checks the Alerts, Providers and Secrets of a set of manifests (a GitOps
 * repository, or what `kustomize build` renders) as the validating webhook checks them when they
 * are created, against the other objects of the same manifests and of any context manifests.
 * Pure: the caller loads the manifests and prints the findings.
 */
import type { LoadedObject } from '../cluster/manifests.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { GuardedKind } from '../flux/api.ts';
import { guardedKind, parseApiVersion, qualifiedKind } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';
import { providerView } from '../flux/objects.ts';
import type { Engine, Finding } from '../policy/engine.ts';
import type { ObjectFinding } from '../policy/object-finding.ts';
import { errorString } from '../policy/field-error.ts';
import type { FluxRelease } from './api-versions.ts';
import { CURRENT_FLUX, removedApiVersionMessage } from './api-versions.ts';
import { duplicateLocations } from './duplicates.ts';
import type { LintRule } from './lint-rules.ts';
import { DUPLICATE_OBJECT, REMOVED_API_VERSION, SECRET_KEYS_UNKNOWN } from './lint-rules.ts';

/** One finding about one object of the linted manifests, at the object's place in them. */
export interface LintFinding extends ObjectFinding {
  readonly source: string;
  readonly line: number;
  /** The column (from 1) where the object starts, when known. */
  readonly column?: number;
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
  /** The Flux release the manifests target (`--flux-version`); default: the current one. */
  readonly fluxRelease?: FluxRelease;
}

/**
 * Lints the checked manifests; findings come in the order of the manifests, and for each object:
 * its apiVersion, its duplicates, then the webhook's rules and the linter's notes.
 */
export function lintManifests(input: LintInput): LintFinding[] {
  const inNamespace = (o: LoadedObject): LoadedObject =>
    o.object.metadata?.namespace
      ? o
      : { ...o, object: { ...o.object, metadata: { ...o.object.metadata, namespace: input.defaultNamespace } } };
  const checked = input.checked.map(inNamespace);
  const context = input.context.map(inNamespace);
  const view = staticClusterView([...checked, ...context].map((o) => o.object));
  const duplicates = duplicateLocations(checked, context);
  const out: LintFinding[] = [];
  checked.forEach((loaded, i) => {
    const { object, source, line, column } = loaded;
    const at = {
      source,
      line,
      ...(column !== undefined ? { column } : {}),
      namespace: object.metadata?.namespace ?? input.defaultNamespace,
      name: object.metadata?.name ?? '',
    };
    const removed = removedApiVersionMessage(object, input.fluxRelease ?? CURRENT_FLUX);
    if (removed) out.push(lintOnly(REMOVED_API_VERSION, { ...at, kind: String(object.kind) }, removed));
    const elsewhere = duplicates.get(i);
    if (elsewhere)
      out.push(
        lintOnly(
          DUPLICATE_OBJECT,
          { ...at, kind: String(object.kind) },
          `metadata.name: Duplicate value: ${JSON.stringify(at.name)}: also defined at ${elsewhere.join(', ')}; applied together, one replaces the other, and these findings read the last one: keep one definition`,
        ),
      );
    const kind = kindOf(object);
    if (!kind) return;
    for (const f of input.engine.evaluate(
      { kind, operation: 'CREATE', namespace: at.namespace, name: at.name, object, oldObject: undefined },
      view,
    ))
      out.push(fromEngine({ ...at, kind }, f));
    const note = kind === 'Provider' ? keysUnknownNote(object, view) : undefined;
    if (note) out.push(lintOnly(SECRET_KEYS_UNKNOWN, { ...at, kind }, note));
  });
  return out;
}

/** Where a finding is and about what. */
type FindingPlace = Pick<LintFinding, 'source' | 'line' | 'column' | 'kind' | 'namespace' | 'name'>;

/** An engine finding as the linter reports it: one the object opts out of is a note. */
function fromEngine(at: FindingPlace, f: Finding): LintFinding {
  return {
    ...at,
    rule: f.rule,
    action: f.ignored ? 'note' : f.action,
    message: errorString(f),
    ...(f.remediation ? { remediation: f.remediation } : {}),
    ...(f.ignored ? { ignored: f.ignored } : {}),
  };
}

function lintOnly(rule: LintRule, at: FindingPlace, message: string): LintFinding {
  return { ...at, rule: rule.id, action: rule.action, message, remediation: rule.remediation };
}

/** The note for a Provider whose secretRef Secret has keys that cannot be known, or undefined. */
function keysUnknownNote(object: KubeObject, view: ClusterView): string | undefined {
  const p = providerView(object);
  const secret = p.secretRef ? view.getSecret(p.namespace, p.secretRef) : undefined;
  if (!p.secretRef || secret?.keysKnown !== false) return undefined;
  const why =
    view.secretProducers(p.namespace, p.secretRef).find((s) => s.keys === undefined)?.keysUnknownBecause ??
    'spec.dataFrom';
  return `spec.secretRef.name: Secret ${JSON.stringify(p.secretRef)} is made by ${secret.producedBy ?? 'another object'} from ${why}, so its keys cannot be known here: key checks skipped`;
}

/**
 * `file:line: error: Alert.notification.toolkit.fluxcd.io "x" in namespace "apps": <field error> [rule]`,
 * then `  reason: <why>` for a finding the object opts out of, or `  fix: <remediation>`.
 */
export function formatFinding(f: LintFinding): string {
  return [`${f.source}:${f.line}: ${level(f)}: ${subject(f)}: ${f.message} [${f.rule}]`, ...explanation(f)].join(
    '\n  ',
  );
}

/** The lines under a finding: why it is ignored, or how to fix it. */
function explanation(f: LintFinding): string[] {
  if (f.ignored) return [`reason: ${f.ignored.reason}`];
  return f.remediation ? [`fix: ${f.remediation}`] : [];
}

/**
 * The finding as a GitHub Actions workflow command, which the runner shows as an annotation on
 * that line of the pull request: `::error file=F,line=N,title=RULE::MESSAGE`, escaped as the
 * runner reads it (`%`, CR and LF everywhere; also `:` and `,` in the properties).
 */
export function formatGithubAnnotation(f: LintFinding): string {
  const data = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  const property = (s: string) => data(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
  const command = f.action === 'note' ? 'notice' : level(f);
  const text = [`${subject(f)}: ${f.message}`, ...explanation(f)].join('\n');
  return `::${command} file=${property(f.source)},line=${f.line},title=${property(f.rule)}::${data(text)}`;
}

/** The finding's level as text, GitHub and SARIF name it. */
export function level(f: LintFinding): 'error' | 'warning' | 'note' {
  return f.action === 'deny' ? 'error' : f.action === 'warn' ? 'warning' : 'note';
}

function subject(f: LintFinding): string {
  const kind = f.kind === 'Alert' || f.kind === 'Provider' || f.kind === 'Secret' ? qualifiedKind(f.kind) : f.kind;
  return `${kind} ${JSON.stringify(f.name)} in namespace ${JSON.stringify(f.namespace)}`;
}

/** The guarded kind of a manifest object, read from its apiVersion and kind. */
function kindOf(o: KubeObject): GuardedKind | undefined {
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return undefined;
  return guardedKind({ ...parseApiVersion(o.apiVersion), kind: o.kind });
}
