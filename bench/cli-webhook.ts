/**
 * The webhook as users run it, in a process of its own: the compiled CLI started as the bin is
 * (its shebang), or as `node <flags> main.js` with NODE_OPTIONS as the image sets it. Reports when it
 * listens and when /readyz first answers 200, and reads its RSS from /proc (no --expose-gc: a
 * user's process has none).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A running CLI webhook. */
export interface CliWebhook {
  readonly port: number;
  readonly caPem: string;
  /** Milliseconds from spawn to "webhook listening". */
  readonly listeningMs: number;
  /** Milliseconds from spawn to the first 200 from /readyz (the view synced). */
  readonly readyMs: number;
  /** The live view's own sync time (discovery and initial lists, its "cluster view synced" log), if logged. */
  syncMs(): number | undefined;
  /** Current RSS and the peak RSS so far (VmHWM), in MB. */
  memory(): { rssMB: number; peakMB: number };
  /** Its process id. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** How the CLI is started: `command` (the bin, or node and its flags) and NODE_OPTIONS. */
export interface Launch {
  readonly command: readonly string[];
  readonly nodeOptions: string | undefined;
}

/** Starts `<launch> webhook --listen 127.0.0.1:0 --cert-dir certDir ...args` and waits until it is ready. */
export async function startCliWebhook(o: {
  launch: Launch;
  args: readonly string[];
  certDir: string;
  track: (c: ChildProcess) => void;
}): Promise<CliWebhook> {
  const started = performance.now();
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  if (o.launch.nodeOptions) env['NODE_OPTIONS'] = o.launch.nodeOptions;
  const [command, ...rest] = o.launch.command;
  const child = spawn(command!, [...rest, 'webhook', '--listen', '127.0.0.1:0', '--cert-dir', o.certDir, ...o.args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  o.track(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let syncMs: number | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.includes('"cluster view synced"')) syncMs = (JSON.parse(line) as { ms: number }).ms;
      if (!line.includes('"webhook listening"')) return;
      resolve(Number(/:(\d+)$/.exec((JSON.parse(line) as { listen: string }).listen)?.[1]));
    });
    void exited.then((code) => reject(new Error(`webhook exited with ${code} before listening`)));
  });
  const listeningMs = performance.now() - started;
  const caPem = readFileSync(join(o.certDir, 'ca.crt'), 'utf8');
  while ((await readyz(port, caPem)) !== 200) await new Promise((r) => setTimeout(r, 20));
  const readyMs = performance.now() - started;
  const status = (field: string) =>
    Number(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN,
    ) / 1024;
  return {
    port,
    caPem,
    listeningMs,
    readyMs,
    syncMs: () => syncMs,
    memory: () => ({ rssMB: status('VmRSS'), peakMB: status('VmHWM') }),
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function readyz(port: number, ca: string): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/readyz', ca, servername: 'localhost', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });
}
