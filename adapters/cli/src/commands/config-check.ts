import { dirname, resolve } from 'node:path';
import { errAsync } from 'neverthrow';
import { CAPABILITIES, createPaykit, loadConfigFile, PaymentErrors, type HttpTransport, type Paykit, type PayResultAsync } from '@paykit/core';
import type { Command, CommandContext } from '../command.js';
import { EXIT, fail, usageError } from '../output.js';

/** A transport that sends nothing: checking or printing never talks to a provider. */
const noNetwork: HttpTransport = {
  send: (_request, options) => errAsync(PaymentErrors.network(`${options.operation}: not sent (the CLI does not call providers here)`, false, { retryable: false })),
};

/**
 * Loads a config file and builds paykit from it with every built-in plugin: `env:`/`file:` references
 * resolve relative to the file's directory.
 */
export function buildFromConfigFile(ctx: CommandContext, file: string, transport: HttpTransport = noNetwork): PayResultAsync<Paykit> {
  const path = resolve(ctx.io.cwd, file);
  const loaded = loadConfigFile(path);
  if (loaded.isErr()) return errAsync(loaded.error);
  return createPaykit(loaded.value, {
    plugins: ctx.providers.map((p) => p.plugin),
    transport,
    env: ctx.io.env,
    baseDir: dirname(path),
  });
}

function describe(paykit: Paykit, file: string): string {
  const lines = [`config OK: ${file}`, 'instances:'];
  for (const inst of paykit.instances()) {
    lines.push(`  ${inst.id}: plugin ${inst.pluginId}; capabilities ${inst.capabilities.join(', ') || 'none'}`);
  }
  lines.push('routes:');
  for (const c of CAPABILITIES) lines.push(`  ${c} -> ${paykit.routeOf(c) ?? '(no instance)'}`);
  for (const key of Object.keys(paykit.config.routes ?? {})) {
    if (key.includes('.')) lines.push(`  ${key} -> ${paykit.routeOf(key) ?? '(no instance)'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `paykit config check FILE`: validates a config file fully and prints what it sets up. */
export const configCommand: Command = {
  name: 'config',
  summary: 'config check FILE: validate a config file and show instances and routes',
  options: {},
  help: `Usage: paykit config check FILE

Validates a paykit config file completely: its shape, every instance's options against its
plugin (with env: and file: references resolved relative to the file's directory) and the
routes. Prints the instances, their capabilities and which instance serves each capability.
On an error prints the exact path to fix (e.g. config.instances.shop.options.md5Key) and exits 1.
Nothing is sent to any provider.

Options:
  -h, --help   show this help

Example:
  paykit config check paykit.config.json
`,
  async run(args, ctx) {
    const { io } = ctx;
    const [sub, file, extra] = args.positionals;
    if (sub !== 'check') return usageError(io, 'config', sub === undefined ? 'missing subcommand: use "paykit config check FILE"' : `unknown subcommand "${sub}": use "paykit config check FILE"`);
    if (file === undefined) return usageError(io, 'config', 'missing FILE: use "paykit config check FILE"');
    if (extra !== undefined) return usageError(io, 'config', `unexpected argument "${extra}"`);
    const built = await buildFromConfigFile(ctx, file);
    if (built.isErr()) return fail(io, built.error);
    io.out(describe(built.value, file));
    return EXIT.ok;
  },
};
