import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { err, ok } from 'neverthrow';
import { CAPABILITIES, PaymentErrors, type Paykit, type PayResult, type StoreConfig } from '@paykit/core';
import { DEFAULT_PGLITE_DIR, openStore, RecordSealer } from '@paykit/store-sql';
import type { Command } from '../command.js';
import { EXIT, fail, usageError } from '../output.js';
import { buildFromConfigFile, inStoreSection, noNetwork } from './shared.js';

/**
 * Checks the store section the way the application will use it, and says what it found. PostgreSQL
 * is opened (reached, schema migrated) and closed. A PGlite folder is never opened: it is for one
 * process at a time and the application may have it open; its record key and folder are checked.
 */
async function checkStore(store: StoreConfig | undefined, baseDir: string): Promise<PayResult<string>> {
  if (store === undefined || store.kind === 'memory') return ok('store: memory (records last as long as the process; not for production)');
  if (store.recordKey !== undefined) {
    const key = RecordSealer.fromBase64(store.recordKey);
    if (key.isErr()) return err(inStoreSection(key.error));
  }
  if (store.kind === 'postgres') {
    const opened = await openStore(store, { baseDir, maxConnections: 1 });
    if (opened.isErr()) return err(inStoreSection(opened.error));
    const closing = opened.value as { close?(): PromiseLike<unknown> };
    await closing.close?.();
    return ok('store: postgres, reached and its schema up to date (opened and closed again)');
  }
  const dir = store.dataDir ?? DEFAULT_PGLITE_DIR;
  const full = isAbsolute(dir) || dir.startsWith('memory://') ? dir : resolve(baseDir, dir);
  if (dir.startsWith('memory://')) return ok(`store: pglite in memory (${dir}): records last as long as the process`);
  if (!existsSync(full)) return ok(`store: pglite, data folder ${full} (not created yet: the application's first start creates it)`);
  let entries: string[];
  try {
    entries = readdirSync(full);
  } catch {
    return err(PaymentErrors.invalidConfig(`config.store.dataDir: ${full} is not a folder paykit can read`, { path: 'config.store.dataDir' }));
  }
  if (entries.length === 0) return ok(`store: pglite, data folder ${full} (empty: the application's first start creates the database)`);
  // PGlite keeps a PostgreSQL data directory, which always has PG_VERSION at its top.
  if (!existsSync(join(full, 'PG_VERSION'))) {
    return err(PaymentErrors.invalidConfig(`config.store.dataDir: ${full} is not a PGlite data folder (no PG_VERSION in it): name an empty or new folder`, { path: 'config.store.dataDir' }));
  }
  return ok(`store: pglite, data folder ${full} (a database is there; not opened: a PGlite folder is for one process at a time)`);
}

function describe(paykit: Paykit, file: string, store: string): string {
  const lines = [`config OK: ${file}`, store, 'instances:'];
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
plugin (with env: and file: references resolved relative to the file's directory), the routes
and the store section. Prints the store, the instances, their capabilities and which instance
serves each capability. On an error prints the exact path to fix (e.g.
config.instances.shop.options.md5Key) and exits 1. Nothing is sent to any provider.

The store: a PostgreSQL server is reached and its schema brought up to date, then closed. A
PGlite data folder is not opened (it is for one process at a time, and the application may have
it open): its record key is checked and the folder must be new, empty or a PGlite folder.

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
    const built = await buildFromConfigFile(ctx, file, noNetwork, 'check');
    if (built.isErr()) return fail(io, built.error);
    const { paykit, store } = built.value;
    try {
      const checked = await checkStore(store, dirname(resolve(io.cwd, file)));
      if (checked.isErr()) return fail(io, checked.error);
      io.out(describe(paykit, file, checked.value));
      return EXIT.ok;
    } finally {
      await paykit.close();
    }
  },
};
