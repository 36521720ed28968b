/**
 * The context the rules of one evaluation share (rule.ts `RuleContext`), built by the engine.
 * What it derives from the object is computed when a rule first reads it and then kept for the
 * other rules: the Alert or Provider view (each Alert's rules read it about ten times), and a
 * Secret's facts (its address parsed as a URL), which no rule may need (the old Secret's facts are
 * read by none today). Pure.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { GuardedKind } from '../flux/api.ts';
import type { AlertView, KubeObject, ProviderView } from '../flux/objects.ts';
import { alertView, providerView } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import { secretFacts } from '../flux/secret-facts.ts';
import type { Policy } from './policy.ts';
import type { Operation, RuleContext } from './rule.ts';

/** What the context is built from: one admission request (engine.ts `EvaluationInput`). */
export interface ContextInput {
  readonly kind: GuardedKind;
  readonly operation: Operation;
  readonly namespace: string;
  readonly name: string;
  /** The new object (absent for DELETE). */
  readonly object: KubeObject | undefined;
  /** The old object (UPDATE and DELETE). */
  readonly oldObject: KubeObject | undefined;
}

/** The rules' context for `input`, whose `subject` is the object (or, for DELETE, the old one). */
export function evaluationContext(
  input: ContextInput,
  subject: KubeObject,
  cluster: ClusterView,
  policy: Policy,
): RuleContext {
  return new EvaluationContext(input, subject, cluster, policy);
}

/** One object (one allocation) whose derived fields are made at their first read. */
class EvaluationContext implements RuleContext {
  readonly operation: Operation;
  readonly object: KubeObject;
  readonly oldObject: KubeObject | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly cluster: ClusterView;
  readonly policy: Policy;
  readonly #input: ContextInput;
  #secret: SecretFacts | undefined | null = null;
  #oldSecret: SecretFacts | undefined | null = null;
  #alert: AlertView | undefined;
  #provider: ProviderView | undefined;

  constructor(input: ContextInput, subject: KubeObject, cluster: ClusterView, policy: Policy) {
    const isSecret = input.kind === 'Secret';
    this.#input = input;
    this.operation = input.operation;
    // Rules never see a Secret's data: only its metadata and its facts.
    this.object = isSecret ? metadataOnly(subject) : subject;
    this.oldObject = isSecret ? (input.oldObject ? metadataOnly(input.oldObject) : undefined) : input.oldObject;
    this.namespace = input.namespace;
    this.name = input.name;
    this.cluster = cluster;
    this.policy = policy;
  }

  get secret(): SecretFacts | undefined {
    if (this.#secret === null) this.#secret = this.#facts(this.#input.object);
    return this.#secret;
  }

  get oldSecret(): SecretFacts | undefined {
    if (this.#oldSecret === null) this.#oldSecret = this.#facts(this.#input.oldObject);
    return this.#oldSecret;
  }

  get alert(): AlertView {
    return (this.#alert ??= alertView(this.object));
  }

  get provider(): ProviderView {
    return (this.#provider ??= providerView(this.object));
  }

  #facts(o: KubeObject | undefined): SecretFacts | undefined {
    return this.#input.kind === 'Secret' && o ? secretFacts(o) : undefined;
  }
}

function metadataOnly(o: KubeObject): KubeObject {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata ?? {} };
}
