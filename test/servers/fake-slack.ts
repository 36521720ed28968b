/**
 * A local Slack-compatible server: incoming webhooks at /services/T../B../X.. and the Web API at
 * /api/chat.postMessage (answering with the message's `ts` and `channel`, as Slack does) and
 * /api/chat.update (of a message posted here), answering as Slack documents: `ok` (webhooks) or {"ok":true} (Web API),
 * 400 invalid_payload / no_text, 403 invalid_token, 404 channel_not_found / no_service, 410
 * channel_is_archived, and a rate limit of about one message per second per webhook with a small
 * burst, beyond which it answers 429 with Retry-After. Tests can make a path fail (5xx), hang,
 * reset the connection, or fail permanently. Block Kit bodies beyond Slack's limits are refused
 * (invalid_blocks). Records every accepted message.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault mode for a path (or '*' for all). */
export type SlackFault =
  | 'none'
  | 'error-500'
  | 'error-503'
  | 'hang'
  | 'reset'
  | 'channel_not_found'
  | 'no_service'
  | 'channel_is_archived'
  | 'invalid_token';

/** One accepted message. */
export interface ReceivedMessage {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string | undefined;
  readonly at: number;
}

/**
 * The event message a received body shows: the first mrkdwn section of a Block Kit message, or
 * the legacy attachment's text.
 */
export function shownMessage(body: Record<string, unknown>): string | undefined {
  const blocks = body['blocks'] as { type: string; text?: { text: string } }[] | undefined;
  if (blocks) return blocks.find((b) => b.type === 'section' && b.text)?.text?.text;
  return (body['attachments'] as { text: string }[] | undefined)?.[0]?.text;
}

/** Slack's documented Block Kit limits, checked as Slack checks them (invalid_blocks). */
function blocksWithinLimits(body: Record<string, unknown>): boolean {
  if (typeof body['text'] === 'string' && body['text'].length > 40_000) return false;
  const blocks = body['blocks'];
  if (blocks === undefined) return true;
  if (!Array.isArray(blocks) || blocks.length > 50) return false;
  const ok = (t: unknown, max: number) =>
    typeof (t as { text?: unknown })?.text === 'string' &&
    (t as { text: string }).text.length > 0 &&
    (t as { text: string }).text.length <= max;
  return (blocks as { type: string; text?: unknown; fields?: unknown[]; elements?: unknown[] }[]).every((b) =>
    b.type === 'header'
      ? ok(b.text, 150)
      : b.type === 'section'
        ? (b.text === undefined || ok(b.text, 3000)) &&
          (b.fields === undefined || (b.fields.length <= 10 && b.fields.every((f) => ok(f, 2000))))
        : b.type === 'context'
          ? Array.isArray(b.elements) && b.elements.length <= 10 && b.elements.every((e) => ok(e, 3000))
          : false,
  );
}

export class FakeSlack {
  readonly received: ReceivedMessage[] = [];
  /** Messages replaced through chat.update, in order. */
  readonly updates: ReceivedMessage[] = [];
  /** The ts of each message posted through chat.postMessage, by channel: `1800000001.000100` and on. */
  private readonly posted = new Map<string, string>();
  /** Every request, answered or not, with its status (0 when hung or reset). */
  readonly attempts: { path: string; status: number }[] = [];
  private readonly faults = new Map<string, SlackFault>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private server: Server | undefined;
  private readonly hung: ServerResponse[] = [];
  private readonly tokens = new Set<string>();
  private readonly rate: { perSecond: number; burst: number; retryAfterSeconds: number };

  constructor(o: { perSecond?: number; burst?: number; retryAfterSeconds?: number; botTokens?: string[] } = {}) {
    this.rate = { perSecond: o.perSecond ?? 1, burst: o.burst ?? 3, retryAfterSeconds: o.retryAfterSeconds ?? 1 };
    for (const t of o.botTokens ?? []) this.tokens.add(t);
  }

  /** Starts listening on 127.0.0.1 (`port` 0: any free port; give the old one to come back up). */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    await new Promise<void>((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections();
    });
  }

  /** Sets the fault mode of a path ('*' for every path). */
  fault(path: string, mode: SlackFault): void {
    this.faults.set(path, mode);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const fault = this.faults.get(path) ?? this.faults.get('*') ?? 'none';
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      this.attempts.push({ path, status });
      res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain', ...headers });
      res.end(body);
    };
    if (fault === 'hang') {
      this.attempts.push({ path, status: 0 });
      this.hung.push(res);
      return;
    }
    if (fault === 'reset') {
      this.attempts.push({ path, status: 0 });
      req.socket.destroy();
      return;
    }
    const update = path === '/api/chat.update';
    const api = path === '/api/chat.postMessage' || update;
    if (fault === 'error-500' || fault === 'error-503')
      return answer(
        fault === 'error-500' ? 500 : 503,
        api ? '{"ok":false,"error":"internal_error"}' : 'internal_error',
      );
    if (!api && !/^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/.test(path)) return answer(404, 'no_service');
    if (!this.take(path)) {
      return answer(429, api ? '{"ok":false,"error":"ratelimited"}' : 'rate_limited', {
        'retry-after': String(this.rate.retryAfterSeconds),
      });
    }
    if (api && !this.tokens.has((req.headers['authorization'] ?? '').replace(/^Bearer /, '')))
      return answer(200, '{"ok":false,"error":"invalid_auth"}');
    if (fault === 'channel_not_found')
      return answer(api ? 200 : 404, api ? '{"ok":false,"error":"channel_not_found"}' : 'channel_not_found');
    if (fault === 'no_service') return answer(404, 'no_service');
    if (fault === 'channel_is_archived')
      return answer(api ? 200 : 410, api ? '{"ok":false,"error":"is_archived"}' : 'channel_is_archived');
    if (fault === 'invalid_token') return answer(403, 'invalid_token');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return answer(400, api ? '{"ok":false,"error":"invalid_json"}' : 'invalid_payload');
    }
    if (typeof body['text'] !== 'string' && !Array.isArray(body['attachments']))
      return answer(400, api ? '{"ok":false,"error":"no_text"}' : 'no_text');
    if (!blocksWithinLimits(body))
      return answer(api ? 200 : 400, api ? '{"ok":false,"error":"invalid_blocks"}' : 'invalid_blocks');
    if (update) {
      if (this.posted.get(String(body['ts'])) !== String(body['channel']))
        return answer(200, '{"ok":false,"error":"message_not_found"}');
      this.updates.push({ path, body, authorization: req.headers['authorization'], at: Date.now() });
      return answer(200, JSON.stringify({ ok: true, channel: body['channel'], ts: body['ts'] }));
    }
    this.received.push({ path, body, authorization: req.headers['authorization'], at: Date.now() });
    if (!api) return answer(200, 'ok');
    const channel = typeof body['channel'] === 'string' ? body['channel'] : 'C0';
    const ts = `${1_800_000_000 + this.posted.size + 1}.000100`;
    this.posted.set(ts, channel);
    return answer(200, JSON.stringify({ ok: true, channel, ts }));
  }

  /** Token bucket per path: `burst` messages at once, then `perSecond`. */
  private take(path: string): boolean {
    const now = Date.now();
    const b = this.buckets.get(path) ?? { tokens: this.rate.burst, at: now };
    b.tokens = Math.min(this.rate.burst, b.tokens + ((now - b.at) / 1000) * this.rate.perSecond);
    b.at = now;
    this.buckets.set(path, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
