/**
 * The delivery thread as a test runs it: the real one, except that the first job whose event
 * message is "crash" makes the thread exit before it is delivered (once per marker file, named
 * by $NG_CRASH_MARKER), as an unexpected failure would.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ToDelivery } from '../../src/relay/delivery-protocol.ts';

const marker = process.env['NG_CRASH_MARKER'] ?? '';
parentPort!.on('message', (m: ToDelivery) => {
  if (m.t === 'enqueue' && m.job.event.message === 'crash' && !existsSync(marker)) {
    writeFileSync(marker, '');
    process.exit(1);
  }
});
await import('../../src/relay/delivery-worker.ts');
