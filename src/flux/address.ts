/**
 * Non-secret facts about a notification address (a webhook URL), and the checks on them.
 * The URL itself is never kept: a Slack webhook URL is a credential.
 *
 * Every check costs time linear in the address, cheap bounds first: an address over
 * MAX_ADDRESS_BYTES is judged by its length alone (no URL parsing, no pattern), as
 * notification-controller's `extractAuthFromSecret` rejects it before anything else.
 */

/** What may be known and shown about an address without revealing it. */
export interface AddressFacts {
  /** Length in UTF-8 bytes. */
  readonly length: number;
  /** True when it parses as an absolute URL. */
  readonly absolute: boolean;
  /** `https`, `http`, ... (no colon); empty when not absolute. */
  readonly scheme: string;
  /** Lower-cased host name; empty when not absolute. */
  readonly host: string;
  /** Why it looks like a copied placeholder, or undefined. */
  readonly placeholder: string | undefined;
  /** A well-formed Slack app incoming webhook (`https://hooks.slack.com/services/T…/B…/<secret>`). */
  readonly slackAppWebhook: boolean;
  /** Why a `/services/` URL on a Slack hooks host cannot be an incoming webhook, or undefined. */
  readonly slackWebhookShape: string | undefined;
  /** A Slack Workflow Builder webhook or trigger (`/workflows/...`, `/triggers/...`). */
  readonly slackWorkflow: boolean;
  /** Slack's chat.postMessage Web API endpoint. */
  readonly chatPostMessage: boolean;
  /** For an incoming webhook: its team and hook ids, `T…/B…` (not secret; the secret segment is never kept). */
  readonly slackWebhookId?: string;
}

/** Flux's limit on `spec.address` (CRD `maxLength: 2048`) and on a Secret's `address` (`extractAuthFromSecret`). */
const MAX_ADDRESS_BYTES = 2048;

/** The Web API endpoint that a Slack bot token posts to. */
export const CHAT_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** Slack's incoming-webhook hosts: commercial and GovSlack. */
const SLACK_HOOK_HOSTS: readonly string[] = ['hooks.slack.com', 'hooks.slack-gov.com'];
/** Slack's Web API hosts: commercial and GovSlack. */
const SLACK_API_HOSTS: readonly string[] = ['slack.com', 'slack-gov.com'];

/** Derives facts from an address; the address itself is dropped when this returns. */
export function addressFacts(address: string): AddressFacts {
  const length = Buffer.byteLength(address, 'utf8');
  const none = {
    length,
    absolute: false,
    scheme: '',
    host: '',
    placeholder: undefined,
    slackAppWebhook: false,
    slackWebhookShape: undefined,
    slackWorkflow: false,
    chatPostMessage: false,
  };
  // Cheap bound first: an over-long address is invalid whatever it holds, so nothing else runs.
  if (length > MAX_ADDRESS_BYTES) return none;
  let url: URL | undefined;
  try {
    url = new URL(address.trim());
  } catch {
    url = undefined;
  }
  if (!url || !url.host) return { ...none, placeholder: placeholderReason(address) };
  const host = url.hostname.toLowerCase();
  const hooks = SLACK_HOOK_HOSTS.includes(host);
  const services = hooks && (url.pathname === '/services' || url.pathname.startsWith('/services/'));
  const shape = services ? slackWebhookShapeProblem(url.pathname) : undefined;
  return {
    length,
    absolute: true,
    scheme: url.protocol.replace(/:$/, ''),
    host,
    placeholder: placeholderReason(url.pathname + url.search),
    slackAppWebhook: services && shape === undefined,
    slackWebhookShape: shape,
    slackWorkflow: hooks && /^\/(workflows|triggers)(\/|$)/.test(url.pathname),
    chatPostMessage: SLACK_API_HOSTS.includes(host) && url.pathname === '/api/chat.postMessage',
    ...(services && shape === undefined ? { slackWebhookId: url.pathname.split('/').slice(2, 4).join('/') } : {}),
  };
}

/**
 * An incoming-webhook path is `/services/<team id T…>/<hook id B…>/<secret>`: anything else on
 * `/services/` (Flux's own doc placeholder `/services/YOUR/SLACK/WEBHOOK`, a bare `/services/`)
 * is answered 404 by Slack and never delivers. Linear: one split, one anchored test per segment.
 */
export function slackWebhookShapeProblem(pathname: string): string | undefined {
  const segments = pathname
    .split('/')
    .slice(2)
    .filter((s, i, all) => s !== '' || i < all.length - 1);
  const [team, hook, secret] = segments;
  if (
    segments.length === 3 &&
    /^[TE][A-Z0-9]+$/.test(team!) &&
    /^B[A-Z0-9]+$/.test(hook!) &&
    /^[A-Za-z0-9]+$/.test(secret!)
  )
    return undefined;
  const what =
    segments.length === 0
      ? 'it has nothing after /services/'
      : segments.length !== 3
        ? `it has ${segments.length} path ${segments.length === 1 ? 'segment' : 'segments'} after /services/ instead of 3`
        : 'its segments are not a team id (T…), a hook id (B…) and a secret, as in the placeholder .../services/YOUR/SLACK/WEBHOOK';
  return `a Slack incoming-webhook URL has the shape https://hooks.slack.com/services/T…/B…/<secret> and ${what}, so Slack answers 404 and nothing is delivered; put the webhook URL that Slack shows for the app there`;
}

/**
 * Recognises the placeholders that tutorials ship: Slack ids made only of zeros
 * (`T00000000`, `B00000000`), runs of six or more `X`, and `<angle-bracket>` slots.
 * Linear in `s`: a split with one anchored test per segment, one scan, two indexOf calls.
 */
export function placeholderReason(s: string): string | undefined {
  if (s.split('/').some((seg) => /^[TB]0{6,}$/.test(seg))) return 'it holds an all-zero Slack id such as T00000000';
  if (hasRunOfX(s, 6)) return 'it holds a run of X characters';
  const open = s.indexOf('<');
  if (open >= 0 && s.indexOf('>', open + 1) > open) return 'it holds an <angle-bracket> slot';
  return undefined;
}

function hasRunOfX(s: string, min: number): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    run = c === 88 || c === 120 ? run + 1 : 0;
    if (run >= min) return true;
  }
  return false;
}

/**
 * Says what is wrong with an address for a destination on `allowedHosts`, or undefined when it
 * is fine. The sentence never quotes the address.
 */
export function addressProblem(f: AddressFacts, allowedHosts: readonly string[]): string | undefined {
  if (f.length > MAX_ADDRESS_BYTES)
    return `the address is ${f.length} bytes long; at most ${MAX_ADDRESS_BYTES} are allowed`;
  if (!f.absolute)
    return 'the address is not an absolute URL; use https://hooks.slack.com/services/... or https://slack.com/api/chat.postMessage';
  if (f.scheme !== 'https') return `the address uses scheme "${f.scheme}"; only https is allowed`;
  if (!allowedHosts.includes(f.host)) {
    return `host "${f.host}" is not an allowed destination (allowed: ${allowedHosts.map((h) => `"${h}"`).join(', ')}); ask the platform team to add it to the policy's spec.destinations.allowedHosts`;
  }
  if (f.placeholder)
    return `the address looks like a placeholder copied from an example (${f.placeholder}); put the real webhook URL from Slack there`;
  if (f.slackWebhookShape) return f.slackWebhookShape;
  return undefined;
}
