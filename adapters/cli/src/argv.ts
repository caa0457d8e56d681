import { err, ok, type Result } from 'neverthrow';

/** The options a command accepts: a value-taking `string` option or a `boolean` flag. */
export type OptionSpec = Readonly<Record<string, 'string' | 'boolean'>>;

/** A parsed command line: positional arguments and options by name (without the dashes). */
export interface ParsedArgs {
  /** Positional arguments in order. */
  readonly positionals: readonly string[];
  /** Options given: strings for value options, `true` for flags. */
  readonly options: Readonly<Record<string, string | true>>;
}

/**
 * Parses `--name value`, `--name=value`, `--flag`, `-h` (for `--help`) and `--` (end of options).
 * An unknown option, a repeated option or a missing value is an error message for the usage text,
 * as is a command line that is not an array of strings or a spec of the wrong shape.
 *
 * @example
 * ```ts
 * parseArgv(['--provider', 'example', '--explain'], { provider: 'string', explain: 'boolean' })
 * // Ok({ positionals: [], options: { provider: 'example', explain: true } })
 * ```
 */
export function parseArgv(argv: readonly string[], spec: OptionSpec): Result<ParsedArgs, string> {
  if (!isStringArray(argv)) return err('the command line must be an array of strings, e.g. process.argv.slice(2)');
  const all = withHelp(spec);
  if (all === undefined) return err('the option spec must be an object of option names to "string" or "boolean"');
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      options.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') return err(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = Object.hasOwn(all, name) ? all[name] : undefined;
    if (kind === undefined) return err(`unknown option --${name}`);
    if (Object.prototype.hasOwnProperty.call(options, name)) return err(`--${name} is given twice`);
    if (kind === 'boolean') {
      if (eq !== -1) return err(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || (eq === -1 && value.startsWith('--'))) return err(`--${name} needs a value`);
    options[name] = value;
  }
  return ok({ positionals, options });
}

/** Whether a value is an array of strings. Never throws. */
export function isStringArray(value: unknown): value is readonly string[] {
  try {
    return Array.isArray(value) && value.every((item) => typeof item === 'string');
  } catch {
    return false;
  }
}

/** The spec with `--help` added, or undefined when it is not an {@link OptionSpec}. Never throws. */
function withHelp(spec: unknown): OptionSpec | undefined {
  try {
    if (typeof spec !== 'object' || spec === null || !Object.values(spec).every((kind) => kind === 'string' || kind === 'boolean')) return undefined;
    return { help: 'boolean', ...(spec as OptionSpec) };
  } catch {
    return undefined;
  }
}

/** A string option's value, if given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}
