/**
 * Reads and validates the policy file (YAML). Errors name the field:
 * `policy.yaml: spec.rules.alert-provider-exist: unknown rule; known rules: ...`.
 * The schema is documented in docs/policy.md; examples/policy.yaml is a complete example.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Policy, PolicySettings, RuleDefaults } from './policy.ts';
import { resolvePolicy } from './policy.ts';
import { conventionErrors, conventionSchema, resolveConventions } from './conventions/convention-schema.ts';
import { errorString } from './field-error.ts';

/** The policy file's apiVersion and kind. */
export const POLICY_API_VERSION = 'notify-guard.fluxcd.community/v1alpha1';
export const POLICY_KIND = 'NotifyGuardPolicy';

const action = z.enum(['deny', 'warn', 'off']);
const hostname = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name such as hooks.slack.com (no scheme, port or path)');

const namespaceOrAll = z.string().regex(/^(\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/, 'must be a namespace name or "*"');

/** Rule ids that earlier releases had: accepted in a policy file and ignored, so old files keep loading. */
export const REMOVED_RULES: readonly string[] = ['alert-match-labels-name'];

/** The document's shape (the NotifyGuardPolicy object and the file alike). */
export const policySchema = z.strictObject({
  apiVersion: z.literal(POLICY_API_VERSION),
  kind: z.literal(POLICY_KIND),
  metadata: z.object({ name: z.string().optional() }).optional(),
  /** Written by the webhook on the NotifyGuardPolicy object; never read. */
  status: z.unknown().optional(),
  spec: z
    .strictObject({
      rules: z.record(z.string(), action).optional(),
      destinations: z
        .strictObject({
          allowedHosts: z.array(hostname).optional(),
          checkedProviderTypes: z.array(z.string().min(1)).optional(),
        })
        .optional(),
      flux: z.strictObject({ noCrossNamespaceRefs: z.boolean().optional() }).optional(),
      defaulting: z.strictObject({ eventSeverityWithoutIntent: z.enum(['keep', 'error']).optional() }).optional(),
      relay: z.strictObject({ deliversSlack: z.boolean().optional() }).optional(),
      secrets: z.strictObject({ outOfBandNamespaces: z.array(namespaceOrAll).optional() }).optional(),
      conventions: z.array(conventionSchema).optional(),
    })
    .optional(),
});

/** A document that passed the shape check. */
export type PolicyDocument = z.infer<typeof policySchema>;

/** A policy file that cannot be used; the message names the file and the field. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/** Parses policy YAML text; `source` names it in errors. */
export function parsePolicy(text: string, source: string, rules: readonly RuleDefaults[]): Policy {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new PolicyFileError(`${source}: not valid YAML: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  const result = policySchema.safeParse(doc);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(document)'}: ${i.message}`);
    throw new PolicyFileError(`${source}: ${lines.join('; ')}`);
  }
  const spec = result.data.spec ?? {};
  const known = new Set(rules.map((r) => r.id));
  const unknown = Object.keys(spec.rules ?? {}).filter((id) => !known.has(id) && !REMOVED_RULES.includes(id));
  if (unknown.length > 0) {
    throw new PolicyFileError(
      `${source}: ${unknown.map((id) => `spec.rules.${id}`).join(', ')}: unknown rule; known rules: ${[...known].join(', ')}`,
    );
  }
  const conventionProblems = conventionErrors(spec.conventions ?? []);
  if (conventionProblems.length > 0)
    throw new PolicyFileError(`${source}: ${conventionProblems.map(errorString).join('; ')}`);
  return resolvePolicy(rules, policySettings(spec));
}

/** The settings a valid document's spec gives. */
export function policySettings(spec: NonNullable<PolicyDocument['spec']>): PolicySettings {
  return {
    ...(spec.rules ? { rules: spec.rules } : {}),
    ...(spec.destinations?.allowedHosts ? { allowedHosts: spec.destinations.allowedHosts } : {}),
    ...(spec.destinations?.checkedProviderTypes
      ? { checkedProviderTypes: spec.destinations.checkedProviderTypes }
      : {}),
    ...(spec.flux?.noCrossNamespaceRefs !== undefined ? { noCrossNamespaceRefs: spec.flux.noCrossNamespaceRefs } : {}),
    ...(spec.defaulting?.eventSeverityWithoutIntent
      ? { eventSeverityWithoutIntent: spec.defaulting.eventSeverityWithoutIntent }
      : {}),
    ...(spec.relay?.deliversSlack !== undefined ? { relayDeliversSlack: spec.relay.deliversSlack } : {}),
    ...(spec.secrets?.outOfBandNamespaces ? { outOfBandSecretNamespaces: spec.secrets.outOfBandNamespaces } : {}),
    ...(spec.conventions ? { conventions: resolveConventions(spec.conventions) } : {}),
  };
}

/** Reads and parses a policy file. */
export async function loadPolicyFile(path: string, rules: readonly RuleDefaults[]): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PolicyFileError(
      `${path}: cannot read policy file: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      { cause },
    );
  }
  return parsePolicy(text, path, rules);
}
