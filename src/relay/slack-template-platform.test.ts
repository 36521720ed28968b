/**
 * The platform's template (the policy's messages convention, handed to the relay as a lookup):
 * its precedence over the annotations, how a delivery resolves it, and the exact payloads it
 * gives in Block Kit and in the legacy layout.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { staticClusterView } from '../cluster/static-view.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import type { ResolvedDestination } from './slack-delivery.ts';
import { resolveSlackDestination, sendToSlack } from './slack-delivery.ts';
import type { SlackSender } from './slack-sender.ts';
import type { PlatformTemplate } from './slack-template.ts';
import { chooseTemplate } from './slack-template.ts';

const KEY = 'notify-guard.fluxcd.community/slack-template';
const ALERT = 'alert {{message}}';
const PROVIDER = 'provider {{message}}';
const PLATFORM = 'platform {{message}}';
const BROKEN = 'broken {{message';
const platform = (required: boolean, template = PLATFORM): PlatformTemplate => ({ template, required });

describe('precedence: Alert annotation > Provider annotation > platform > built-in layout', () => {
  const rows: [string, string | undefined, string | undefined, PlatformTemplate | undefined, string | undefined][] = [
    ['nothing set: the built-in layout', undefined, undefined, undefined, undefined],
    ["the platform's alone", undefined, undefined, platform(false), PLATFORM],
    ["the Provider's over the platform's", undefined, PROVIDER, platform(false), PROVIDER],
    ["the Alert's over both", ALERT, PROVIDER, platform(false), ALERT],
    ["the Alert's over the Provider's, no platform", ALERT, PROVIDER, undefined, ALERT],
    ['a required platform template over both annotations', ALERT, PROVIDER, platform(true), PLATFORM],
    ['an Alert template that does not parse falls to the next', BROKEN, PROVIDER, platform(false), PROVIDER],
    ['annotations that do not parse fall to the platform', BROKEN, BROKEN, platform(false), PLATFORM],
    ['an empty annotation falls to the next', '', undefined, platform(false), PLATFORM],
    [
      'a required platform template that does not parse: the built-in layout',
      ALERT,
      undefined,
      platform(true, BROKEN),
      undefined,
    ],
  ];
  for (const [title, alert, provider, p, expected] of rows)
    test(title, () => assert.equal(chooseTemplate(alert, provider, p), expected));
});

const annotated = (annotations: Record<string, string>) => (annotations[KEY] === undefined ? {} : { annotations });
const objects = (alertAnnotation?: string, providerAnnotation?: string): KubeObject[] => [
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: { namespace: 'payments', name: 'slack', ...annotated({ [KEY]: providerAnnotation! }) },
    spec: { type: 'slack', channel: '#team-payments', address: 'https://hooks.slack.com/services/T0/B0/x' },
  },
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: { namespace: 'payments', name: 'api', ...annotated({ [KEY]: alertAnnotation! }) },
    spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
  },
];

describe('a delivery resolves the platform template at each attempt', () => {
  const resolve = async (
    cluster: KubeObject[],
    templateFor?: (a: KubeObject | undefined, p: KubeObject) => PlatformTemplate | undefined,
  ) => {
    const r = await resolveSlackDestination(
      {
        cluster: staticClusterView(cluster),
        secrets: { get: () => Promise.resolve(undefined) },
        allowInsecureDestinations: false,
        ...(templateFor ? { templateFor } : {}),
      },
      'payments/slack',
      undefined,
      'payments/api',
    );
    return r.kind === 'send' ? (r as ResolvedDestination).look.template : r.kind;
  };
  test('the lookup is asked with the Alert and the Provider as the view holds them', async () => {
    const asked: string[] = [];
    const template = await resolve(objects(), (a, p) => {
      asked.push(`${a?.kind} ${a?.metadata?.name}, ${p.kind} ${p.metadata?.name}`);
      return platform(false);
    });
    assert.equal(template, PLATFORM);
    assert.deepEqual(asked, ['Alert api, Provider slack']);
  });
  test('the annotations win unless the platform requires its template', async () => {
    assert.equal(await resolve(objects(ALERT, PROVIDER), () => platform(false)), ALERT);
    assert.equal(await resolve(objects(undefined, PROVIDER), () => platform(false)), PROVIDER);
    assert.equal(await resolve(objects(ALERT, PROVIDER), () => platform(true)), PLATFORM);
  });
  test('without a lookup, or when it gives none, the annotations alone decide', async () => {
    assert.equal(await resolve(objects(undefined, PROVIDER)), PROVIDER);
    assert.equal(await resolve(objects(), () => undefined), undefined);
  });
});

describe('exact payloads with the platform template', () => {
  const event: FluxEvent = {
    involvedObject: { kind: 'Kustomization', namespace: 'payments', name: 'api' },
    severity: 'error',
    timestamp: '2026-12-02T06:00:00Z',
    message: 'Health check failed <!channel>',
    reason: 'HealthCheckFailed',
    reportingController: 'kustomize-controller',
  };
  const send = async (format: 'blocks' | 'legacy', template?: string) => {
    const sent: unknown[] = [];
    const sender: SlackSender = {
      send: (_to, payload) => {
        sent.push(payload);
        return Promise.resolve({ kind: 'ok' });
      },
      close: () => Promise.resolve(),
    };
    const to: ResolvedDestination = {
      kind: 'send',
      to: { address: 'https://hooks.slack.com/services/T0/B0/x' },
      look: { channel: '#team-payments', format, ...(template ? { template } : {}) },
    };
    const metadata = { cluster: 'prod-eu-1', revision: 'main@sha1:abc' };
    await sendToSlack(sender, to, { destination: 'payments/slack', event, metadata }, 1000);
    return sent;
  };
  const TEMPLATE = '*{{object.name}}* in {{metadata.cluster}}: {{message}}';
  test('Block Kit: the template replaces the message section; header, fields, context and text stay', async () => {
    assert.deepEqual(await send('blocks', TEMPLATE), [
      {
        channel: '#team-payments',
        username: 'kustomize-controller',
        text: 'Error: Kustomization payments/api HealthCheckFailed: Health check failed &lt;!channel&gt;',
        blocks: [
          {
            type: 'header',
            text: { type: 'plain_text', text: '🔴 Error: Kustomization payments/api HealthCheckFailed' },
          },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '*api* in prod-eu-1: Health check failed &lt;!channel&gt;' },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*revision*\nmain@sha1:abc' },
              { type: 'mrkdwn', text: '*cluster*\nprod-eu-1' },
            ],
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: 'kustomize-controller · <!date^1796191200^{date_short_pretty} {time_secs}|2026-12-02T06:00:00.000Z>',
              },
            ],
          },
        ],
      },
    ]);
  });
  test('legacy: the template is not applied, as for the annotations (the layout is for tooling that parses it)', async () => {
    const legacy = [
      {
        channel: '#team-payments',
        username: 'kustomize-controller',
        text: 'Error: kustomization/api.payments: Health check failed &lt;!channel&gt;',
        attachments: [
          {
            color: 'danger',
            author_name: 'kustomization/api.payments',
            text: 'Health check failed &lt;!channel&gt;',
            mrkdwn_in: ['text'],
            fields: [
              { title: 'cluster', value: 'prod-eu-1', short: false },
              { title: 'revision', value: 'main@sha1:abc', short: false },
            ],
          },
        ],
      },
    ];
    assert.deepEqual(await send('legacy', TEMPLATE), legacy);
    assert.deepEqual(await send('legacy'), legacy);
  });
});
