#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
/**
 * `notify-guard`: the one executable. The only module that reads argv and exits the process;
 * each subcommand is a function that returns an exit code.
 *
 * Node flags (node-flags.ts): a 2 MB young generation and a tight heap keep the webhook's RSS
 * about 100 MB and 70 MB lower with 30,000 cached objects. The shebang above and `npm start` give
 * them; started without them (plain `node main.js`, the image, whose NODE_OPTIONS can hold only
 * the first), the program restarts itself with them before loading anything else; `webhook` and
 * `relay` also restart for glibc malloc's settings alone. Commands are loaded when run, so the webhook never loads
 * the relay's or the linter's modules (`npm run bench` runs the bin as it is installed).
 */
import { ensureNodeFlags } from './node-flags.ts';
import { UsageError } from './flag-values.ts';

ensureNodeFlags();

const USAGE = `Usage: notify-guard <command> [flags]

Commands:
  webhook   serve the validating and mutating admission webhook (HTTPS)
  certs     write a CA and serving certificate; print or inject the caBundle
  relay     receive Flux events and deliver them to Slack, durably
  lint      check the Alerts, Providers and Secrets of manifests offline, as the webhook would
  audit     list existing objects that violate the current policy and its conventions
  coverage  show which Kustomizations, HelmReleases and sources no Alert watches

Run 'notify-guard <command> --help' for a command's flags.
`;

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  webhook: async () => (await import('./webhook-command.ts')).webhookCommand,
  certs: async () => (await import('./certs-command.ts')).certsCommand,
  relay: async () => (await import('./relay-command.ts')).relayCommand,
  lint: async () => (await import('./lint-command.ts')).lintCommand,
  audit: async () => (await import('./audit-command.ts')).auditCommand,
  coverage: async () => (await import('./coverage-command.ts')).coverageCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`notify-guard: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
    const run = await load();
    return await run(rest);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`notify-guard ${command}: ${(err as Error).message}\n`);
    if (usage) process.stderr.write(`Run 'notify-guard ${command} --help' for usage.\n`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// A command that failed has released what it started; should anything still hold the event loop,
// exit anyway rather than run on after a failure (README promises exit code 1 promptly).
if (process.exitCode !== 0) setTimeout(() => process.exit(), 2_000).unref();
