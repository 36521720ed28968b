/**
 * A bound on the request bodies a server receives at once. Each POST reserves its declared
 * Content-Length (the body limit when it declares none or is compressed, since its decoded size
 * is unknown) until its answer is sent or its connection closes; a request that would take the
 * total past the budget is answered 503 at once, and its body is discarded as it arrives, never
 * kept. Bodies of at most `smallBodyBytes` are always admitted (their total is bounded by the
 * connection cap), so ordinary reviews and events keep being served while large uploads stall.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureStatus } from '../kube/status.ts';

/** Admits or refuses request bodies. */
export interface BodyBudget {
  /** Reserves `req`'s body; false after answering 503 when it does not fit. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Bytes reserved now. */
  inflight(): number;
}

export function createBodyBudget(o: {
  maxInflightBytes: number;
  smallBodyBytes: number;
  maxBodyBytes: number;
  component: string;
}): BodyBudget {
  let reserved = 0;
  return {
    admit(req, res) {
      const declared = Number(req.headers['content-length']);
      const encoded = (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
      const size =
        Number.isFinite(declared) && declared >= 0 && !encoded ? Math.min(declared, o.maxBodyBytes) : o.maxBodyBytes;
      if (size <= o.smallBodyBytes) return true;
      if (reserved + size > o.maxInflightBytes) {
        const body = JSON.stringify(
          failureStatus(
            503,
            'ServiceUnavailable',
            `the ${o.component} is already receiving ${reserved} bytes of request bodies, and ${size} more would pass its limit of ${o.maxInflightBytes}; retry shortly`,
          ),
        );
        // No `Connection: close`: closing with the client's body unread makes the kernel reset the
        // connection, and the client loses the 503. Node discards the unread body instead (nothing
        // is kept), within the request timeout.
        res.writeHead(503, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'retry-after': '1',
        });
        res.end(body);
        return false;
      }
      reserved += size;
      let released = false;
      const release = () => {
        if (!released) {
          released = true;
          reserved -= size;
        }
      };
      res.once('finish', release);
      res.once('close', release);
      return true;
    },
    inflight: () => reserved,
  };
}
