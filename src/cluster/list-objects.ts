/**
 * One-off paginated LISTs of a collection, for commands that read the cluster once
 * (`notify-guard audit`, `coverage`) rather than keeping a watched view.
 */
import type { KubeApi } from './kube-api.ts';

interface ListBody {
  metadata?: { continue?: string };
  items?: Record<string, unknown>[];
}

/** Every object of the collection at `path`; `accept` may ask for metadata only. Throws on HTTP errors other than `optional` 403/404. */
export async function listObjects(
  api: KubeApi,
  path: string,
  o: { accept?: string; optional?: boolean; fieldSelector?: string } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cont = '';
  do {
    const r = await api.request('GET', path, {
      ...(o.accept ? { accept: o.accept } : {}),
      query: {
        limit: '500',
        ...(cont ? { continue: cont } : {}),
        ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
      },
    });
    if (o.optional && (r.status === 403 || r.status === 404)) return [];
    if (r.status !== 200)
      throw new Error(
        `list ${path}: HTTP ${r.status}${typeof (r.body as { message?: unknown })?.message === 'string' ? `: ${(r.body as { message: string }).message}` : ''}`,
      );
    const body = r.body as ListBody;
    items.push(...(body.items ?? []));
    cont = body.metadata?.continue ?? '';
  } while (cont);
  return items;
}
