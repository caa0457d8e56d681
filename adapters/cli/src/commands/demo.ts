import { stringOption } from '../argv.js';
import type { Command } from '../command.js';
import { describeThrown, EXIT, usageError } from '../output.js';
import { ConsoleDemoReporter } from '../reporter.js';

/** `paykit demo`: runs every built-in provider's demo against its in-process simulator. */
export const demoCommand: Command = {
  name: 'demo',
  summary: "run each provider's demo against its local simulator",
  options: { provider: 'string' },
  help: `Usage: paykit demo [--provider ID]

Runs every built-in provider's demo scenario in turn: each starts its simulator on 127.0.0.1,
walks orders through it and prints a readable log (keys hidden, card numbers masked).
Nothing leaves this machine. Exits 0 when every demo finishes, 1 otherwise.

Options:
  --provider ID   run only this provider's demo
  -h, --help      show this help

Example:
  paykit demo
  npm start
`,
  async run(args, ctx) {
    const { io } = ctx;
    if (args.positionals.length > 0) return usageError(io, 'demo', `unexpected argument "${args.positionals[0]}"`);
    const only = stringOption(args, 'provider');
    const selected = only === undefined ? ctx.providers : ctx.providers.filter((p) => p.plugin.id === only);
    if (only !== undefined && selected.length === 0) {
      return usageError(io, 'demo', `unknown provider "${only.slice(0, 64)}"; built-in providers are ${ctx.providers.map((p) => p.plugin.id).join(', ')}`);
    }
    const failed: string[] = [];
    let ran = 0;
    for (const { plugin, demo } of selected) {
      if (demo === undefined) {
        io.out(`\n=== ${plugin.displayName} (${plugin.id}): no demo ===\n`);
        continue;
      }
      io.out(`\n=== ${plugin.displayName} (${plugin.id}): ${demo.title} ===\n`);
      try {
        await demo.run(new ConsoleDemoReporter((text) => io.out(text)));
        ran += 1;
      } catch (e) {
        // A demo rejects only on a bug: report it in one line and go on with the others.
        failed.push(plugin.id);
        io.err(`error: demo of ${plugin.id} failed: ${describeThrown(e)}\n`);
      }
    }
    if (failed.length > 0) {
      io.err(`${failed.length} demo(s) failed: ${failed.join(', ')}\n`);
      return EXIT.error;
    }
    io.out(`\n${ran} demo(s) finished.\n`);
    return EXIT.ok;
  },
};
