import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { staticClusterView } from '../../cluster/static-view.ts';
import type { KubeObject } from '../../flux/objects.ts';
import { errorString } from '../field-error.ts';
import { REAL_URL, alert, provider, secret, slackProvider } from '../../../test/support/objects.ts';
import type { Convention } from './convention.ts';
import { evaluateConventions } from './evaluate-conventions.ts';

const LABELS: Record<string, Record<string, string>> = {
  payments: { team: 'payments', env: 'prod' },
  search: { team: 'search', env: 'staging' },
  sandbox: {},
};
const namespaces = { labels: (ns: string) => LABELS[ns] };

interface Case {
  readonly object: KubeObject;
  readonly cluster?: readonly KubeObject[];
  readonly oldObject?: KubeObject;
}
type Row = [name: string, c: Case, expected: string[]];

/** Runs the conventions as the webhook does and prints `action rule: field error`. */
function run(conventions: readonly Convention[], c: Case): string[] {
  const ns = c.object.metadata?.namespace ?? '';
  const r = evaluateConventions(
    conventions,
    {
      kind: c.object.kind as 'Alert' | 'Provider',
      operation: c.oldObject ? 'UPDATE' : 'CREATE',
      object: c.object,
      oldObject: c.oldObject,
      namespace: ns,
    },
    staticClusterView(c.cluster ?? []),
    namespaces,
  );
  return [
    ...r.findings.map((f) => `${f.action} ${f.rule}: ${errorString(f)}`),
    ...r.exemptions.map((e) => `exempt ${e.convention}: ${e.reason}`),
  ];
}

function table(name: string, conventions: readonly Convention[], rows: readonly Row[]): void {
  describe(name, () => {
    for (const [title, c, expected] of rows) test(title, () => assert.deepEqual(run(conventions, c), expected));
  });
}

const botProvider = (ns: string, channel: string) =>
  provider(ns, 'slack', {
    type: 'slack',
    channel,
    address: 'https://slack.com/api/chat.postMessage',
    secretRef: { name: 'bot' },
  });
const botSecret = (ns: string) => secret(ns, 'bot', { token: 'xoxb-1' });
const channels: Convention = {
  name: 'team-channels',
  action: 'deny',
  channels: {
    patterns: ['team-{label:team}-*', 'ops-{namespace}'],
    webhooks: [{ id: 'T0AB12CD3/B0CD34EF5', channel: 'team-payments-alerts', namespaces: ['payments'] }],
  },
};

table(
  'channels per team',
  [channels],
  [
    [
      'allows a channel filled from the namespace label',
      { object: botProvider('payments', 'team-payments-deploys'), cluster: [botSecret('payments')] },
      [],
    ],
    [
      'allows #channel and the {namespace} pattern',
      { object: botProvider('search', '#ops-search'), cluster: [botSecret('search')] },
      [],
    ],
    [
      "denies another team's channel, naming the filled patterns",
      { object: botProvider('search', 'team-payments-deploys'), cluster: [botSecret('search')] },
      [
        'deny convention:team-channels: spec.channel: Invalid value: "team-payments-deploys": namespace "search" may notify channels matching "team-search-*", "ops-search": use one of them, or ask the platform team',
      ],
    ],
    [
      'says which label a namespace lacks',
      { object: botProvider('sandbox', 'general'), cluster: [botSecret('sandbox')] },
      [
        'deny convention:team-channels: spec.channel: Invalid value: "general": namespace "sandbox" may notify channels matching "ops-sandbox" (namespace "sandbox" has no label "team", which the policy\'s patterns need): use one of them, or ask the platform team',
      ],
    ],
    [
      'allows a registered incoming webhook in its namespace',
      { object: slackProvider('payments'), cluster: [secret('payments', 'slack-url', { address: REAL_URL })] },
      [],
    ],
    [
      'denies a registered webhook used from another namespace, without the secret segment',
      { object: slackProvider('search'), cluster: [secret('search', 'slack-url', { address: REAL_URL })] },
      [
        'deny convention:team-channels: spec.secretRef.name: Invalid value: "slack-url": the Slack incoming webhook T0AB12CD3/B0CD34EF5 (channel "team-payments-alerts") is registered for namespaces "payments", not "search": use a webhook registered for this namespace',
      ],
    ],
    [
      'reports an unregistered webhook by its ids only',
      {
        object: slackProvider('payments'),
        cluster: [
          secret('payments', 'slack-url', { address: 'https://hooks.slack.com/services/T0AB12CD3/B999/secretpart' }),
        ],
      },
      [
        'deny convention:team-channels: spec.secretRef.name: Invalid value: "slack-url": the Slack incoming webhook T0AB12CD3/B999 is not registered in the policy: ask the platform team to register it with its channel and namespaces',
      ],
    ],
    [
      'when the address in use cannot be read (no Secret in view), a channel outside the patterns is only a warning',
      { object: botProvider('search', 'general') },
      [
        'warn convention:team-channels: spec.channel: Invalid value: "general": namespace "search" may notify channels matching "team-search-*", "ops-search": use one of them, or ask the platform team (the address in use cannot be read here; if it is an incoming webhook, Slack ignores spec.channel)',
      ],
    ],
    [
      'ignores the channel of an incoming webhook (Slack does too) and other provider types',
      { object: provider('search', 'teams', { type: 'msteams', channel: 'x' }) },
      [],
    ],
    [
      'exempts by annotation with a reason, and reports the reason',
      {
        object: withAnnotations(botProvider('search', 'general'), {
          'notify-guard.fluxcd.community/exempt': 'team-channels',
          'notify-guard.fluxcd.community/exempt-reason': 'INC-42 war room',
        }),
        cluster: [botSecret('search')],
      },
      ['exempt team-channels: INC-42 war room'],
    ],
    [
      'an exemption without a reason is not honoured, and says so',
      {
        object: withAnnotations(botProvider('search', 'general'), {
          'notify-guard.fluxcd.community/exempt': 'team-channels',
        }),
        cluster: [botSecret('search')],
      },
      [
        'warn convention:team-channels: metadata.annotations[notify-guard.fluxcd.community/exempt-reason]: Required value: the exemption from convention "team-channels" needs a reason: set annotation notify-guard.fluxcd.community/exempt-reason; until then the convention applies',
        'deny convention:team-channels: spec.channel: Invalid value: "general": namespace "search" may notify channels matching "team-search-*", "ops-search": use one of them, or ask the platform team',
      ],
    ],
    [
      'ratchets: a denial the old object had is a warning on UPDATE',
      {
        object: withAnnotations(botProvider('search', 'general'), { x: 'y' }),
        oldObject: botProvider('search', 'general'),
        cluster: [botSecret('search')],
      },
      [
        'warn convention:team-channels: spec.channel: Invalid value: "general": namespace "search" may notify channels matching "team-search-*", "ops-search": use one of them, or ask the platform team',
      ],
    ],
  ],
);

table(
  'scope and exemptions by namespace',
  [
    {
      ...channels,
      namespaces: { selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } },
      exemptions: { namespaces: ['payments'] },
    },
    {
      name: 'prod-types',
      action: 'warn',
      namespaces: { names: ['search'], selector: { matchLabels: { env: 'prod' } } },
      providers: { allowedTypes: ['slack'] },
    },
  ],
  [
    [
      'outside the selector nothing applies',
      { object: botProvider('sandbox', 'general'), cluster: [botSecret('sandbox')] },
      [],
    ],
    [
      'an exempt namespace is skipped; a name in scope still applies',
      { object: provider('payments', 'teams', { type: 'msteams' }) },
      [
        'warn convention:prod-types: spec.type: Unsupported value: "msteams": namespace "payments" may use Provider types "slack"',
      ],
    ],
    [
      'names in scope apply whatever the labels',
      { object: provider('search', 'teams', { type: 'msteams' }) },
      [
        'warn convention:prod-types: spec.type: Unsupported value: "msteams": namespace "search" may use Provider types "slack"',
      ],
    ],
  ],
);

const slackIncidents = provider('payments', 'incidents', { type: 'slack', channel: 'payments-incidents' });
table(
  'severity routing',
  [
    {
      name: 'prod-errors',
      action: 'deny',
      namespaces: { selector: { matchLabels: { env: 'prod' } } },
      severity: { required: 'error' },
    },
    { name: 'incident-channels', action: 'warn', severity: { infoForbiddenChannels: ['*-incidents'] } },
  ],
  [
    [
      'an error Alert in prod passes',
      {
        object: alert('payments', 'a', { providerRef: { name: 'incidents' }, eventSeverity: 'error' }),
        cluster: [slackIncidents],
      },
      [],
    ],
    [
      'an info Alert in prod is denied, and warned for the incidents channel',
      {
        object: alert('payments', 'a', { providerRef: { name: 'incidents' }, eventSeverity: 'info' }),
        cluster: [slackIncidents],
      },
      [
        'deny convention:prod-errors: spec.eventSeverity: Invalid value: "info": Alerts in namespace "payments" must have eventSeverity "error": set spec.eventSeverity: error',
        'warn convention:incident-channels: spec.eventSeverity: Invalid value: "info": Provider "incidents" posts to channel "payments-incidents", which takes only error events: set spec.eventSeverity: error, or use another Provider',
      ],
    ],
    [
      'a Provider whose Secret cannot be read gives a warning that says so',
      {
        object: alert('search', 'a', { providerRef: { name: 'hook' } }),
        cluster: [
          provider('search', 'hook', { type: 'slack', channel: 'search-incidents', secretRef: { name: 'gone' } }),
        ],
      },
      [
        'warn convention:incident-channels: spec.eventSeverity: Invalid value: "info": Provider "hook" posts to channel "search-incidents", which takes only error events: set spec.eventSeverity: error, or use another Provider (the Provider\'s address cannot be read here; if it is an incoming webhook, Slack ignores spec.channel)',
      ],
    ],
    [
      'a webhook Provider with a stale spec.channel is left alone',
      {
        object: alert('search', 'a', { providerRef: { name: 'hook' } }),
        cluster: [
          provider('search', 'hook', { type: 'slack', channel: 'search-incidents', secretRef: { name: 'url' } }),
          secret('search', 'url', { address: REAL_URL }),
        ],
      },
      [],
    ],
    [
      'an absent eventSeverity reads as info, as the CRD defaults it',
      {
        object: alert('search', 'a', { providerRef: { name: 'incidents' } }),
        cluster: [provider('search', 'incidents', { type: 'slack', channel: '#search-incidents' })],
      },
      [
        'warn convention:incident-channels: spec.eventSeverity: Invalid value: "info": Provider "incidents" posts to channel "search-incidents", which takes only error events: set spec.eventSeverity: error, or use another Provider',
      ],
    ],
  ],
);

table(
  'required event metadata',
  [{ name: 'metadata', action: 'deny', eventMetadata: { required: ['cluster', 'team'] } }],
  [
    [
      'an Alert with the keys passes',
      {
        object: alert('search', 'a', {
          providerRef: { name: 'p' },
          eventMetadata: { cluster: 'prod-eu-1', team: 'search' },
        }),
      },
      [],
    ],
    [
      'names the missing keys',
      {
        object: alert('search', 'a', { providerRef: { name: 'p' }, eventMetadata: { cluster: 'prod-eu-1', team: '' } }),
      },
      [
        'deny convention:metadata: spec.eventMetadata: Required value: Alerts in namespace "search" must carry eventMetadata "team": add team: <value> under spec.eventMetadata',
      ],
    ],
    [
      'tells a v1beta1 Alert to move to v1beta3',
      { object: alert('search', 'a', { providerRef: { name: 'p' } }, {}, 'v1beta1') },
      [
        'deny convention:metadata: spec.eventMetadata: Required value: Alerts in namespace "search" must carry eventMetadata "cluster", "team", which v1beta1 Alerts cannot hold: use apiVersion notification.toolkit.fluxcd.io/v1beta3',
      ],
    ],
  ],
);

table(
  'where Providers live',
  [{ name: 'central-providers', action: 'deny', namespaces: { names: ['sandbox'] }, providers: { allowed: false } }],
  [
    [
      'a Provider in a forbidden namespace',
      { object: provider('sandbox', 'p', { type: 'slack' }) },
      [
        'deny convention:central-providers: metadata.namespace: Forbidden: Providers may not be created in namespace "sandbox": use the Provider the platform team runs for you, or ask it',
      ],
    ],
    ['an Alert there is not concerned', { object: alert('sandbox', 'a', { providerRef: { name: 'p' } }) }, []],
  ],
);

const watching = (ns: string, name: string, sources: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  alert(ns, name, { providerRef: { name: 'slack' }, eventSources: sources, ...extra });
function runDelete(conventions: readonly Convention[], deleted: KubeObject, cluster: readonly KubeObject[]): string[] {
  const r = evaluateConventions(
    conventions,
    {
      kind: 'Alert',
      operation: 'DELETE',
      object: undefined,
      oldObject: deleted,
      namespace: deleted.metadata!.namespace!,
    },
    staticClusterView(cluster),
    namespaces,
  );
  return r.findings.map((f) => `${f.action} ${f.rule}: ${errorString(f)}`);
}

describe('required coverage: deleting the last Alert watching a required namespace', () => {
  const prodCoverage: Convention = {
    name: 'prod-coverage',
    action: 'warn',
    namespaces: { selector: { matchLabels: { env: 'prod' } } },
    coverage: { kinds: ['Kustomization', 'HelmRelease'] },
  };
  const central = watching('flux-system', 'central', [
    { kind: 'Kustomization', name: '*', namespace: 'payments' },
    { kind: 'HelmRelease', name: '*', namespace: 'search' },
    { kind: 'GitRepository', name: '*', namespace: 'payments' },
  ]);
  test("is reported for the required kinds in namespaces in scope, judged by the watched namespace's labels", () => {
    assert.deepEqual(runDelete([prodCoverage], central, [central]), [
      'warn convention:prod-coverage: spec.eventSources[0]: Forbidden: Alert "central" is the last one watching Kustomization objects in namespace "payments", which the platform requires to be covered: create another Alert for them first',
    ]);
  });
  test('is quiet while another Alert that is not suspended watches them', () => {
    const other = watching('payments', 'own', [{ kind: 'Kustomization', name: 'app' }]);
    assert.deepEqual(runDelete([prodCoverage], central, [central, other]), []);
    const suspended = watching('payments', 'own', [{ kind: 'Kustomization', name: 'app' }], { suspend: true });
    assert.equal(runDelete([prodCoverage], central, [central, suspended]).length, 1);
  });
  test('suspending the last Alert, or dropping the source, is reported on UPDATE; an unrelated change is not', () => {
    const suspended = { ...central, spec: { ...(central['spec'] as object), suspend: true } };
    const upd = (next: KubeObject) =>
      evaluateConventions(
        [prodCoverage],
        { kind: 'Alert', operation: 'UPDATE', object: next, oldObject: central, namespace: 'flux-system' },
        staticClusterView([central]),
        namespaces,
      ).findings.map((f) => `${f.action} ${f.rule}: ${errorString(f)}`);
    assert.deepEqual(upd(suspended), [
      'warn convention:prod-coverage: spec.eventSources[0]: Forbidden: after this change no Alert watches Kustomization objects in namespace "payments", which the platform requires to be covered: create another Alert for them first',
    ]);
    assert.deepEqual(upd({ ...central, metadata: { ...central.metadata, labels: { a: 'b' } } }), []);
  });
  test('deny when the convention says so; a creation is not concerned', () => {
    assert.deepEqual(
      runDelete([{ ...prodCoverage, action: 'deny' }], central, [central]).map((f) => f.split(':')[0]),
      ['deny convention'],
    );
    assert.deepEqual(run([prodCoverage], { object: central }), []);
  });
});

test('an action off and a policy without conventions report nothing', () => {
  assert.deepEqual(
    run([{ ...channels, action: 'off' }], { object: botProvider('search', 'general'), cluster: [botSecret('search')] }),
    [],
  );
  assert.deepEqual(run([], { object: botProvider('search', 'general'), cluster: [botSecret('search')] }), []);
});

function withAnnotations(o: KubeObject, annotations: Record<string, string>): KubeObject {
  return { ...o, metadata: { ...o.metadata, annotations } };
}
