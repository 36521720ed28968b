/**
 * One delivery attempt to a Slack Provider, in two halves: the Provider and its Secret are read
 * at each attempt (a Provider changed or deleted since the event was accepted is honoured) and the
 * address checked (https unless insecure destinations are allowed) on the thread that holds the
 * cluster view; the message is rendered and sent on the delivery thread. Reasons name the
 * Provider, never the address or token.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { providerView } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import type { SecretValues } from './secret-values.ts';
import { slackPayload } from './slack-message.ts';
import type { SendResult, SlackDestination, SlackSender } from './slack-sender.ts';

/** The outcome of an attempt, including a Provider the user suspended. */
export type DeliveryResult = SendResult | { readonly kind: 'skipped'; readonly reason: string };

/** What reading a destination needs (on the thread that holds the cluster view). */
export interface SlackResolveDeps {
  readonly cluster: ClusterView;
  readonly secrets: SecretValues;
  readonly allowInsecureDestinations: boolean;
}

/** Where and how to post, read from the Provider and its Secret; it holds secrets: never log it. */
export interface ResolvedDestination {
  readonly kind: 'send';
  readonly to: SlackDestination;
  readonly look: { readonly channel?: string | undefined; readonly username?: string | undefined };
}

/** Reads the Provider `namespace/name` and its Secret now: where to post, or why not to. */
export async function resolveSlackDestination(d: SlackResolveDeps, providerRef: string): Promise<ResolvedDestination | DeliveryResult> {
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
  return { kind: 'send', to: { address, ...(token ? { token } : {}) }, look: { channel: p.channel, username: p.username } };
}

/** Posts `event` with `metadata` to a resolved destination. */
export function sendToSlack(sender: SlackSender, to: ResolvedDestination, event: FluxEvent, metadata: Readonly<Record<string, string>>, timeoutMs: number): Promise<SendResult> {
  return sender.send(to.to, slackPayload(event, metadata, to.look), timeoutMs);
}
