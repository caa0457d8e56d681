/**
 * What the store-sql bench rows share: the databases they run on (opened as a side's process
 * needs them, cleaned up when it exits: PGlite on the main thread, PGlite on a worker thread,
 * PostgreSQL), paykit behind the webhook adapter, and the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atExit } from '@paykit/conformance/bench';
import { createPaykit } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { listenForNotifications } from '@paykit/webhooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate, pgliteClient, pgPoolClient, SqlStore, type SqlClient } from '../src/index.js';
import { pgliteWorkerClient } from '../src/pglite-worker.js';
import { freshDatabase } from '../test/postgres-db.js';
import { notification, WORKER_INSTANCE_OPTIONS } from '../test/processes/notifications.js';

/** Which database: `pglite` as openStore opens it (on a worker thread), PGlite on the main thread, PostgreSQL. */
export type BenchDatabase = 'pglite' | 'pglite-main-thread' | 'postgres';

/** How each is named in the table. */
export const DATABASE_LABEL: Readonly<Record<BenchDatabase, string>> = {
  pglite: 'PGlite (worker thread, as openStore opens it)', 'pglite-main-thread': 'PGlite (main thread)', postgres: 'PostgreSQL',
};

/** Connections of the PostgreSQL pool (the store sends up to this many statements at once). */
export const POSTGRES_CONNECTIONS = 8;

/** Why a PostgreSQL row cannot run here, or undefined. */
export function withoutPostgres(): string | undefined {
  return process.env.DATABASE_URL ? undefined : 'set DATABASE_URL (bash .ci/postgres.sh starts one)';
}

/**
 * A fresh, migrated database of the kind (a new folder, or a new PostgreSQL database), and the
 * statements the store may send at once on it, as openStore sets them. Removed at exit.
 */
export async function openDatabase(kind: BenchDatabase): Promise<{ client: SqlClient; concurrency: number }> {
  let client: SqlClient;
  let concurrency = 1;
  if (kind === 'postgres') {
    const db = await freshDatabase(process.env.DATABASE_URL as string);
    const pool = new pg.Pool({ connectionString: db.url, max: POSTGRES_CONNECTIONS });
    pool.on('error', () => undefined);
    client = pgPoolClient(pool);
    concurrency = POSTGRES_CONNECTIONS;
    atExit(() => db.drop());
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'paykit-bench-'));
    atExit(() => rmSync(dir, { recursive: true, force: true }));
    client = kind === 'pglite' ? await pgliteWorkerClient(dir) : pgliteClient(await PGlite.create(dir));
  }
  atExit(() => client.close());
  await migrate(client);
  return { client, concurrency };
}

/** The load generator: a process of its own, asked over IPC. */
export function loadGenerator(): { ask: <T>(message: unknown) => Promise<T> } {
  const child: ChildProcess = fork(join(import.meta.dirname, 'load-generator.mjs'), [], { stdio: 'inherit' });
  atExit(() => child.kill());
  return {
    ask: <T>(message: unknown) => new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(message as never);
    }),
  };
}

/**
 * paykit behind the node:http webhook adapter on a fresh database of the kind: its notify URL.
 * `ledgerColumn: false` drops the column migration 6 added (for a reference row: what it costs).
 */
export async function webhookServer(kind: BenchDatabase, { ledgerColumn = true } = {}): Promise<string> {
  const { client, concurrency } = await openDatabase(kind);
  if (!ledgerColumn) await client.query('ALTER TABLE paykit_records DROP COLUMN ledger');
  const store = new SqlStore(client, concurrency);
  const paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store }))._unsafeUnwrap();
  const server = (await listenForNotifications(paykit, { instanceFromPath: true }))._unsafeUnwrap();
  atExit(() => server.close());
  return `${server.url}/paykit/notify/shop`;
}

/** Signed notifications for orders no earlier call asked for (each is new to the store). */
export function freshNotifications(): (count: number) => string[] {
  let order = 0;
  return (count) => Array.from({ length: count }, () => notification((order += 1), 'SUCCESS').body);
}
