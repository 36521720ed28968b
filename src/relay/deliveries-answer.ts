/**
 * `GET /deliveries` with replicas (docs/relay-replicas.md): the sender posts, so the sender's
 * table is the answer, whichever replica is asked. A replica that is not the sender asks the
 * sender's peer endpoint (`GET /deliveries` beside `/handoff`, handoff-endpoint.ts, which answers
 * with its own table only) and passes its answer on as it is; when no sender is elected or the
 * sender does not answer, it answers with its own table and says so in `incomplete`.
 */
import { request } from 'undici';
import type { AlertDeliveryState } from './delivery-status.ts';
import type { SenderGate } from './sender-gate.ts';

/** The body of GET /deliveries. */
export interface DeliveriesAnswer {
  readonly items: readonly AlertDeliveryState[];
  /** Why this is not the sender's table (this replica's own). */
  readonly incomplete?: string;
}

/** Reads the sender's table from its peer endpoint; a string says why it could not. */
export type SenderTable = (url: string) => Promise<DeliveriesAnswer | string>;

/** The answer: this replica's own table without a gate or as the sender, else the sender's. */
export async function answerDeliveries(
  own: () => readonly AlertDeliveryState[],
  gate: SenderGate | undefined,
  fromSender: SenderTable,
): Promise<DeliveriesAnswer> {
  if (!gate || gate.isSender()) return { items: own() };
  const url = gate.senderUrl();
  if (!url) return { items: own(), incomplete: "no sender is elected: this is this replica's own table" };
  const table = await fromSender(new URL('deliveries', url).href);
  if (typeof table !== 'string') return table;
  return { items: own(), incomplete: `the sender did not answer (${table}): this is this replica's own table` };
}

/** GETs a peer's table, within `timeoutMs` (`headers`: the peer token, read at each request). */
export function senderTable(timeoutMs = 2_000, headers?: () => Record<string, string>): SenderTable {
  return async (url) => {
    try {
      const r = await request(url, {
        method: 'GET',
        headers: headers?.() ?? {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (r.statusCode !== 200) {
        await r.body.dump();
        return `HTTP ${r.statusCode}`;
      }
      const body = (await r.body.json()) as { items?: unknown };
      return Array.isArray(body?.items) ? { items: body.items as AlertDeliveryState[] } : 'not a table';
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'connection failed';
    }
  };
}
