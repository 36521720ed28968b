/**
 * KubeApi over node:http(s) for credentials that do not change shape: a server URL, TLS material
 * (CA, client certificate and key, as data or files), and a bearer token (inline, or a file such
 * as the service account's, re-read as it rotates). @kubernetes/client-node is not loaded in this
 * process for it (its generated models cost about 80 MB of RSS); the kubeconfig is read in-process
 * when it holds only such credentials (kubeconfig-static.ts), else by client-node in a short-lived
 * child (kube-credentials.ts).
 * Watches behave as client-node's `Watch` does: one JSON event per line, a stream silent for
 * `inactivityMs` (or a connection that never answers) ends with a TimeoutError, a non-200 answer
 * ends with an error carrying `statusCode`, a normal close ends with null.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, STATUS_CODES, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeApi, KubeResponse, WatchHandle, WatchHandlers } from './kube-api.ts';
import { DISPATCHER_LIFETIME_MS } from './kube-api.ts';

/** Static credentials, as the kubeconfig gives them (file paths absolute). */
export interface StaticCredentials {
  readonly server: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
  readonly caFile?: string;
  readonly caData?: string;
  readonly certFile?: string;
  readonly certData?: string;
  readonly keyFile?: string;
  readonly keyData?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

/** How long a token read from a file is used before the file is read again (client-node: 60 s). */
export const TOKEN_FILE_REFRESH_MS = 60_000;

const material = (file: string | undefined, data: string | undefined) =>
  file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;
const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/** What a request and a watch need: a URL, headers with the current token, the current pool. */
interface Transport {
  readonly send: typeof httpRequest;
  url(path: string, query: Record<string, string>): URL;
  headers(accept: string | undefined): Record<string, string>;
  agent(): HttpAgent;
}

/** Creates the API access; `now` is injectable for the token and pool lifetimes. */
export function createNodeKubeApi(c: StaticCredentials, now: () => number = Date.now): KubeApi {
  const base = c.server.replace(/\/$/, '');
  const t: Transport = {
    send: base.startsWith('https:') ? httpsRequest : httpRequest,
    url(path, query) {
      const u = new URL(base + path);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
      return u;
    },
    headers: tokenHeaders(c, now),
    agent: connectionPool(c, base.startsWith('https:'), now),
  };
  return {
    request: (method, path, o = {}) => sendRequest(t, method, path, o),
    // async: a throw while opening becomes a rejection, as before.
    watch: async (path, query, handlers, o = {}) => openWatch(t, path, query, handlers, o),
  };
}

/** The pool is renewed periodically so that rotated client certificates and CAs are read again. */
function connectionPool(c: StaticCredentials, secure: boolean, now: () => number): () => HttpAgent {
  let pool: { agent: HttpAgent; created: number } | undefined;
  return () => {
    if (pool && now() - pool.created <= DISPATCHER_LIFETIME_MS) return pool.agent;
    pool?.agent.destroy();
    const tls = {
      ca: material(c.caFile, c.caData),
      cert: material(c.certFile, c.certData),
      key: material(c.keyFile, c.keyData),
      rejectUnauthorized: !c.skipTLSVerify,
      ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
    };
    pool = {
      agent: secure ? new HttpsAgent({ keepAlive: true, ...tls }) : new HttpAgent({ keepAlive: true }),
      created: now(),
    };
    return pool.agent;
  };
}

/** Headers with the bearer token; a token file is read again once TOKEN_FILE_REFRESH_MS has passed. */
function tokenHeaders(c: StaticCredentials, now: () => number): (accept: string | undefined) => Record<string, string> {
  let token: { value: string; read: number } | undefined;
  return (accept) => {
    if (c.tokenFile && (!token || now() - token.read > TOKEN_FILE_REFRESH_MS))
      token = { value: readFileSync(c.tokenFile, 'utf8').trim(), read: now() };
    const bearer = c.token ?? token?.value;
    return { accept: accept ?? 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
  };
}

type RequestOptions = Parameters<KubeApi['request']>[2] & object;

function sendRequest(t: Transport, method: string, path: string, o: RequestOptions): Promise<KubeResponse> {
  const body = o.body !== undefined ? JSON.stringify(o.body) : undefined;
  return new Promise((resolve, reject) => {
    const h = t.headers(o.accept);
    if (body !== undefined) h['content-type'] = o.contentType ?? 'application/json';
    // A timer of its own, cleared once answered: an AbortSignal given to the request would
    // still fire after the answer and destroy the pooled socket another request then uses.
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn();
      }
    };
    const req = t.send(t.url(path, o.query ?? {}), { method, headers: h, agent: t.agent() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => settle(() => reject(err)));
      res.on('end', () =>
        settle(() => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) })),
      );
    });
    const timer = setTimeout(
      () =>
        settle(() => {
          req.destroy();
          reject(timeoutError());
        }),
      o.timeoutMs ?? 30_000,
    );
    req.on('error', (err) => settle(() => reject(err)));
    req.end(body);
  });
}

function openWatch(
  t: Transport,
  path: string,
  query: Record<string, string>,
  handlers: WatchHandlers,
  o: { accept?: string; inactivityMs?: number },
): WatchHandle {
  let done = false;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (err: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.destroy();
    handlers.onDone(err && timedOut ? timeoutError() : err);
  };
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      finish(timeoutError());
    }, o.inactivityMs ?? 30_000);
    timer.unref();
  };
  const req = t.send(
    t.url(path, { ...query, watch: 'true' }),
    { method: 'GET', headers: t.headers(o.accept), agent: t.agent() },
    (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        finish(
          Object.assign(
            new Error(res.statusMessage || STATUS_CODES[res.statusCode ?? 500] || 'Internal Server Error'),
            { statusCode: res.statusCode },
          ),
        );
        return;
      }
      resetTimer();
      streamEvents(res, handlers, resetTimer, finish);
    },
  );
  req.on('error', (err) => finish(err));
  req.end();
  resetTimer();
  return { abort: () => finish(new DOMException('This operation was aborted', 'AbortError')) };
}

/** Calls `onEvent` for each JSON line (lines that do not parse are skipped, as client-node does). */
function streamEvents(
  res: IncomingMessage,
  handlers: { onEvent(type: string, object: Record<string, unknown>): void },
  activity: () => void,
  finish: (err: unknown) => void,
): void {
  res.on('data', activity);
  res.on('error', (err) => finish(err));
  res.on('close', () => finish(null));
  const lines = createInterface({ input: res, crlfDelay: Infinity });
  lines.on('error', (err) => finish(err));
  lines.on('line', (line) => {
    let event: { type?: string; object?: Record<string, unknown> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    handlers.onEvent(event.type ?? '', event.object ?? {});
  });
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text: the caller reports the status code.
    return text;
  }
}
