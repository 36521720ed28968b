/**
 * The schema of `spec.conventions` (shape: zod; meaning: `conventionErrors`). A bad pattern,
 * template (a pattern's, or a message template that does not parse, with its line and column), selector or duplicate name is a field error, so the policy file, the
 * NotifyGuardPolicy object and the webhook's validation of it all report the same thing.
 */
import { z } from 'zod';
import type { FieldError } from '../field-error.ts';
import { fieldError } from '../field-error.ts';
import type { FieldPath } from '../field-path.ts';
import { field } from '../field-path.ts';
import type { Convention } from './convention.ts';
import { selectorProblem } from './namespace-scope.ts';
import { templateProblem } from './template.ts';
import { messagesTemplateError } from './messages.ts';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a lower-case DNS label such as team-channels');
const selector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
const webhook = z.strictObject({
  id: z
    .string()
    .regex(
      /^[TE][A-Z0-9]+\/B[A-Z0-9]+$/,
      'must be the team and hook ids of the webhook URL, T…/B… (never the secret segment after them)',
    ),
  channel: z.string().min(1),
  namespaces: z.array(z.string().min(1)).min(1),
});

/** One convention's shape. */
export const conventionSchema = z.strictObject({
  name: dnsLabel,
  action: z.enum(['deny', 'warn', 'off']).optional(),
  namespaces: z
    .strictObject({ names: z.array(z.string().min(1)).optional(), selector: selector.optional() })
    .optional(),
  exemptions: z.strictObject({ namespaces: z.array(z.string().min(1)).optional() }).optional(),
  channels: z
    .strictObject({ patterns: z.array(z.string().min(1)).optional(), webhooks: z.array(webhook).optional() })
    .optional(),
  severity: z
    .strictObject({
      required: z.enum(['info', 'error']).optional(),
      infoForbiddenChannels: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  eventMetadata: z
    .strictObject({
      required: z.array(z.string().min(1)).optional(),
      defaults: z.record(z.string().min(1), z.string()).optional(),
    })
    .optional(),
  providers: z
    .strictObject({ allowed: z.boolean().optional(), allowedTypes: z.array(z.string().min(1)).optional() })
    .optional(),
  coverage: z
    .strictObject({
      kinds: z
        .array(
          z.enum([
            'Kustomization',
            'HelmRelease',
            'GitRepository',
            'OCIRepository',
            'HelmRepository',
            'HelmChart',
            'Bucket',
          ]),
        )
        .min(1),
    })
    .optional(),
  messages: z.strictObject({ template: z.string().min(1), require: z.boolean().optional() }).optional(),
});

/** The requirement keys; exactly one per convention. */
export const REQUIREMENT_KEYS = ['channels', 'severity', 'eventMetadata', 'providers', 'coverage', 'messages'] as const;

type Parsed = z.infer<typeof conventionSchema>;

/** Errors in the meaning of conventions that passed the shape check. */
export function conventionErrors(
  conventions: readonly Parsed[],
  at: FieldPath = field('spec', 'conventions'),
): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  conventions.forEach((c, i) => {
    const p = at.index(i);
    if (seen.has(c.name))
      out.push(fieldError('Duplicate', p.child('name'), c.name, 'each convention needs a name of its own'));
    seen.add(c.name);
    const set = REQUIREMENT_KEYS.filter((k) => c[k] !== undefined);
    if (set.length !== 1)
      out.push(
        fieldError(
          'Invalid',
          p,
          undefined,
          `a convention sets exactly one of ${REQUIREMENT_KEYS.join(', ')}; this one sets ${set.length === 0 ? 'none' : set.join(', ')}`,
        ),
      );
    const sel = c.namespaces?.selector ? selectorProblem(c.namespaces.selector) : undefined;
    if (sel)
      out.push(
        fieldError(
          'Invalid',
          p.child('namespaces', 'selector', 'matchExpressions').index(sel.index),
          undefined,
          sel.detail,
        ),
      );
    const templates: [FieldPath, string][] = [
      ...(c.channels?.patterns ?? []).map((t, j): [FieldPath, string] => [p.child('channels', 'patterns').index(j), t]),
      ...(c.channels?.webhooks ?? []).flatMap((w, j) =>
        w.namespaces.map((t, k): [FieldPath, string] => [
          p.child('channels', 'webhooks').index(j).child('namespaces').index(k),
          t,
        ]),
      ),
      ...(c.severity?.infoForbiddenChannels ?? []).map((t, j): [FieldPath, string] => [
        p.child('severity', 'infoForbiddenChannels').index(j),
        t,
      ]),
      ...Object.entries(c.eventMetadata?.defaults ?? {}).map(([k, t]): [FieldPath, string] => [
        p.child('eventMetadata', 'defaults').key(k),
        t,
      ]),
    ];
    for (const [path, t] of templates) {
      const problem = templateProblem(t);
      if (problem) out.push(fieldError('Invalid', path, t, problem));
    }
    const message = c.messages
      ? messagesTemplateError(p.child('messages', 'template'), c.messages.template)
      : undefined;
    if (message) out.push(message);
  });
  return out;
}

/** The validated conventions with their defaults (action: warn). */
export function resolveConventions(conventions: readonly Parsed[]): Convention[] {
  return conventions.map((c) => ({ ...c, action: c.action ?? 'warn' }) as Convention);
}
