import { isAbsolute, resolve } from 'node:path';
import { errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import { decodeWith, guardAsync, InMemoryStore, PaymentErrors, StoreConfigCodec, type PayResultAsync, type StoreConfig } from '@paykit/core';
import { pgPoolClient, type SqlClient } from './client.js';
import { lockDataFolder } from './folder-lock.js';
import { migrate } from './migrations.js';
import { pgliteWorkerClient as openPgliteThread } from './pglite-worker.js';
import { RecordSealer } from './sealing.js';
import { databaseError, SqlStore, type DurableStore } from './sql-store.js';

/** Where the embedded database lives when the config names no `dataDir`. */
export const DEFAULT_PGLITE_DIR = 'paykit-data';

/**
 * Opens PGlite in `dataDir` (a folder, or `memory://`) on a worker thread and returns a client
 * for it; rejects when the database cannot be opened (with an `InvalidConfig` PaymentError, before
 * any thread starts, when `dataDir` is not a string). The thread keeps the process alive only
 * while a statement is in flight; `close()` closes the database and ends the thread.
 *
 * @example
 * ```ts
 * const client = await pgliteWorkerClient('./paykit-data');
 * await migrate(client);
 * const store = new SqlStore(client, 1, sealer);
 * ```
 */
export function pgliteWorkerClient(dataDir: string): Promise<SqlClient> {
  if (typeof dataDir !== 'string') {
    return Promise.reject(PaymentErrors.invalidConfig('pgliteWorkerClient takes the data folder: a path, or "memory://" for a database in memory', { path: 'dataDir' }));
  }
  return openPgliteThread(dataDir);
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Directory a relative `dataDir` is resolved against (the config file's folder). Default: the working directory. */
  readonly baseDir?: string;
  /** Most connections a PostgreSQL pool opens per process (default 10). */
  readonly maxConnections?: number;
}

/**
 * Opens the store a config names, migrated and ready: `memory` (tests), `pglite` (embedded, a data
 * directory on disk, the default for a first run) or `postgres` (a server shared by several
 * application instances). A PGlite folder has one writer: opening one that another store holds,
 * in this process or another one, is `InvalidConfig` naming the folder; `close()` lets it go, and
 * the lock of a process that died without closing is taken over.
 *
 * @example
 * ```ts
 * const store = await openStore({ kind: 'pglite', dataDir: './paykit-data' });
 * if (store.isErr()) throw new Error(store.error.message);
 * const paykit = await createPaykit(config, { plugins, transport: kyTransport(), store: store.value });
 * ```
 */
export function openStore(config: StoreConfig, options: OpenStoreOptions = {}): PayResultAsync<DurableStore | InMemoryStore> {
  return guardAsync('openStore', () => {
    // Called directly, the config has not been through createPaykit's checks.
    const checked = decodeWith(StoreConfigCodec, config, 'store', 'config');
    if (checked.isErr()) return errAsync(checked.error);
    const max = options?.maxConnections;
    if (typeof options !== 'object' || options === null || (options.baseDir !== undefined && typeof options.baseDir !== 'string')
      || (max !== undefined && !(Number.isSafeInteger(max) && max >= 1 && max <= 1000))) {
      return errAsync(PaymentErrors.invalidConfig('openStore options are { baseDir?: a folder path, maxConnections?: a whole number from 1 to 1000 }', { path: 'options' }));
    }
    return open(checked.value, options);
  });
}

function open(config: StoreConfig, options: OpenStoreOptions): PayResultAsync<DurableStore | InMemoryStore> {
  let sealer: RecordSealer | undefined;
  if (config.kind !== 'memory' && config.recordKey !== undefined) {
    const made = RecordSealer.fromBase64(config.recordKey);
    if (made.isErr()) return errAsync(made.error);
    sealer = made.value;
  }
  switch (config.kind) {
    case 'memory':
      return okAsync(new InMemoryStore());
    case 'pglite': {
      const dir = config.dataDir ?? DEFAULT_PGLITE_DIR;
      const full = isAbsolute(dir) || dir.startsWith('memory://') ? dir : resolve(options.baseDir ?? process.cwd(), dir);
      // One writer per folder: a second PGlite on the same files loses the first one's writes.
      const lock = full.startsWith('memory://') ? ok(undefined) : lockDataFolder(full);
      if (lock.isErr()) return errAsync(lock.error);
      const release = () => lock.value?.release();
      // On a worker thread: PGlite blocks the thread it runs on for every statement, and there it
      // leaves the main thread free for the application's other requests (see docs/benchmarks.md).
      return connect('pglite', async () => {
        const client = await pgliteWorkerClient(full);
        // The client is a class instance: override its close, keep its methods.
        const close = client.close.bind(client);
        return Object.assign(client, { close: () => close().finally(release) });
      }, 1, sealer).orElse((e) => {
        release();
        return errAsync(e);
      });
    }
    case 'postgres': {
      if (!/^postgres(ql)?:\/\//.test(config.url)) {
        return errAsync(PaymentErrors.invalidConfig('store.url: expected a postgres:// connection URL (for example "env:DATABASE_URL")', { path: 'store.url' }));
      }
      const connections = options.maxConnections ?? 10;
      return connect('postgres', async () => {
        const pg = await import('pg');
        const pool = new pg.default.Pool({ connectionString: config.url, max: connections });
        // An idle client losing its server must not crash the process: the next query reports it.
        pool.on('error', () => undefined);
        return pgPoolClient(pool);
      }, connections, sealer);
    }
    default:
      return errAsync(PaymentErrors.invalidConfig('store.kind: expected "memory", "pglite" or "postgres"', { path: 'store.kind' }));
  }
}

function connect(dialect: SqlClient['dialect'], open: () => Promise<SqlClient>, concurrency: number, sealer: RecordSealer | undefined): PayResultAsync<DurableStore> {
  return ResultAsync.fromPromise((async () => {
    const client = await open();
    try {
      await migrate(client);
    } catch (e) {
      await client.close().catch(() => undefined);
      throw e;
    }
    return new SqlStore(client, concurrency, sealer);
  })(), (e) => databaseError('open', e, dialect));
}
