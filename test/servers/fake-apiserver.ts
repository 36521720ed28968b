/**
 * A Kubernetes API server stand-in that speaks the list/watch protocol faithfully enough that
 * @kubernetes/client-node cannot tell: discovery, list with resourceVersion and `continue`
 * pagination (a consistent snapshot per list), label and field selectors, PartialObjectMetadata,
 * GET of one object, and watch as a chunked stream of {type, object} lines with bookmarks, replay
 * from a resourceVersion, 410 Expired (an ERROR event) for one older than the retained history,
 * and timeoutSeconds. Tests drive faults: 403 for a resource, abrupt connection drops, and
 * watches that go silent without closing. Listens on 127.0.0.1 over plain HTTP.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/flux/objects.ts';
import fastJsonPatch from 'fast-json-patch';
import { mergePatch, selectorMatcher } from './kube-selectors.ts';

/** A served resource. */
export interface FakeResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** Cluster-scoped resources (webhook configurations) set this to false. */
  readonly namespaced?: boolean;
}

/** What certificate self-management reads and writes. */
export function certResources(): FakeResource[] {
  return [
    { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' },
    { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases' },
    {
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      kind: 'ValidatingWebhookConfiguration',
      plural: 'validatingwebhookconfigurations',
      namespaced: false,
    },
    {
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      kind: 'MutatingWebhookConfiguration',
      plural: 'mutatingwebhookconfigurations',
      namespaced: false,
    },
  ];
}

/** The resources a Flux cluster serves for this project. */
export function fluxResources(notificationVersion = 'v1beta3'): FakeResource[] {
  return [
    { group: 'notification.toolkit.fluxcd.io', version: notificationVersion, kind: 'Alert', plural: 'alerts' },
    { group: 'notification.toolkit.fluxcd.io', version: notificationVersion, kind: 'Provider', plural: 'providers' },
    { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' },
    { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations' },
    { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases' },
    { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'GitRepository', plural: 'gitrepositories' },
  ];
}

/** Flux's resources plus what the platform's conventions read: the NotifyGuardPolicy and Namespaces. */
export function platformResources(): FakeResource[] {
  return [
    ...fluxResources(),
    {
      group: 'notify-guard.fluxcd.community',
      version: 'v1alpha1',
      kind: 'NotifyGuardPolicy',
      plural: 'notifyguardpolicies',
      namespaced: false,
    },
    { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  ];
}

interface HistoryEntry {
  readonly rv: number;
  readonly plural: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}
/** The Secret producer kinds (ExternalSecret, SealedSecret), as a cluster with their operators serves them. */
export function secretProducerResources(): FakeResource[] {
  return [
    { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', plural: 'externalsecrets' },
    { group: 'bitnami.com', version: 'v1alpha1', kind: 'SealedSecret', plural: 'sealedsecrets' },
  ];
}

interface Watcher {
  readonly plural: string;
  readonly namespace: string | undefined;
  readonly match: (o: KubeObject) => boolean;
  readonly metadataOnly: boolean;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  rv: number;
  readonly resource: FakeResource;
}

/**
 * One request as RBAC authorizes it: the verb, the resource, the namespace and the object's name
 * (for list and watch, the name a `metadata.name=` field selector pins, as authorization reads it).
 */
export interface FakeApiCall {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/** Counters tests assert on. */
export interface FakeStats {
  lists: number;
  watches: number;
  gets: number;
  connections: number;
  listsByResource: Record<string, number>;
}

export class FakeApiServer {
  readonly stats: FakeStats = { lists: 0, watches: 0, gets: 0, connections: 0, listsByResource: {} };
  /** Every request on a served resource, in order (the RBAC a client needs). */
  readonly calls: FakeApiCall[] = [];
  /** Tokens TokenReview knows: the user each names and the audiences it was minted for. */
  readonly tokens = new Map<string, { username: string; audiences: string[] }>();
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, KubeObject[]>();
  private readonly forbidden = new Set<string>();
  private readonly heldLists = new Map<string, { parked: (() => void)[]; arrived: () => void }>();
  private rv = 100;
  private oldestRetained = 100;
  private silent = false;
  private server: Server | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;

  private readonly resources: readonly FakeResource[];
  private readonly o: { bookmarkIntervalMs?: number };

  constructor(resources: readonly FakeResource[], o: { bookmarkIntervalMs?: number } = {}) {
    this.resources = resources;
    this.o = o;
    for (const r of resources) this.store.set(r.plural, new Map());
  }

  /** Starts listening on 127.0.0.1; returns the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => this.route(req, res));
    this.server.on('connection', () => {
      this.stats.connections++;
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.o.bookmarkIntervalMs ?? 200);
    this.bookmarkTimer.unref();
    return this.url;
  }

  /** The base URL (after start). */
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    await new Promise<void>((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections();
    });
  }

  /** Creates or replaces an object (by apiVersion/kind, namespace and name). */
  apply(obj: KubeObject): KubeObject {
    const r = this.resourceOf(obj);
    const items = this.store.get(r.plural)!;
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    const existed = items.has(key);
    const stored: KubeObject = {
      ...structuredClone(obj),
      metadata: {
        ...structuredClone(obj.metadata),
        resourceVersion: String(++this.rv),
        uid: obj.metadata?.uid ?? `uid-${key}`,
      },
    };
    items.set(key, stored);
    this.record({ rv: this.rv, plural: r.plural, type: existed ? 'MODIFIED' : 'ADDED', object: stored });
    return stored;
  }

  /** Deletes an object; returns false when it did not exist. */
  remove(obj: KubeObject): boolean {
    const r = this.resourceOf(obj);
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    const items = this.store.get(r.plural)!;
    const existing = items.get(key);
    if (!existing) return false;
    items.delete(key);
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } };
    this.record({ rv: this.rv, plural: r.plural, type: 'DELETED', object: gone });
    return true;
  }

  /** Ends every watch connection abruptly (no final chunk), as a network failure would. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  /** While silent, open watches receive nothing (no events, no bookmarks) but stay open. */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Forgets the event history: a watch from an older resourceVersion then gets 410 Expired. */
  compact(): void {
    this.history.length = 0;
    this.oldestRetained = this.rv;
    this.snapshots.clear();
  }

  /** Answers 403 for every request on a resource (by plural). */
  forbid(plural: string): void {
    this.forbidden.add(plural);
  }

  /**
   * Parks list requests on a resource (by plural) until `release()`, as a large cluster's slow
   * list would; `arrived` resolves when the first parked list comes in.
   */
  holdLists(plural: string): { arrived: Promise<void>; release(): void } {
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => {
      arrived = r;
    });
    const gate = { parked: [] as (() => void)[], arrived };
    this.heldLists.set(plural, gate);
    return {
      arrived: arrival,
      release: () => {
        if (this.heldLists.get(plural) === gate) this.heldLists.delete(plural);
        for (const answer of gate.parked.splice(0)) answer();
      },
    };
  }

  /** Serves a resource again after `forbid`. */
  allow(plural: string): void {
    this.forbidden.delete(plural);
  }

  /** The stored object, if any (a copy). */
  get(obj: { apiVersion: string; kind: string; namespace?: string; name: string }): KubeObject | undefined {
    const r = this.resourceOf({ apiVersion: obj.apiVersion, kind: obj.kind });
    const found = this.store.get(r.plural)!.get(`${obj.namespace ?? ''}/${obj.name}`);
    return found ? structuredClone(found) : undefined;
  }

  /** Number of open watch connections. */
  openWatches(): number {
    return this.watchers.size;
  }

  private resourceOf(obj: KubeObject): FakeResource {
    const r = this.resources.find(
      (x) =>
        x.kind === obj.kind &&
        (x.group === '' ? obj.apiVersion === x.version : obj.apiVersion === `${x.group}/${x.version}`),
    );
    if (!r) throw new Error(`fake apiserver does not serve ${obj.apiVersion} ${obj.kind}`);
    return r;
  }

  private record(e: HistoryEntry): void {
    this.history.push(e);
    if (this.silent) return;
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (e.plural !== w.plural || e.rv <= w.rv) return;
    if (w.namespace !== undefined && e.object.metadata?.namespace !== w.namespace) return;
    if (!w.match(e.object)) return;
    w.rv = e.rv;
    w.res.write(`${JSON.stringify({ type: e.type, object: w.metadataOnly ? partial(e.object) : e.object })}\n`);
  }

  private sendBookmarks(): void {
    if (this.silent) return;
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      // Catch up first (events held back while silent), then mark progress.
      for (const e of this.history) this.deliver(w, e);
      w.rv = this.rv;
      const kind = w.metadataOnly ? 'PartialObjectMetadata' : w.resource.kind;
      w.res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion: w.resource.group ? `${w.resource.group}/${w.resource.version}` : w.resource.version, metadata: { resourceVersion: String(this.rv) } } })}\n`,
      );
    }
  }

  /** TokenReview, as the API server answers it: authenticated only for a known token and an audience it was minted for. */
  private tokenReview(body: string, res: ServerResponse): void {
    this.calls.push({
      verb: 'create',
      group: 'authentication.k8s.io',
      resource: 'tokenreviews',
      namespace: undefined,
      name: undefined,
    });
    const spec = (JSON.parse(body) as { spec: { token: string; audiences?: string[] } }).spec;
    const known = this.tokens.get(spec.token);
    const audiences = (spec.audiences ?? []).filter((a) => known?.audiences.includes(a));
    const ok = known !== undefined && audiences.length > 0;
    const status = ok
      ? { authenticated: true, user: { username: known.username }, audiences }
      : { authenticated: false };
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec, status }));
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    // Discovery.
    if (parts[0] === 'apis' && parts.length === 2) return this.group(parts[1]!, res);
    if (parts[0] === 'apis' && parts.length === 3) return this.resourceList(parts[1]!, parts[2]!, res);
    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews')
      return void readBody(req).then((body) => this.tokenReview(body, res));
    // /api/v1/[namespaces/{ns}/]{plural}[/{name}] and /apis/{g}/{v}/[namespaces/{ns}/]{plural}[/{name}]
    const [group, version, rest] =
      parts[0] === 'api' ? ['', parts[1] ?? '', parts.slice(2)] : [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
    let namespace: string | undefined;
    let tail = rest;
    if (tail[0] === 'namespaces' && tail.length >= 3) {
      namespace = decodeURIComponent(tail[1]!);
      tail = tail.slice(2);
    }
    const resource = this.resources.find((r) => r.group === group && r.version === version && r.plural === tail[0]);
    if (resource && tail.length === 3 && tail[2] === 'status' && req.method === 'PATCH') {
      this.calls.push({
        verb: 'patch',
        group,
        resource: `${resource.plural}/status`,
        namespace,
        name: decodeURIComponent(tail[1]!),
      });
      void readBody(req).then((body) =>
        this.patchStatus(resource, namespace ?? '', decodeURIComponent(tail[1]!), body, res),
      );
      return;
    }
    if (!resource || tail.length > 2)
      return status(res, 404, 'NotFound', `the server could not find the requested resource`);
    if (this.forbidden.has(resource.plural))
      return status(
        res,
        403,
        'Forbidden',
        `${resource.plural} is forbidden: User "system:serviceaccount:notify-guard-system:notify-guard" cannot list resource "${resource.plural}"`,
      );
    const method = req.method ?? 'GET';
    this.calls.push(rbacCall(method, url, resource, namespace, tail[1] ? decodeURIComponent(tail[1]) : undefined));
    if (method !== 'GET') {
      void readBody(req).then((body) =>
        this.write(
          method,
          resource,
          namespace ?? '',
          tail[1] ? decodeURIComponent(tail[1]) : undefined,
          String(req.headers['content-type'] ?? ''),
          body,
          res,
        ),
      );
      return;
    }
    if (tail.length === 2) return this.getOne(resource, namespace ?? '', decodeURIComponent(tail[1]!), res);
    const accept = String(req.headers['accept'] ?? '');
    const metadataOnly = accept.includes('as=PartialObjectMetadata');
    const match = selectorMatcher(
      url.searchParams.get('labelSelector') ?? '',
      url.searchParams.get('fieldSelector') ?? '',
    );
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
      return this.watch(resource, namespace, match, metadataOnly, url.searchParams, res);
    const held = this.heldLists.get(resource.plural);
    if (held) {
      held.parked.push(() => this.list(resource, namespace, match, metadataOnly, url.searchParams, res));
      held.arrived();
      return;
    }
    return this.list(resource, namespace, match, metadataOnly, url.searchParams, res);
  }

  private group(group: string, res: ServerResponse): void {
    const versions = [...new Set(this.resources.filter((r) => r.group === group).map((r) => r.version))];
    if (versions.length === 0) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    json(res, 200, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    });
  }

  private resourceList(group: string, version: string, res: ServerResponse): void {
    const rs = this.resources.filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    json(res, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${group}/${version}`,
      resources: rs.map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: true,
        kind: r.kind,
        verbs: ['get', 'list', 'watch'],
      })),
    });
  }

  private write(
    method: string,
    r: FakeResource,
    namespace: string,
    name: string | undefined,
    contentType: string,
    body: string,
    res: ServerResponse,
  ): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return status(res, 400, 'BadRequest', 'body is not JSON');
    }
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const items = this.store.get(r.plural)!;
    if (method === 'POST' && name === undefined) {
      const obj = parsed as KubeObject;
      const key = `${namespace}/${obj.metadata?.name ?? ''}`;
      if (items.has(key))
        return status(res, 409, 'AlreadyExists', `${r.plural} "${obj.metadata?.name}" already exists`);
      return json(
        res,
        201,
        this.apply({
          ...obj,
          apiVersion,
          kind: r.kind,
          metadata: { ...obj.metadata, ...(r.namespaced === false ? {} : { namespace }) },
        }),
      );
    }
    if (name === undefined) return status(res, 405, 'MethodNotAllowed', 'method not allowed on a collection');
    const existing = items.get(`${namespace}/${name}`);
    if (!existing) return status(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
    if (method === 'PUT') {
      const obj = parsed as KubeObject;
      const rv = obj.metadata?.['resourceVersion'];
      if (rv !== undefined && rv !== existing.metadata?.['resourceVersion'])
        return status(
          res,
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      return json(res, 200, this.apply({ ...obj, apiVersion, kind: r.kind }));
    }
    if (method === 'PATCH') {
      let patched: KubeObject;
      if (contentType.startsWith('application/json-patch+json')) {
        try {
          patched = fastJsonPatch.applyPatch(
            structuredClone(existing),
            parsed as fastJsonPatch.Operation[],
            true,
          ).newDocument;
        } catch (e) {
          return status(res, 422, 'Invalid', `patch does not apply: ${(e as Error).message}`);
        }
      } else if (contentType.startsWith('application/merge-patch+json')) {
        patched = mergePatch(structuredClone(existing), parsed) as KubeObject;
      } else {
        return status(
          res,
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
        );
      }
      return json(res, 200, this.apply(patched));
    }
    return status(res, 405, 'MethodNotAllowed', `method ${method} not allowed`);
  }

  /** The status subresource: a merge patch of which only `status` is kept, as for a CRD with `subresources.status`. */
  private patchStatus(r: FakeResource, namespace: string, name: string, body: string, res: ServerResponse): void {
    const existing = this.store.get(r.plural)!.get(`${namespace}/${name}`);
    if (!existing) return status(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return status(res, 400, 'BadRequest', 'body is not JSON');
    }
    const patched = mergePatch(structuredClone(existing), parsed) as KubeObject;
    return json(res, 200, this.apply({ ...existing, status: patched['status'] }));
  }

  private getOne(r: FakeResource, namespace: string, name: string, res: ServerResponse): void {
    this.stats.gets++;
    const obj = this.store.get(r.plural)!.get(`${namespace}/${name}`);
    if (!obj) return status(res, 404, 'NotFound', `${r.plural} "${name}" not found`);
    json(res, 200, obj);
  }

  private list(
    r: FakeResource,
    namespace: string | undefined,
    match: (o: KubeObject) => boolean,
    metadataOnly: boolean,
    q: URLSearchParams,
    res: ServerResponse,
  ): void {
    this.stats.lists++;
    this.stats.listsByResource[r.plural] = (this.stats.listsByResource[r.plural] ?? 0) + 1;
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let remaining: KubeObject[];
    let listRv: string;
    if (cont) {
      const snap = this.snapshots.get(cont);
      if (!snap)
        return status(
          res,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result.',
        );
      this.snapshots.delete(cont);
      [listRv, remaining] = [cont.split(':')[0]!, snap];
    } else {
      remaining = [...this.store.get(r.plural)!.values()]
        .filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
        .filter(match)
        .sort((a, b) =>
          `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`),
        );
      listRv = String(this.rv);
    }
    const page = limit > 0 ? remaining.slice(0, limit) : remaining;
    const rest = limit > 0 ? remaining.slice(limit) : [];
    const metadata: Record<string, string> = { resourceVersion: listRv };
    if (rest.length > 0) {
      const token = `${listRv}:${Math.random().toString(36).slice(2)}`;
      this.snapshots.set(token, rest);
      metadata['continue'] = token;
    }
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    json(
      res,
      200,
      metadataOnly
        ? {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata,
            items: page.map((o) => partial(o)),
          }
        : { kind: `${r.kind}List`, apiVersion, metadata, items: page.map((o) => ({ ...o, apiVersion, kind: r.kind })) },
    );
  }

  private watch(
    r: FakeResource,
    namespace: string | undefined,
    match: (o: KubeObject) => boolean,
    metadataOnly: boolean,
    q: URLSearchParams,
    res: ServerResponse,
  ): void {
    this.stats.watches++;
    const from = Number(q.get('resourceVersion') || 0);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (from > 0 && from < this.oldestRetained) {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.oldestRetained})`, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    const w: Watcher = {
      plural: r.plural,
      namespace,
      match,
      metadataOnly,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      res,
      rv: from,
      resource: r,
    };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
    if (!this.silent) for (const e of this.history) this.deliver(w, e);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0)
      setTimeout(() => {
        this.watchers.delete(w);
        res.end();
      }, timeout * 1000).unref();
  }
}

function rbacCall(
  method: string,
  url: URL,
  r: FakeResource,
  namespace: string | undefined,
  name: string | undefined,
): FakeApiCall {
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb =
    method === 'GET'
      ? name !== undefined
        ? 'get'
        : watch
          ? 'watch'
          : 'list'
      : (verbs[method] ?? method.toLowerCase());
  const pinned = /(?:^|,)metadata\.name=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
  return { verb, group: r.group, resource: r.plural, namespace, name: name ?? pinned };
}

function partial(o: KubeObject): KubeObject {
  const m = o.metadata ?? {};
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m['resourceVersion'],
      ...(m.labels ? { labels: m.labels } : {}),
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
