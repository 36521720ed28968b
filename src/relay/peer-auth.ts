/**
 * Who may call a replica's peer endpoint (`--peer-token-file`, docs/relay-replicas.md): the other
 * replica sends its projected ServiceAccount token, minted by the kubelet for the audience
 * PEER_AUDIENCE and rotated by it (so it is read again at each request), as a bearer token; the
 * receiver asks the API server who it is (a TokenReview with that audience) and accepts only its
 * own ServiceAccount, the identity of its own token. Reviews are cached for a minute (at most 64
 * tokens), so a burst of handoffs costs one review. Nothing of a token is logged or answered.
 */
import type { KubeApi } from '../cluster/kube-api.ts';

/** The audience the peer tokens are minted for: useless to any other service. */
export const PEER_AUDIENCE = 'notify-guard-relay-peer';

/** Who the API server says a token is, for PEER_AUDIENCE: a username, none (not valid), or why it could not say. */
export type TokenReview = (token: string) => Promise<{ readonly username?: string } | { readonly error: string }>;

/** A request's verdict. */
export type PeerVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403 | 503; readonly message: string };

/** Both sides of the peer authentication. */
export interface PeerAuth {
  /** What the caller sends: this replica's current token. */
  headers(): Record<string, string>;
  /** Checks a request's Authorization header. */
  check(authorization: string | undefined): Promise<PeerVerdict>;
}

const CACHE_MS = 60_000;
const CACHE_ENTRIES = 64;

export function createPeerAuth(o: { readToken: () => string; review: TokenReview; now: () => number }): PeerAuth {
  const cache = new Map<string, { at: number; answer: Awaited<ReturnType<TokenReview>> }>();
  const ownToken = () => {
    try {
      return o.readToken();
    } catch {
      return undefined; // not mounted yet: the peer answers 401 and the caller tries again
    }
  };
  const review = async (token: string) => {
    const hit = cache.get(token);
    if (hit && o.now() - hit.at < CACHE_MS) return hit.answer;
    const answer = await o.review(token);
    if ('error' in answer) return answer; // not cached: the next request asks again
    cache.delete(token);
    cache.set(token, { at: o.now(), answer });
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    return answer;
  };
  return {
    headers: (): Record<string, string> => {
      const token = ownToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    async check(authorization) {
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      if (!token) return { ok: false, status: 401, message: 'a peer request needs the bearer token of the relay' };
      const own = ownToken();
      if (!own) return { ok: false, status: 503, message: 'this replica cannot read its own token; retry' };
      const [them, us] = await Promise.all([review(token), review(own)]);
      if ('error' in them || 'error' in us)
        return { ok: false, status: 503, message: 'cannot review the token now; retry' };
      if (!them.username) return { ok: false, status: 401, message: `the token is not valid for ${PEER_AUDIENCE}` };
      if (them.username !== us.username)
        return { ok: false, status: 403, message: `${them.username} is not the relay's ServiceAccount` };
      return { ok: true };
    },
  };
}

/** Reviews tokens for PEER_AUDIENCE with the API server (RBAC: create tokenreviews). */
export function tokenReviewer(api: KubeApi, timeoutMs = 5_000): TokenReview {
  return async (token) => {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: [PEER_AUDIENCE] },
    };
    const r = await api
      .request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body, timeoutMs })
      .catch((err: Error) => ({ status: 0, body: err.message }));
    if (r.status !== 200 && r.status !== 201) return { error: `TokenReview: HTTP ${r.status}` };
    // An empty or null body (parseBody gives undefined) has no status: not authenticated.
    const s = (
      r.body as { status?: { authenticated?: boolean; audiences?: string[]; user?: { username?: string } } } | null
    )?.status;
    const valid = s?.authenticated === true && (s.audiences ?? []).includes(PEER_AUDIENCE);
    return valid && s.user?.username ? { username: s.user.username } : {};
  };
}
