/**
 * Forwarding to notification-controller (`--forward-to`): every accepted event is POSTed, as
 * received, to notification-controller's event API, so every provider type the relay does not
 * deliver keeps working. Durable like Slack deliveries (journaled, retried with backoff, resumed
 * after a restart). notification-controller answers 202, or 429 for a duplicate it already has
 * (done either way); 5xx and network errors are retried; other 4xx are permanent.
 */
import { Agent, request } from 'undici';
import type { FluxEvent } from './flux-event.ts';
import type { SendResult } from './slack-sender.ts';

/** Posts one event to notification-controller. */
export interface Forwarder {
  forward(e: FluxEvent): Promise<SendResult>;
  close(): Promise<void>;
}

export function createForwarder(url: string, timeoutMs = 15_000): Forwarder {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  return {
    async forward(e) {
      try {
        const r = await request(url, {
          method: 'POST',
          dispatcher,
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(e),
        });
        await r.body.dump();
        if (r.statusCode >= 200 && r.statusCode < 300) return { kind: 'ok' };
        if (r.statusCode === 429) return { kind: 'ok' };
        if (r.statusCode >= 500) return { kind: 'retry', reason: `HTTP ${r.statusCode}` };
        return { kind: 'permanent', reason: `HTTP ${r.statusCode}` };
      } catch (err) {
        return {
          kind: 'retry',
          reason: (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'connection failed',
        };
      }
    },
    close: () => dispatcher.close(),
  };
}
