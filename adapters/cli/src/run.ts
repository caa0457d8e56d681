import { readFileSync } from 'node:fs';
import { ok } from 'neverthrow';
import { guard } from '@paykit/core';
import { isStringArray, parseArgv } from './argv.js';
import type { Command } from './command.js';
import { configCommand } from './commands/config-check.js';
import { demoCommand } from './commands/demo.js';
import { eventsCommand, pruneCommand } from './commands/events.js';
import { reconcileCommand } from './commands/reconcile.js';
import { requestCommand } from './commands/request.js';
import { resolvePendingCommand } from './commands/resolve-pending.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import type { CliIo } from './io.js';
import { describeThrown, EXIT } from './output.js';
import type { CliProvider } from './providers.js';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [demoCommand, signCommand, verifyCommand, requestCommand, configCommand, resolvePendingCommand, reconcileCommand, eventsCommand, pruneCommand];

function mainHelp(providers: readonly CliProvider[]): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`).join('\n');
  return `Usage: paykit <command> [options]

Commands:
${list}

Built-in providers: ${providers.map((p) => p.plugin.id).join(', ') || 'none'}

Options:
  -h, --help      show this help
  -v, --version   print the version of @paykit/cli

Run "paykit <command> --help" for a command's options.
Exit codes: 0 success, 1 error (invalid input, failed check or operation), 2 command line mistake.
`;
}

/** The version of `@paykit/cli` (its package.json sits one folder above `src/` and `dist/` alike). */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the `paykit` command line and resolves with the exit code. Never rejects: a bug in a command
 * or a plugin, or arguments of the wrong shape, is printed as one line (no stack trace) on the io's
 * stderr with exit code 1.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo(), PROVIDERS);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo, providers: readonly CliProvider[]): Promise<number> {
  const problem = argumentsProblem(argv, io, providers);
  if (problem !== undefined) {
    printSafely(io, () => `error: ${problem}\n`);
    return EXIT.error;
  }
  try {
    return await dispatch(argv, io, providers);
  } catch (e) {
    printSafely(io, () => `error: paykit failed unexpectedly (a bug; please report it): ${describeThrown(e)}\n`);
    return EXIT.error;
  }
}

/** What is wrong with {@link runCli}'s arguments, or undefined. Never throws. */
function argumentsProblem(argv: unknown, io: unknown, providers: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  // A check that throws (a proxy, a getter) is a value that does not fit.
  const fits = (check: () => boolean): boolean => guard('runCli', () => ok(check())).unwrapOr(false);
  if (!isStringArray(argv)) return 'runCli takes the command line as an array of strings, e.g. process.argv.slice(2)';
  if (!fits(() => isObject(io) && typeof io.out === 'function' && typeof io.err === 'function' && typeof io.readStdin === 'function' && isObject(io.env) && typeof io.cwd === 'string')) {
    return 'runCli takes a CliIo { out, err, readStdin, env, cwd }, e.g. processIo()';
  }
  if (!fits(() => Array.isArray(providers) && providers.every((p) => isObject(p) && isObject(p.plugin) && typeof p.plugin.id === 'string'))) {
    return 'runCli takes the providers as an array of { plugin, demo? }, e.g. PROVIDERS';
  }
  return undefined;
}

/**
 * Writes to the io's stderr when it can: an io that cannot be written to, or a thrown value that
 * cannot be described (a `toString` that throws), leaves only the exit code.
 */
function printSafely(io: CliIo, text: () => string): void {
  try {
    io.err(text());
  } catch {
    // Nowhere else to say it.
  }
}

async function dispatch(argv: readonly string[], io: CliIo, providers: readonly CliProvider[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      io.err(mainHelp(providers));
      return EXIT.usage;
    }
    io.out(mainHelp(providers));
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`paykit: unknown command "${name.slice(0, 40)}"; commands are ${COMMANDS.map((c) => c.name).join(', ')}\nRun "paykit --help" for usage.\n`);
    return EXIT.usage;
  }
  const args = parseArgv(rest, command.options);
  if (args.isOk() && args.value.options.help === true) {
    io.out(command.help);
    return EXIT.ok;
  }
  if (args.isErr()) {
    io.err(`paykit ${command.name}: ${args.error}\nRun "paykit ${command.name} --help" for usage.\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(args.value, { io, providers });
  } catch (e) {
    io.err(`error: paykit ${command.name} failed unexpectedly (a bug; please report it): ${describeThrown(e)}\n`);
    return EXIT.error;
  }
}
