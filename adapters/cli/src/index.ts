/**
 * The `paykit` command line: `demo`, `sign`, `verify`, `request`, `config check`,
 * `resolve-pending`, `reconcile`, `events` and `prune`.
 * `runCli` is the whole CLI as a function (the `paykit` binary calls it with the process streams
 * and {@link PROVIDERS}), so it can be embedded or tested with another provider list.
 *
 * @example
 * ```ts
 * import { PROVIDERS, processIo, runCli } from '@paykit/cli';
 * process.exitCode = await runCli(['config', 'check', 'paykit.config.json'], processIo(), PROVIDERS);
 * ```
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { runCli, cliVersion, COMMANDS } from './run.js';
export { PROVIDERS, type CliProvider } from './providers.js';
export { processIo, type CliIo } from './io.js';
export { parseArgv, type OptionSpec, type ParsedArgs } from './argv.js';
export type { Command, CommandContext } from './command.js';
export { ConsoleDemoReporter } from './reporter.js';
export { RecordingTransport, type CapturedRequest } from './request/recording-transport.js';
export { encodeForm, renderAction, renderRequest } from './request/render.js';
export { REQUEST_OPERATIONS, type RequestOperation } from './request/operations.js';
export { EXIT } from './output.js';
export { renderReconciliationHtml } from './report/html.js';
export { renderReconciliationCsv, renderReconciliationText, CSV_COLUMNS } from './report/text.js';
