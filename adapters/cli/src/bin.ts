/**
 * The `paykit` executable: runs the CLI with the real process streams and the built-in providers.
 *
 * @packageDocumentation
 */
import { processIo } from './io.js';
import { PROVIDERS } from './providers.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo(), PROVIDERS);
