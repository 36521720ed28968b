/**
 * Hot reload of `--cert-dir`. A mounted Secret is updated by the kubelet through a symlink swap
 * (`..data` -> a new timestamped directory), which fs.watch reports as a change in the directory;
 * a poll catches what watching misses (network filesystems, missed events). On a change the files
 * are read, checked (the key must belong to the certificate) and handed to `onChange`.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Logger } from '../observability/logger.ts';
import type { ServingFiles } from './cert-dir.ts';
import { readCertDir } from './cert-dir.ts';
import { servingProblem } from './serving-tls.ts';

/** Stops watching. */
export interface CertFilesWatcher {
  stop(): void;
  /** Checks the files now (also what the watch and the poll call). */
  check(): Promise<void>;
}

/** Watches and polls `dir`; calls `onChange` with each new, valid set of files. */
export function watchCertFiles(
  dir: string,
  o: { pollMs: number; logger: Logger; onChange: (files: ServingFiles) => void; initial?: ServingFiles },
): CertFilesWatcher {
  const digest = (f: ServingFiles) =>
    createHash('sha256').update(f.caPem).update('\0').update(f.certPem).update('\0').update(f.keyPem).digest('hex');
  let last = o.initial ? digest(o.initial) : '';
  let running: Promise<void> | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const check = (): Promise<void> => {
    running ??= (async () => {
      try {
        const files = await readCertDir(dir);
        if (!files) return;
        const d = digest(files);
        if (d === last) return;
        const problem = servingProblem(files);
        if (problem) {
          o.logger.warn(
            { certDir: dir, problem },
            'certificate files changed but cannot be served yet; keeping the current certificate',
          );
          return;
        }
        last = d;
        o.logger.info({ certDir: dir }, 'serving certificate reloaded');
        o.onChange(files);
      } catch (err) {
        o.logger.warn({ err, certDir: dir }, 'cannot read certificate files; keeping the current certificate');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void check(), 50);
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(() => void check(), o.pollMs);
  poll.unref();
  return {
    check,
    stop() {
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}
