/**
 * Writes a caBundle into the webhook configurations of a manifests directory (for installs that
 * manage certificates with `notify-guard certs`), keeping every comment and all other fields.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** One configuration updated. */
export interface Injected {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly webhooks: number;
}

/** Sets `webhooks[*].clientConfig.caBundle` in every webhook configuration under `dir`. */
export async function injectIntoManifests(dir: string, caBundleB64: string): Promise<Injected[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const out: Injected[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs)) continue;
    let changed = false;
    for (const doc of docs) {
      const kind = doc.get('kind');
      if (typeof kind !== 'string' || !KINDS.has(kind)) continue;
      const webhooks = doc.get('webhooks') as { items?: unknown[] } | undefined;
      const count = webhooks?.items?.length ?? 0;
      for (let i = 0; i < count; i++) doc.setIn(['webhooks', i, 'clientConfig', 'caBundle'], caBundleB64);
      out.push({ file, kind, name: String(doc.getIn(['metadata', 'name']) ?? ''), webhooks: count });
      changed = changed || count > 0;
    }
    if (changed) await writeFile(file, joinDocuments(docs.map((d) => d.toString())));
  }
  return out;
}

/** Joins documents; a document that had an explicit `---` prints it itself. */
function joinDocuments(texts: readonly string[]): string {
  return texts.map((t, i) => (i === 0 || t.startsWith('---') ? t : `---\n${t}`)).join('');
}
