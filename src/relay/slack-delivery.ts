/**
 * One delivery attempt to a Slack Provider: the Provider and its Secret are read now (a Provider
 * changed or deleted since the event was accepted is honoured), the address is checked (https
 * unless insecure destinations are allowed), the message rendered and sent. Reasons name the
 * Provider, never the address or token.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { providerView } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import type { SecretValues } from './secret-values.ts';
import { slackPayload } from './slack-message.ts';
import type { SendResult, SlackSender } from './slack-sender.ts';

/** The outcome of an attempt, including a Provider the user suspended. */
export type DeliveryResult = SendResult | { readonly kind: 'skipped'; readonly reason: string };

/** What an attempt needs. */
export interface SlackDeliveryDeps {
  readonly cluster: ClusterView;
  readonly secrets: SecretValues;
  readonly sender: SlackSender;
  readonly allowInsecureDestinations: boolean;
  readonly sendTimeoutMs: number;
}

/** Sends `event` with `metadata` through the Provider `namespace/name`. */
export async function deliverToSlack(d: SlackDeliveryDeps, providerRef: string, event: FluxEvent, metadata: Readonly<Record<string, string>>): Promise<DeliveryResult> {
  const slash = providerRef.indexOf('/');
  const [ns, name] = [providerRef.slice(0, slash), providerRef.slice(slash + 1)];
  const provider = d.cluster.getProvider(ns, name);
  if (!provider) return { kind: 'permanent', reason: `Provider ${providerRef} not found` };
  const p = providerView(provider);
  if (p.type !== 'slack') return { kind: 'permanent', reason: `Provider ${providerRef} is of type ${JSON.stringify(p.type)}, not slack` };
  if (p.suspend) return { kind: 'skipped', reason: 'Provider suspended' };
  let values: Readonly<Record<string, string>> | undefined;
  if (p.secretRef) {
    try {
      values = await d.secrets.get(ns, p.secretRef);
    } catch (err) {
      return { kind: 'retry', reason: (err as Error).message };
    }
    if (!values) return { kind: 'retry', reason: `Secret ${ns}/${p.secretRef} not found` };
  }
  const address = values?.['address'] ?? p.address;
  if (!address) return { kind: 'permanent', reason: `Provider ${providerRef} has no address` };
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { kind: 'permanent', reason: `Provider ${providerRef} has an address that is not a URL` };
  }
  if (url.protocol !== 'https:' && !(d.allowInsecureDestinations && url.protocol === 'http:')) {
    return { kind: 'permanent', reason: `Provider ${providerRef} has a ${url.protocol.replace(':', '')} address; only https is allowed` };
  }
  const token = values?.['token'];
  return d.sender.send({ address, ...(token ? { token } : {}) }, slackPayload(event, metadata, { channel: p.channel, username: p.username }), d.sendTimeoutMs);
}
