#!/usr/bin/env node
/**
 * `notify-guard`: the one executable. The only module that reads argv and exits the process;
 * each subcommand is a function that returns an exit code.
 */
import { webhookCommand } from './webhook-command.ts';
import { certsCommand } from './certs-command.ts';
import { relayCommand } from './relay-command.ts';
import { lintCommand } from './lint-command.ts';
import { auditCommand } from './audit-command.ts';
import { coverageCommand } from './coverage-command.ts';
import { UsageError } from './flag-values.ts';

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

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  webhook: webhookCommand,
  certs: (argv) => certsCommand(argv),
  relay: relayCommand,
  lint: (argv) => lintCommand(argv),
  audit: (argv) => auditCommand(argv),
  coverage: (argv) => coverageCommand(argv),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`notify-guard: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
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
