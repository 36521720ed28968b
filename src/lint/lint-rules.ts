/**
 * Findings that only the linter makes, about the manifests as a whole rather than one object as
 * the webhook sees it. Each has an id, a level, a description and a remediation, as policy rules
 * do, so that every output format (text, json, github, sarif) can name and explain it.
 */

/** What a lint-only finding is: its id, what it does to the exit code, and its help. */
export interface LintRule {
  readonly id: string;
  /** `warn` fails only with --strict; `note` never fails. */
  readonly action: 'warn' | 'note';
  readonly description: string;
  readonly remediation: string;
}

export const REMOVED_API_VERSION: LintRule = {
  id: 'lint-removed-api-version',
  action: 'warn',
  description:
    'An Alert or Provider uses an API version that the targeted Flux release (--flux-version) no longer serves: applying it fails.',
  remediation:
    'Change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass the Flux release the cluster runs with --flux-version.',
};

export const DUPLICATE_OBJECT: LintRule = {
  id: 'lint-duplicate-object',
  action: 'warn',
  description:
    'Two objects of the same kind, namespace and name: applied together, one replaces the other, and the linter cannot know which one the cluster keeps.',
  remediation: 'Keep one definition of the object, or give the copies different names or namespaces.',
};

export const SECRET_KEYS_UNKNOWN: LintRule = {
  id: 'lint-secret-keys-unknown',
  action: 'note',
  description:
    "A Provider's Secret is made by an ExternalSecret whose keys cannot be known from the manifests (spec.dataFrom, templateFrom): its key checks are skipped.",
  remediation: 'Nothing to fix; list the keys in spec.data or spec.target.template.data to have them checked.',
};

/** Every lint-only finding kind. */
export const LINT_RULES: readonly LintRule[] = [REMOVED_API_VERSION, DUPLICATE_OBJECT, SECRET_KEYS_UNKNOWN];
