/**
 * Non-secret facts about a notification address (a webhook URL), and the checks on them.
 * The URL itself is never kept: a Slack webhook URL is a credential.
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
  /** A Slack app incoming webhook (`https://hooks.slack.com/services/...`). */
  readonly slackAppWebhook: boolean;
  /** Slack's chat.postMessage Web API endpoint. */
  readonly chatPostMessage: boolean;
}

/** Flux's limit on `spec.address` (CRD `maxLength: 2048`), applied to Secret addresses too. */
export const MAX_ADDRESS_BYTES = 2048;

/** The Web API endpoint that a Slack bot token posts to. */
export const CHAT_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** Derives facts from an address; the address itself is dropped when this returns. */
export function addressFacts(address: string): AddressFacts {
  const length = Buffer.byteLength(address, 'utf8');
  let url: URL | undefined;
  try {
    url = new URL(address.trim());
  } catch {
    url = undefined;
  }
  if (!url || !url.host) {
    return { length, absolute: false, scheme: '', host: '', placeholder: placeholderReason(address), slackAppWebhook: false, chatPostMessage: false };
  }
  const scheme = url.protocol.replace(/:$/, '');
  const host = url.hostname.toLowerCase();
  return {
    length,
    absolute: true,
    scheme,
    host,
    placeholder: placeholderReason(url.pathname + url.search),
    slackAppWebhook: host === 'hooks.slack.com' && url.pathname.startsWith('/services/'),
    chatPostMessage: host === 'slack.com' && url.pathname === '/api/chat.postMessage',
  };
}

/**
 * Recognises the placeholders that tutorials ship: Slack ids made only of zeros
 * (`T00000000`, `B00000000`), runs of six or more `X`, and `<angle-bracket>` slots.
 */
export function placeholderReason(s: string): string | undefined {
  if (/(^|\/)[TB]0{6,}(\/|$)/.test(s)) return 'it holds an all-zero Slack id such as T00000000';
  if (/[Xx]{6,}/.test(s)) return 'it holds a run of X characters';
  if (/<[^>]*>/.test(s)) return 'it holds an <angle-bracket> slot';
  return undefined;
}

/**
 * Says what is wrong with an address for a destination on `allowedHosts`, or undefined when it
 * is fine. The sentence never quotes the address.
 */
export function addressProblem(f: AddressFacts, allowedHosts: readonly string[]): string | undefined {
  if (f.length > MAX_ADDRESS_BYTES) return `the address is ${f.length} bytes long; at most ${MAX_ADDRESS_BYTES} are allowed`;
  if (!f.absolute) return 'the address is not an absolute URL; use https://hooks.slack.com/services/... or https://slack.com/api/chat.postMessage';
  if (f.scheme !== 'https') return `the address uses scheme "${f.scheme}"; only https is allowed`;
  if (!allowedHosts.includes(f.host)) {
    return `host "${f.host}" is not an allowed destination (allowed: ${allowedHosts.map((h) => `"${h}"`).join(', ')}); ask the platform team to add it to the policy's spec.destinations.allowedHosts`;
  }
  if (f.placeholder) return `the address looks like a placeholder copied from an example (${f.placeholder}); put the real webhook URL from Slack there`;
  return undefined;
}
