import { test } from 'node:test';
import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';
import { alert } from '../../../test/support/objects.ts';
import { applyCrdDefaults, crdSchema, crdSchemaErrors } from '../../../test/support/crd-schema.ts';
import type { Convention } from '../conventions/convention.ts';
import { defaultEventMetadata } from './event-metadata.ts';

const conventions: Convention[] = [
  {
    name: 'metadata',
    action: 'warn',
    eventMetadata: {
      required: ['cluster'],
      defaults: { cluster: 'prod-eu-1', team: '{label:team}', source: '{namespace}' },
    },
  },
  {
    name: 'prod-only',
    action: 'warn',
    namespaces: { selector: { matchLabels: { env: 'prod' } } },
    eventMetadata: { defaults: { env: 'prod', cluster: 'ignored: the first convention wins' } },
  },
];
const payments = { name: 'payments', labels: { team: 'payments', env: 'prod' } };
const spec = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };

test('adds the missing keys, filled from the namespace, and says so', () => {
  const d = defaultEventMetadata(
    alert('payments', 'a', { ...spec, eventMetadata: { team: 'checkout' } }),
    conventions,
    payments,
  );
  assert.deepEqual((d?.object['spec'] as Record<string, unknown>)['eventMetadata'], {
    team: 'checkout',
    cluster: 'prod-eu-1',
    source: 'payments',
    env: 'prod',
  });
  assert.equal(
    d?.warning,
    'spec.eventMetadata: added cluster: "prod-eu-1", source: "payments", env: "prod" from the platform\'s policy; set a key yourself to choose its value',
  );
});

test('never overwrites a key the user set, even empty, and reinvocation changes nothing', () => {
  const once = defaultEventMetadata(
    alert('payments', 'a', { ...spec, eventMetadata: { cluster: '' } }),
    conventions,
    payments,
  )!;
  assert.equal((once.object['spec'] as { eventMetadata: Record<string, string> }).eventMetadata['cluster'], '');
  assert.equal(defaultEventMetadata(once.object, conventions, payments), undefined);
});

test('a template whose label the namespace lacks is left out, with a warning', () => {
  const d = defaultEventMetadata(alert('sandbox', 'a', spec), conventions, { name: 'sandbox', labels: {} });
  assert.deepEqual((d?.object['spec'] as Record<string, unknown>)['eventMetadata'], {
    cluster: 'prod-eu-1',
    source: 'sandbox',
  });
  assert.equal(
    d?.warning,
    'spec.eventMetadata: added cluster: "prod-eu-1", source: "sandbox" from the platform\'s policy; set a key yourself to choose its value; not defaulted: team (namespace "sandbox" has no label "team")',
  );
});

test('exempt Alerts (annotation with a reason), v1beta1 Alerts and conventions off are left alone', () => {
  const exempt = alert('payments', 'a', spec, {
    annotations: {
      'notify-guard.fluxcd.community/exempt': 'metadata,prod-only',
      'notify-guard.fluxcd.community/exempt-reason': 'legacy',
    },
  });
  assert.equal(defaultEventMetadata(exempt, conventions, payments), undefined);
  assert.equal(defaultEventMetadata(alert('payments', 'a', spec, {}, 'v1beta1'), conventions, payments), undefined);
  assert.equal(
    defaultEventMetadata(
      alert('payments', 'a', spec),
      conventions.map((c) => ({ ...c, action: 'off' as const })),
      payments,
    ),
    undefined,
  );
});

test("the patch validates against Flux's Alert schemas of every release that has eventMetadata", () => {
  for (const [release, version] of [
    ['current', 'v1beta3'],
    ['v1.8.4-with-v1beta2', 'v1beta2'],
    ['v1.6.0-with-v1beta1-v1beta2', 'v1beta2'],
  ] as const) {
    const schema = crdSchema(release, 'Alert', version);
    const stored = applyCrdDefaults(schema, alert('payments', 'a', spec, {}, version)) as ReturnType<typeof alert>;
    const d = defaultEventMetadata(stored, conventions, payments)!;
    const ops = fastJsonPatch.compare(stored, d.object);
    assert.deepEqual(ops, [
      {
        op: 'add',
        path: '/spec/eventMetadata',
        value: { cluster: 'prod-eu-1', team: 'payments', source: 'payments', env: 'prod' },
      },
    ]);
    const patched = fastJsonPatch.applyPatch(structuredClone(stored), ops).newDocument;
    assert.deepEqual(crdSchemaErrors(schema, patched), [], `${release} ${version}`);
  }
});
