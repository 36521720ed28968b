/**
 * Runs a `notify-guard` subcommand function in this process, as main.ts would run it: what it
 * writes on stdout and stderr, and the exit code it returns. Usage mistakes (UsageError) are
 * thrown as they are; main.ts's handling of them is tested over the CLI.
 */
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';

/** What a subcommand reads and writes (lint's LintIo, audit's and coverage's CommandIo). */
interface Io {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
}

/** What the command wrote and returned. */
export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command(argv)` with `input` on stdin and `env` as its environment (default process.env). */
export async function runInProcess(
  command: (argv: readonly string[], io: Io) => Promise<number>,
  argv: readonly string[],
  o: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const written = Promise.all([text(stdout), text(stderr)]);
  const io = { stdin: Readable.from([o.input ?? '']), stdout, stderr, ...(o.env ? { env: o.env } : {}) };
  const status = await command(argv, io).finally(() => {
    stdout.end();
    stderr.end();
  });
  const [out, err] = await written;
  return { status, stdout: out, stderr: err };
}
