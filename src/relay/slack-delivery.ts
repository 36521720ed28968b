/**
 * One delivery attempt to a Slack Provider, in two halves: the Provider and its Secret are read
 * at each attempt (a Provider changed or deleted since the event was accepted is honoured) and the
 * address checked (https unless insecure destinations are allowed) on the thread that holds the
 * cluster view, with the Git URL of the event's source (for a commit link); the message is
 * rendered and sent on the delivery thread. Reasons name the
 * Provider, never the address or token.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { credentialPairProblem } from '../flux/credential-pair.ts';
import { providerView } from '../flux/objects.ts';
import type { KubeObject } from '../flux/objects.ts';
import { userSuspended } from '../policy/defaults/relay-mode.ts';
import { commitUrl } from './commit-link.ts';
import type { InvolvedObject } from './flux-event.ts';
import type { SecretValues } from './secret-values.ts';
import { BLOCK_LIMITS, resolvedParentPayload, slackBlocksPayload } from './slack-blocks.ts';
import { chooseTemplate, renderSlackTemplate } from './slack-template.ts';
import type { PlatformTemplateLookup } from './slack-template.ts';
import { MESSAGE_TEMPLATE_ANNOTATION } from '../templates/message-template.ts';
import type { SlackFormat } from './slack-format.ts';
import { providerFormat } from './slack-format.ts';
import { slackPayload } from './slack-message.ts';
import type { Episode, EpisodeBook } from './slack-episodes.ts';
import { episodeKey, nextEpisode, planEpisode } from './slack-episodes.ts';
import type { Job } from './delivery-protocol.ts';
import type { SendResult, SlackDestination, SlackSender } from './slack-sender.ts';

/** The outcome of an attempt, including a Provider the user suspended. */
export type DeliveryResult = SendResult | { readonly kind: 'skipped'; readonly reason: string };

/** What reading a destination needs (on the thread that holds the cluster view). */
export interface SlackResolveDeps {
  readonly cluster: ClusterView;
  readonly secrets: SecretValues;
  readonly allowInsecureDestinations: boolean;
  /** The layout for Providers without the format annotation (`--slack-format`; default blocks). */
  readonly defaultFormat?: SlackFormat;
  /** The platform's message template for a delivery (cli/relay-templates.ts), if the policy gives one. */
  readonly templateFor?: PlatformTemplateLookup;
}

/** How the message looks: Provider fields and the layout. */
export interface SlackLook {
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
  readonly format: SlackFormat;
  /** The Git URL of the event's source (a GitRepository's spec.url), for commit links. */
  readonly gitUrl?: string;
  /** The message template: the Alert's, the Provider's or the platform's (slack-template.ts `chooseTemplate`; Block Kit only). */
  readonly template?: string;
}

/** Where and how to post, read from the Provider and its Secret; it holds secrets: never log it. */
export interface ResolvedDestination {
  readonly kind: 'send';
  readonly to: SlackDestination;
  readonly look: SlackLook;
}

/** Reads the Provider `namespace/name` and its Secret now: where to post, or why not to. */
export async function resolveSlackDestination(
  d: SlackResolveDeps,
  providerRef: string,
  object?: InvolvedObject,
  alertRef?: string,
): Promise<ResolvedDestination | DeliveryResult> {
  const slash = providerRef.indexOf('/');
  const [ns, name] = [providerRef.slice(0, slash), providerRef.slice(slash + 1)];
  const provider = d.cluster.getProvider(ns, name);
  if (!provider) return { kind: 'permanent', reason: `Provider ${providerRef} not found` };
  const p = providerView(provider);
  if (p.type !== 'slack')
    return { kind: 'permanent', reason: `Provider ${providerRef} is of type ${JSON.stringify(p.type)}, not slack` };
  if (userSuspended(p)) return { kind: 'skipped', reason: 'Provider suspended' };
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
    return {
      kind: 'permanent',
      reason: `Provider ${providerRef} has a ${url.protocol.replace(':', '')} address; only https is allowed`,
    };
  }
  const token = values ? boundToken(values) : undefined;
  const gitUrl = object ? d.cluster.gitUrlOf?.(object.kind, object.namespace, object.name) : undefined;
  const format = providerFormat(provider.metadata?.annotations, d.defaultFormat ?? 'blocks');
  const alert = alertObject(d.cluster, alertRef);
  const template = chooseTemplate(
    alert?.metadata?.annotations?.[MESSAGE_TEMPLATE_ANNOTATION],
    provider.metadata?.annotations?.[MESSAGE_TEMPLATE_ANNOTATION],
    d.templateFor?.(alert, provider),
  );
  return {
    kind: 'send',
    to: { address, ...(token ? { token } : {}) },
    look: {
      channel: p.channel,
      username: p.username,
      format,
      ...(gitUrl ? { gitUrl } : {}),
      ...(template ? { template } : {}),
    },
  };
}

/**
 * The Secret's `token`, as notification-controller hands it to its Slack notifier:
 * `extractAuthFromSecret` (internal/server/event_handlers.go) adds the token only when fluxcd/pkg
 * `secrets.AuthMethodsFromSecret` succeeds, and that fails for a Secret holding `username` without
 * `password` or the reverse; the message then goes out without the token.
 */
export function boundToken(values: Readonly<Record<string, string>>): string | undefined {
  if (credentialPairProblem(Object.keys(values))) return undefined;
  return values['token'] || undefined;
}

/** The Alert `namespace/name`, if any (its message template annotation). */
function alertObject(cluster: ClusterView, alertRef: string | undefined): KubeObject | undefined {
  if (!alertRef) return undefined;
  const slash = alertRef.indexOf('/');
  return cluster.getAlert(alertRef.slice(0, slash), alertRef.slice(slash + 1));
}

/**
 * Posts a job's event to a resolved destination. In Block Kit, with `book`, failure episodes
 * thread and mark recovery (slack-episodes.ts); the legacy layout is sent as notification-controller
 * sends it. `now`: epoch ms.
 */
export async function sendToSlack(
  sender: SlackSender,
  to: ResolvedDestination,
  job: Pick<Job, 'destination' | 'event' | 'metadata'>,
  timeoutMs: number,
  book?: EpisodeBook,
  now = 0,
): Promise<SendResult> {
  const { event, metadata } = job;
  if (to.look.format === 'legacy') return sender.send(to.to, slackPayload(event, metadata, to.look), timeoutMs);
  const revision = metadata['revision'];
  const link = revision && to.look.gitUrl ? commitUrl(revision, to.look.gitUrl) : undefined;
  const messageText = to.look.template
    ? renderSlackTemplate(to.look.template, event, metadata, link, BLOCK_LIMITS.section)
    : undefined;
  const key = episodeKey(job.destination, event);
  const open = book?.get(key);
  const plan = book ? planEpisode(open, event, now) : { broadcast: false };
  const payload = slackBlocksPayload(event, metadata, {
    ...to.look,
    commitUrl: link,
    messageText,
    recoveredAfter: plan.recovered?.after,
  });
  const thread = plan.threadTs
    ? { thread_ts: plan.threadTs, ...(plan.broadcast ? { reply_broadcast: true } : {}) }
    : {};
  const result = await sender.send(to.to, { ...payload, ...thread }, timeoutMs);
  if (result.kind !== 'ok' || !book) return result;
  const next = nextEpisode(open, event, now, result.posted);
  if (next !== open) book.set(key, next);
  const parent = plan.recovered?.episode;
  const update =
    parent?.ts && parent.channel && to.to.address.endsWith('/chat.postMessage')
      ? to.to.address.replace(/chat\.postMessage$/, 'chat.update')
      : undefined;
  // Marking the parent resolved is best effort: the recovery itself is delivered.
  if (update && parent?.ts && parent.channel)
    await sender.send(
      { ...to.to, address: update },
      resolvedParentPayload(event, parent as Required<Episode>, plan.recovered!.after, now),
      timeoutMs,
    );
  return result;
}
