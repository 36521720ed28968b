/**
 * Writes docs/rules.md from the rule list: a fixed header and footer (what is not per rule) around
 * one table row per rule of ALL_RULES, from the rule's own fields. `npm run docs:rules` writes the
 * file; src/policy/rules/rules-doc.test.ts fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rule } from '../../src/policy/rule.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

/** Where the document lives. */
export const RULES_DOC_FILE = join(import.meta.dirname, '..', '..', 'docs', 'rules.md');

const HEADER = `# Rules

Every rule is one file in [\`src/policy/rules/\`](../src/policy/rules/) named after its id, with its
test table beside it (\`<rule-id>.test.ts\`, run through the engine itself by \`test/support/run-rule.ts\`).
The policy file sets any rule's action to \`deny\`, \`warn\` or \`off\` ([policy.md](policy.md)).
The table is generated from the rules' own fields (\`npm run docs:rules\`, \`test/support/rules-doc.ts\`);
\`rules-doc.test.ts\` fails when this file is stale.
`;

const FOOTER = `
Every rule follows notification-controller's source at its current release (v1.9.3, Flux v2.9):
the functions named in the last column are in \`internal/server/event_handlers.go\` unless another
file is given, and each rule's doc comment cites the same function. The first principle: **deny
only what Flux will certainly not deliver; when in doubt, warn.** So:

- A Secret's key \`address\` overrides \`spec.address\` (\`createNotifier\`): the address in use is
  judged, and an overridden \`spec.address\` is only a warning that it is unused.
- A token next to a Slack incoming-webhook address leaves it a webhook: no channel is needed. A
  channel is required only when the address in use is chat.postMessage.
- \`username\` without \`password\` (or the reverse) makes Flux drop the Secret's credentials and send
  without them: a warning (\`provider-credentials-pair\`, \`secret-credentials-pair\`).
- GovSlack (\`hooks.slack-gov.com\`, \`slack-gov.com\`) is Slack and allowed by default.
- \`matchLabels\` next to a concrete \`name\` applies both (\`eventMatchesAlertSource\`), and the relay
  routes the same way ([routing.md](routing.md)); \`alert-source-labels\` warns when the named object
  exists without the labels. The former rule \`alert-match-labels-name\` (which said Flux ignores
  such labels) is gone; a policy file that names it still loads.
- A pattern that does not compile is skipped by Flux: denied only when no inclusionList entry
  compiles (the Alert then never sends), a warning otherwise. A pattern over notify-guard's compile caps
  ([security.md](security.md#limits-and-timeouts)) is not compiled by the webhook at all: a warning
  (\`alert-regex-ignored\`), never a denial, since Flux compiles it.
- A Secret that an ExternalSecret or SealedSecret will create, or that the policy says is made out
  of band (\`spec.secrets.outOfBandNamespaces\`), is never a reason to deny: Flux reads the Secret when
  it sends, so the order in which they appear does not matter (\`provider-secret-pending\` warns while
  it is missing). See [Secrets that something else creates](#secrets-that-something-else-creates).
- A \`/services/\` URL on Slack's hooks host without the three segments \`T…/B…/<secret>\` (Flux's own
  doc placeholder \`.../services/YOUR/SLACK/WEBHOOK\`, a bare \`.../services/\`) never delivers and is
  denied; a Workflow Builder URL (\`/workflows/\`, \`/triggers/\`) is a warning.
- An address over 2,048 bytes is invalid before anything else runs; every check on an address is
  linear in its length.

\`alert-cross-namespace-source\` defaults to \`deny\` instead of \`warn\` when the policy sets
\`spec.flux.noCrossNamespaceRefs: true\` (and the rule has no explicit action).

## Opting an object out of a rule

An object may opt out of one rule with an annotation naming the rule, its value the reason (as
kube-linter's \`ignore-check.kube-linter.io/<check>\`):

\`\`\`yaml
metadata:
  annotations:
    notify-guard.fluxcd.community/ignore.alert-source-exists: "PLAT-311: the Kustomization is applied by another cluster's Flux"
\`\`\`

- The rule still runs; its findings on that object are never enforced: each is a warning that
  begins \`ignored by annotation notify-guard.fluxcd.community/ignore.<rule-id>:\`, so kubectl still
  shows what the rule found. \`lint\` and \`audit\` report them as notes with a \`reason:\` line (in
  JSON an \`ignored\` field, in SARIF a suppression with the reason as its justification); the
  webhook counts them in \`notify_guard_findings_ignored_total{rule}\` ([metrics.md](metrics.md)).
- An empty reason does not opt out: the rule applies, and a warning names the annotation
  (\`metadata.annotations[notify-guard.fluxcd.community/ignore.<rule-id>]: Required value: ...\`).
- One annotation per rule, each with its own reason; an annotation naming no rule changes nothing.
  The object's own annotations count (for a DELETE, the deleted object's), so the UPDATE that adds
  the annotation is itself admitted.
- **Every rule may be opted out of, denying ones included.** A rule denies only what Flux will
  certainly not deliver, so an opt-out can only let through an object that does not notify: the
  team that owns it chose that, with a reason the platform reads in \`audit\`, and a metric it can
  alert on.
- Conventions are exempted differently: by the platform's \`notify-guard.fluxcd.community/exempt\`
  and \`exempt-reason\` annotations ([platform.md](platform.md#a-convention)); the \`ignore.\`
  annotation applies to rules only.

## How findings become answers

- A \`deny\` finding rejects the request with a 422 \`Invalid\` Status, as apimachinery builds it:
  \`Alert.notification.toolkit.fluxcd.io "flux-alerts" is invalid: spec.providerRef.name: Not found: "slack": ...\`,
  one \`details.causes[]\` entry (\`field\`, \`reason\`, \`message\`) per finding. Several findings print as
  \`[first, second]\`, as kubectl prints any aggregate.
- A \`warn\` finding adds a warning (\`field: Type: detail\`), which kubectl prints as \`Warning: ...\`.
  Warnings are printable ASCII and at most 256 characters.
- **How to fix**: each message ends with what to do about this object (the Provider to create,
  the key to rename, the Alerts to repoint first), in the grammar of a field error; the rule's
  general remediation (the table's \`how to fix\`) is not appended a second time. \`lint\` and
  \`audit\` print the remediation on a \`fix:\` line under each finding (SARIF: the rule's help).
  Two rules' warnings say what happens and need no change to the object: \`provider-secret-pending\`
  (the producer will make the Secret) and \`alert-regex-ignored\` for a pattern over the compile
  caps (Flux compiles it).
- **Ratcheting**: on UPDATE, a denial the old object already had becomes a warning, so a controller
  adding a finalizer to an old, broken object (or a user fixing one problem at a time) is never
  blocked by a problem the change did not introduce. An UPDATE of an object being deleted
  (\`metadata.deletionTimestamp\` set) is never blocked.
- Secrets: only a Secret that a Provider in its namespace references (\`secretRef\`, \`certSecretRef\`,
  \`proxySecretRef\`) is inspected; every other Secret is allowed untouched. Secret values are decoded
  only to derive facts (key names; an address's scheme, host, length and whether it is a placeholder),
  and no message, log line or metric ever contains a value.

## Secrets that something else creates

| producer | API versions | Secret it makes | keys |
|---|---|---|---|
| ExternalSecret | \`external-secrets.io/v1\`, \`v1beta1\` | \`spec.target.name\`, default the ExternalSecret's name | \`spec.data[].secretKey\` and the keys of \`spec.target.template.data\`; unknown with \`spec.dataFrom\` or \`spec.target.template.templateFrom\` |
| SealedSecret | \`bitnami.com/v1alpha1\` | \`spec.template.metadata.name\`, default the SealedSecret's name | keys of \`spec.encryptedData\` and \`spec.template.data\` |
| SOPS-encrypted Secret | (a Secret with a top-level \`sops\` field) | itself | its keys; the values (the address) are not readable |

- \`lint\`: a producer in the manifests counts as the Secret, with the keys it declares; where they
  cannot be known, key checks are skipped and a note says so.
- webhook: the live view lists and watches the producer kinds the cluster serves (discovery), and
  keeps only names, target names and key names, never values. A missing Secret with a producer
  targeting it is a warning: \`Secret "x" does not exist yet; ExternalSecret "x" will create it; the
  Provider sends nothing until it does\`. Once the Secret exists nothing is reported.
- policy: namespaces listed in \`spec.secrets.outOfBandNamespaces\` (\`*\` for all) have Secrets made
  out of band (a vault injector, a bootstrap script): a missing Secret there is a warning.

## What is deliberately not checked

The CRD schema already rejects, on the API server: an unknown \`eventSources[].kind\`, an unknown
Provider \`type\`, \`eventSeverity\` other than \`info\`/\`error\`, \`spec.address\` over 2048 characters,
malformed \`interval\`/\`timeout\`, a missing \`providerRef\`/\`eventSources\`/\`type\`. The rules check
only what the schema admits and Flux then silently ignores.
`;

/** One table cell: pipes escaped, as Markdown tables need. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The rule's row: id, kind, operations, default action, description, remediation, follows. */
export function ruleRow(r: Rule): string {
  const cells = [
    `\`${r.id}\``,
    r.kind,
    r.operations.join(', '),
    r.defaultAction,
    r.description,
    r.remediation,
    r.follows ?? 'none',
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** docs/rules.md for a rule list. */
export function rulesDoc(rules: readonly Rule[]): string {
  const table = [
    '| id | kind | operations | default | what it checks | how to fix | follows (notification-controller) |',
    '|---|---|---|---|---|---|---|',
    ...rules.map(ruleRow),
  ].join('\n');
  return `${HEADER}\n${table}\n${FOOTER}`;
}

if (import.meta.main) writeFileSync(RULES_DOC_FILE, rulesDoc(ALL_RULES));
