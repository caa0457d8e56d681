import type { OptionSpec, ParsedArgs } from './argv.js';
import type { CliIo } from './io.js';
import type { CliProvider } from './providers.js';

/** What a command runs with. */
export interface CommandContext {
  /** Streams, environment, working directory. */
  readonly io: CliIo;
  /** The providers the CLI knows. */
  readonly providers: readonly CliProvider[];
}

/** One `paykit` command. */
export interface Command {
  /** Its name on the command line. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** The options it accepts (`--help` is always accepted). */
  readonly options: OptionSpec;
  /** Runs it; resolves with the exit code. */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}
