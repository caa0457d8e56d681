/**
 * Durable paykit state on SQL: PGlite (PostgreSQL compiled to WebAssembly, embedded, a data
 * directory on disk) by default, or a PostgreSQL server shared by several processes. One schema,
 * one set of versioned migrations, the same statements for both.
 *
 * @packageDocumentation
 */
export { openStore, pgliteWorkerClient, DEFAULT_PGLITE_DIR, type OpenStoreOptions } from './open.js';
export { SqlStore, databaseError, type DurableStore } from './sql-store.js';
export { MIGRATIONS, OPEN_STATUSES, OPEN_PREDICATE, migrate, type Migration } from './migrations.js';
export {
  pgliteClient, pgPoolClient, type PgConnection, type PgPool, type PGliteLike, type PGliteTransactionLike, type SqlClient, type SqlQuery, type SqlStep, type Row,
} from './client.js';
export { toJson, reviveDates } from './values.js';
export { RecordSealer, SEALED_KINDS } from './sealing.js';
