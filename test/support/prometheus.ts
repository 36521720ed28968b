/**
 * A real Prometheus server (the `prometheus` binary) on 127.0.0.1 for tests: started with a
 * configuration file and a data directory, ready when `/-/ready` answers, stopped with SIGTERM
 * (SIGKILL after 10 s). Its HTTP API answers through `api` and `query`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './live-cluster.ts';

/** A port free a moment ago, for a program that cannot report the one it chose. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export class Prometheus {
  readonly url: string;
  private readonly child: ChildProcess;
  private stderr = '';

  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.child = child;
    child.stderr!.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-4000);
    });
  }

  /** Starts `prometheus` with `configFile`, storing in `dataDir`; resolves once it is ready, rejects if it exits first. */
  static async start(configFile: string, dataDir: string): Promise<Prometheus> {
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const p = new Prometheus(`http://127.0.0.1:${port}`, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`prometheus exited (${code}): ${p.stderr}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      eventually(
        'prometheus ready',
        async () => (await fetch(`${p.url}/-/ready`).catch(() => undefined))?.status === 200,
        30_000,
      ),
    ]);
    return p;
  }

  /** GETs an API path and returns its data; fails the test on an answer other than success. */
  async api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`${this.url}${path}`)).json()) as { status: string; data: T; error?: string };
    assert.equal(body.status, 'success', `${path}: ${body.error}`);
    return body.data;
  }

  /** An instant query. */
  query(expr: string): Promise<{ resultType: string; result: { metric: Record<string, string> }[] }> {
    return this.api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const force = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  }
}
