/**
 * Limits that keep slow, stalled and numerous clients from pinning a server's memory or
 * connections, shared by the webhook (HTTPS) and the relay (HTTP). kube-apiserver waits for a
 * webhook at most its `timeoutSeconds` (30 s at most), and Flux's event client gives up sooner,
 * so nothing legitimate takes longer than that to send a request: a client still sending its
 * headers after HEADERS_TIMEOUT, or its body after REQUEST_TIMEOUT, is answered 408 and cut
 * off. Values and reasons: docs/security.md.
 */
import type { ServerOptions } from 'node:http';

/** The limits of one server. */
export interface ServerLimits {
  /** A TLS handshake not finished by then is dropped (HTTPS only). */
  readonly handshakeTimeoutMs: number;
  /** Headers not complete by then: 408. */
  readonly headersTimeoutMs: number;
  /** The whole request (headers and body) not received by then: 408. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /** Connections beyond this many are refused (closed at once). */
  readonly maxConnections: number;
  /** Request bodies being received at once, in bytes (see body-budget.ts). */
  readonly maxInflightBodyBytes: number;
  /** Bodies declared at most this large are always admitted (bounded by maxConnections). */
  readonly smallBodyBytes: number;
}

/** The defaults, for both servers. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // As the webhook had it: API server connections are reused across reviews; idle ones count
  // against maxConnections, so they cannot pile up.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 512,
  maxInflightBodyBytes: 32 * 1024 * 1024,
  smallBodyBytes: 64 * 1024,
};

/** Options for `http.createServer` / `https.createServer` enforcing `l`'s timeouts. */
export function serverTimeouts(l: ServerLimits): ServerOptions & { handshakeTimeout: number } {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    handshakeTimeout: l.handshakeTimeoutMs,
    // Node checks the two request timeouts on this interval (30 s by default, which let a
    // stalled request live up to 30 s past its timeout).
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(l.headersTimeoutMs / 4))),
  };
}

/** Applies what cannot be given at creation: the connection cap. */
export function capConnections(server: { maxConnections: number }, l: ServerLimits): void {
  server.maxConnections = l.maxConnections;
}
