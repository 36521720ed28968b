/**
 * A finding about one Kubernetes object, wherever the object was read: the common shape of the
 * audit's findings (audit.ts, objects of a cluster or its manifests) and the linter's
 * (lint/lint-manifests.ts, objects of a repository), each adding where it found the object.
 * `audit` prints its findings with lint's formatters.
 */
import type { OptOut } from './rule-opt-out.ts';

/** One finding: which object, which rule or convention, and what it says. */
export interface ObjectFinding {
  /** The object's kind: Alert, Provider or Secret for rules; any kind for a coverage gap or a duplicate. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** A rule id, a linter rule id, or `convention:<name>`. */
  readonly rule: string;
  /**
   * What the webhook would do: deny the object, or admit it with a warning; `note` never fails a
   * run: an exemption or opt-out the object claims (with its reason), or the linter's own remark.
   */
  readonly action: 'deny' | 'warn' | 'note';
  /**
   * The field error as apimachinery prints it (`spec.providerRef.name: Not found: "slack": ...`);
   * for an exemption, the convention and the reason given.
   */
  readonly message: string;
  /** How to fix it: the rule's remediation. */
  readonly remediation?: string;
  /** The object opts out of the rule by annotation (rule-opt-out.ts): the reason it gives. */
  readonly ignored?: OptOut;
}
