import fc from 'fast-check';
import { anyEventBody } from '../test/fuzz/arbitraries.ts';
import { decodeEvent } from '../src/relay/flux-event.ts';
import { routeEvent } from '../src/relay/routing.ts';
import { staticClusterView } from '../src/cluster/static-view.ts';
import { alert, slackProvider, source } from '../test/support/objects.ts';
const cluster = staticClusterView([slackProvider('apps'), source('Kustomization', 'apps', 'podinfo', { app: 'podinfo' }), alert('apps', 'all', { providerRef: { name: 'slack' }, eventSeverity: 'info', eventSources: [{ kind: 'Kustomization', name: '*' }] })]);
let ok = 0, routed = 0;
for (const b of fc.sample(anyEventBody, { numRuns: 2000, seed: 3 })) { const d = decodeEvent(b); if (d.ok) { ok++; if (routeEvent(d.event, cluster, { noCrossNamespaceRefs: false }).length) routed++; } }
console.log({ ok, routed });
