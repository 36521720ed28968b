/**
 * fast-check generators of what a hostile or broken client can send: AdmissionReviews (well-formed
 * reviews of Alerts, Providers and Secrets with random field values, reviews with one field
 * replaced by anything, and arbitrary JSON) and Flux events (well-formed with random text, and
 * broken ones).
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

const NOTIFICATION = 'notification.toolkit.fluxcd.io';

/** Short strings that often collide with what the rules look for. */
const word = fc.oneof(
  fc.constantFrom(
    '',
    '*',
    'apps',
    'flux-system',
    'slack',
    'slack-url',
    'address',
    'token',
    'url',
    'Kustomization',
    'GitRepository',
    'HelmRelease',
    'info',
    'error',
    'Apply',
    'Update',
    'https://hooks.slack.com/services/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',
    'http://x',
    '<!channel>',
    '.*',
    '(',
    '\\pL{1000}',
    'x'.repeat(1100),
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

/** Any JSON value, shallow or nested, biased to the types rules expect. */
const anyValue: Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  word,
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(word, { maxLength: 4 }),
  fc.dictionary(word, word, { maxKeys: 4 }),
);

/** Mostly `a`, sometimes anything (a field of the wrong type). */
const mostly = <T>(a: Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: a as Arbitrary<unknown> }, { weight: 1, arbitrary: anyValue });

const eventSource = fc.record(
  { kind: word, name: word, namespace: word, matchLabels: fc.dictionary(word, word, { maxKeys: 3 }), apiVersion: word },
  { requiredKeys: [] },
);
const ref = fc.oneof(fc.record({ name: word }), anyValue);

const alertSpec = fc.record(
  {
    providerRef: ref,
    eventSources: fc.oneof(fc.array(eventSource, { maxLength: 4 }), anyValue),
    inclusionList: fc.oneof(fc.array(word, { maxLength: 4 }), anyValue),
    exclusionList: fc.oneof(fc.array(word, { maxLength: 4 }), anyValue),
    eventSeverity: fc.oneof(fc.constantFrom('info', 'error'), anyValue),
    suspend: fc.oneof(fc.boolean(), anyValue),
    summary: anyValue,
    eventMetadata: fc.oneof(fc.dictionary(word, word, { maxKeys: 3 }), anyValue),
  },
  { requiredKeys: [] },
);
const providerSpec = fc.record(
  {
    type: fc.oneof(fc.constantFrom('slack', 'generic', 'msteams'), anyValue),
    address: anyValue,
    channel: anyValue,
    username: anyValue,
    suspend: fc.oneof(fc.boolean(), anyValue),
    secretRef: ref,
    certSecretRef: ref,
    proxySecretRef: ref,
  },
  { requiredKeys: [] },
);

const managedFields = fc.array(
  mostly(
    fc.record(
      {
        manager: word,
        operation: fc.constantFrom('Apply', 'Update'),
        subresource: fc.constantFrom('', 'status'),
        fieldsV1: fc.oneof(
          fc.constant({ 'f:spec': { 'f:eventSeverity': {}, 'f:suspend': {} } }),
          fc.dictionary(word, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
  { maxLength: 3 },
);

const metadata = fc.record(
  {
    name: mostly(word),
    namespace: mostly(word),
    uid: word,
    labels: mostly(fc.dictionary(word, word, { maxKeys: 3 })),
    annotations: mostly(
      fc.dictionary(
        fc.oneof(
          word,
          fc.constantFrom(
            'kubectl.kubernetes.io/last-applied-configuration',
            'notify-guard.fluxcd.community/delivered-by',
            'notify-guard.fluxcd.community/user-suspend',
          ),
        ),
        fc.oneof(
          word,
          fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
        ),
        { maxKeys: 3 },
      ),
    ),
    managedFields: mostly(managedFields),
    deletionTimestamp: fc.constantFrom('2026-01-01T00:00:00Z'),
  },
  { requiredKeys: ['name', 'namespace'] },
);

const kindOf = fc.constantFrom(
  { group: NOTIFICATION, version: 'v1beta3', kind: 'Alert' },
  { group: NOTIFICATION, version: 'v1beta2', kind: 'Alert' },
  { group: NOTIFICATION, version: 'v1beta3', kind: 'Provider' },
  { group: NOTIFICATION, version: 'v1beta1', kind: 'Provider' },
  { group: '', version: 'v1', kind: 'Secret' },
  { group: '', version: 'v1', kind: 'ConfigMap' },
);

const object = (k: { group: string; version: string; kind: string }) =>
  fc.record(
    {
      apiVersion: fc.constant(k.group ? `${k.group}/${k.version}` : k.version),
      kind: fc.constant(k.kind),
      metadata,
      spec: k.kind === 'Alert' ? alertSpec : k.kind === 'Provider' ? providerSpec : anyValue,
      data: fc.dictionary(word, fc.oneof(word, fc.base64String({ maxLength: 40 })), { maxKeys: 3 }),
      stringData: fc.dictionary(word, word, { maxKeys: 3 }),
      type: fc.constantFrom('Opaque', 'kubernetes.io/tls'),
    },
    { requiredKeys: ['apiVersion', 'kind', 'metadata'] },
  );

/** A review as the API server would send it, with random content. */
export const wellFormedReview = kindOf.chain((k) =>
  fc.record({
    apiVersion: fc.constant('admission.k8s.io/v1'),
    kind: fc.constant('AdmissionReview'),
    request: fc.record({
      uid: fc.uuid(),
      kind: fc.constant(k),
      name: word,
      namespace: word,
      operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
      object: fc.option(object(k), { nil: null }),
      oldObject: fc.option(object(k), { nil: null }),
      dryRun: fc.boolean(),
      userInfo: fc.record({ username: word }),
    }),
  }),
);

/** A path into a JSON value, and a replacement for what is there. */
function replaceAt(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const at = path[0]! % entries.length;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  (copy as Record<string, unknown>)[entries[at]![0]] = replaceAt(entries[at]![1], path.slice(1), replacement);
  return copy;
}

const replacement = fc.oneof(anyValue, fc.constant(null), fc.constant(undefined));

/** A well-formed review with one field somewhere replaced by anything (mostly inside `request`, where rules read). */
export const mutatedReview = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .tuple(wellFormedReview, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), replacement)
      .map(([r, path, v]) => replaceAt(r, path, v)),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(wellFormedReview, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), replacement)
      .map(([r, path, v]) => ({ ...r, request: replaceAt(r.request, path, v) })),
  },
);

/** Anything a client may send as a review body. */
export const anyReviewBody: Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: wellFormedReview },
  { weight: 4, arbitrary: mutatedReview },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

const likely = <T>(values: readonly T[], other: Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: other });
const involvedObject = fc.record(
  {
    kind: likely(['Kustomization', 'GitRepository', 'HelmRelease'], word),
    namespace: likely(['apps', 'flux-system'], word),
    name: likely(['podinfo'], word),
    apiVersion: fc.oneof(word, fc.constantFrom('kustomize.toolkit.fluxcd.io/v1', 'source.toolkit.fluxcd.io/v1')),
    uid: word,
  },
  { requiredKeys: ['kind', 'name'] },
);

/** A Flux event with random content, as controllers send it. */
export const wellFormedEvent = fc.record(
  {
    involvedObject,
    severity: fc.constantFrom('info', 'error'),
    timestamp: fc.constantFrom('2026-11-23T10:00:00Z', ''),
    message: fc.oneof(word, fc.string({ maxLength: 5000 })),
    reason: word,
    metadata: fc.dictionary(word, word, { maxKeys: 25 }),
    reportingController: fc.oneof(
      word.filter((w) => w !== ''),
      fc.string({ minLength: 1, maxLength: 6000 }),
    ),
    reportingInstance: word,
  },
  { requiredKeys: ['involvedObject', 'severity', 'message', 'reason', 'reportingController'] },
);

/** Anything a client may send as an event body. */
export const anyEventBody: Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: wellFormedEvent },
  {
    weight: 4,
    arbitrary: fc
      .tuple(wellFormedEvent, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), anyValue)
      .map(([e, path, v]) => replaceAt(e, path, v)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);
