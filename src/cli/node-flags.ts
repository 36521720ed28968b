/**
 * The Node flags the program needs (and glibc malloc's settings, MALLOC_ENV), set by the program
 * itself: started without them (plain
 * `node main.js`, as the image's ENTRYPOINT runs it when NODE_OPTIONS is dropped), it replaces
 * itself at once (same pid, same stdio and environment) with a Node started with them.
 *
 * `--max-semi-space-size=2` (a 2 MB young generation) keeps the webhook's RSS about 100 MB lower
 * with 30,000 cached objects under load, at no measured throughput cost; `--optimize-for-size`
 * (V8 keeps its heap tight) takes 20-70 MB more off at 30,000 objects and brings the growth
 * under 1 MB per 1,000 objects, for 15-45 % more CPU per review (docs/admission.md, "Performance":
 * measured again with the lighter engine, the settings without it cost 15-25 % less CPU but take
 * the live view's RSS to 150-157 MB under load). Under `--optimize-for-size` V8 caps the young
 * generation itself (it collects as often at 2, 4 or 8 MB). They cannot be set later:
 * `v8.setFlagsFromString` after start leaves the young generation at its default 64 MB
 * (measured), since V8 sizes the heap when the isolate is created. A flag the user gives (on the
 * command line or in NODE_OPTIONS, with any value, or negated as `--no-optimize-for-size`) is kept.
 * Node refuses `--optimize-for-size` in NODE_OPTIONS (not on its allowlist), so the image sets
 * only `--max-semi-space-size=2` there and the program adds the other on the command line.
 */

/**
 * glibc malloc's settings, which glibc reads only when a process starts: set in the environment of
 * the same restart (a variable the environment has already, with any value, is kept). Measured in
 * the relay's storms (docs/relay.md, "Storms"): without them malloc held 59 MB at the peak in 10
 * arenas, half of it freed memory it had not returned. MALLOC_ARENA_MAX=2: two arenas, not one per
 * thread that allocates (up to 8 per core). The thresholds fixed at glibc's own defaults (128 KiB):
 * otherwise, once a large block (a 4 MiB journal chunk) is freed, glibc raises them up to 32 MB,
 * and blocks that size then stay in the arenas, held after they are freed.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The flags, each with the value the program wants. */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--optimize-for-size'];

/**
 * The arguments to start again with (argv[0] first), or undefined when every flag is already
 * given. `argv` is process.argv: node, the script, then the command's arguments.
 */
export function restartArgs(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  argv: readonly string[],
): string[] | undefined {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((g) => g.replaceAll('_', '-'));
  const missing = NODE_FLAGS.filter((f) => {
    const name = f.split('=')[0]!;
    const negated = `--no-${name.slice(2)}`;
    return !given.some((g) => g === name || g === negated || g.startsWith(`${name}=`));
  });
  if (missing.length === 0 || argv.length < 2) return undefined;
  return [argv[0]!, ...execArgv, ...missing, ...argv.slice(1)];
}

/** The environment to start again with (MALLOC_ENV's missing variables added), or undefined when it has them all. */
export function restartEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined {
  const missing = Object.entries(MALLOC_ENV).filter(([name]) => env[name] === undefined);
  return missing.length === 0 ? undefined : { ...env, ...Object.fromEntries(missing) };
}

/**
 * The commands that run for long (servers), for which the malloc settings alone are worth a restart:
 * a short command (`lint`, `audit`, `certs`) started with the flags already (the bin's shebang,
 * `npm start`) is not started twice for them.
 */
export const LONG_RUNNING_COMMANDS: ReadonlySet<string> = new Set(['webhook', 'relay']);

/**
 * What to start again with: argv and environment, or undefined when nothing is missing that is
 * worth a restart. `argv` is process.argv (node, the script, the command, its arguments).
 */
export function restartPlan(
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
): { args: string[]; env: NodeJS.ProcessEnv } | undefined {
  const args = restartArgs(execArgv, env['NODE_OPTIONS'], argv);
  const newEnv = restartEnv(env);
  if (!args && !(newEnv && LONG_RUNNING_COMMANDS.has(argv[2] ?? ''))) return undefined;
  return { args: args ?? [argv[0]!, ...execArgv, ...argv.slice(1)], env: newEnv ?? env };
}

/**
 * Replaces the process with one started with NODE_FLAGS and MALLOC_ENV, when some are missing
 * (restartPlan) and the platform can. Where the restart is refused (execve throws: a seccomp
 * profile, a read-only exec path), the program goes on as it was started, with a warning.
 */
export function ensureNodeFlags(p: NodeJS.Process = process): void {
  if (typeof p.execve !== 'function' || p.argv.length < 2) return;
  const plan = restartPlan(p.execArgv, p.env, p.argv);
  if (!plan) return;
  try {
    p.execve(p.execPath, plan.args, plan.env);
  } catch (err) {
    p.emitWarning(
      `could not restart with the Node flags and malloc settings (${(err as Error).message}); running without them`,
    );
  }
}
