import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import {
  PaymentErrors, matchesFilter, type ChangeSet, type CommitOutcome, type ListFilter, type NotificationRecord,
  type PaymentError, type PayResultAsync, type RecordKind, type Store, type Versioned,
} from '@paykit/core';
import type { Row, SqlClient } from './client.js';
import { reviveDates, toJson } from './values.js';

/** A durable {@link Store} that can be closed. */
export interface DurableStore extends Store {
  /** `pglite` or `postgres`. */
  readonly dialect: SqlClient['dialect'];
  /** Closes the database (the store is unusable afterwards). */
  close(): PayResultAsync<void>;
}

/**
 * The store on SQL: PGlite embedded or a PostgreSQL server, same schema and statements (see
 * `MIGRATIONS`). Every write is one call of `paykit_commit`, so it is atomic on its own and safe
 * with any number of processes sharing a PostgreSQL database.
 */
export class SqlStore implements DurableStore {
  readonly #db: SqlClient;
  /** `pglite` or `postgres`. */
  readonly dialect: SqlClient['dialect'];

  /** Wraps a migrated database (use `openStore`, which migrates). */
  constructor(db: SqlClient) {
    this.#db = db;
    this.dialect = db.dialect;
  }

  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    return this.#run('get', 'SELECT version, value FROM paykit_records WHERE kind = $1 AND id = $2', [kind, id])
      .map((rows) => (rows[0] ? versioned<T>(rows[0]) : undefined));
  }

  /** Inserts a record at version 1. */
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>> {
    return this.commit({ writes: [{ kind, id, expectedVersion: 0, value }] })
      .map(() => ({ value, version: 1 }))
      .mapErr((e) => (e.kind === 'Conflict' ? PaymentErrors.conflict(`${kind} ${id} already exists`) : e));
  }

  /** Replaces a record still at `expectedVersion`. */
  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>> {
    return this.commit({ writes: [{ kind, id, expectedVersion, value }] })
      .map(() => ({ value, version: expectedVersion + 1 }))
      .orElse((e) => (e.kind !== 'Conflict' ? errAsync(e)
        : this.get(kind, id).andThen((cur) => errAsync(cur ? e : PaymentErrors.notFound(`${kind} ${id} does not exist`)))));
  }

  /** Lists records of a kind, optionally only some statuses. */
  list<T>(kind: RecordKind, filter?: ListFilter): PayResultAsync<readonly Versioned<T>[]> {
    const query = filter?.statuses
      ? this.#run('list', 'SELECT version, value FROM paykit_records WHERE kind = $1 AND status = ANY($2) ORDER BY updated_at', [kind, [...filter.statuses]])
      : this.#run('list', 'SELECT version, value FROM paykit_records WHERE kind = $1 ORDER BY updated_at', [kind]);
    return query.map((rows) => rows.map((r) => versioned<T>(r)).filter((v) => matchesFilter(v.value, filter)));
  }

  /** Records a notification once. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord> {
    return this.commit({ writes: [], notification: { providerId, eventKey, payload } }).map((o) => (o === 'committed' ? 'new' : 'duplicate'));
  }

  /** Applies a change set atomically (one `paykit_commit` call). */
  commit(changes: ChangeSet): PayResultAsync<CommitOutcome> {
    let json: string;
    try {
      json = toJson(changes);
    } catch {
      return errAsync(PaymentErrors.invalidRequest('a record holds a value that cannot be stored (an invalid Date, a BigInt or a cycle)'));
    }
    return this.#run('commit', 'SELECT paykit_commit($1::jsonb) AS outcome', [json]).map((rows) => rows[0]?.outcome as CommitOutcome);
  }

  /** Every version of a record, oldest first. */
  history<T>(kind: RecordKind, id: string): PayResultAsync<readonly Versioned<T>[]> {
    return this.#run('history', 'SELECT version, value FROM paykit_record_versions WHERE kind = $1 AND id = $2 ORDER BY version', [kind, id])
      .map((rows) => rows.map((r) => versioned<T>(r)));
  }

  /** Closes the database. */
  close(): PayResultAsync<void> {
    return ResultAsync.fromPromise(this.#db.close(), (e) => databaseError('close', e, this.dialect));
  }

  #run(operation: string, text: string, params: readonly unknown[]): PayResultAsync<readonly Row[]> {
    return ResultAsync.fromPromise(this.#db.query(text, params), (e) => databaseError(operation, e, this.dialect));
  }
}

function versioned<T>(row: Row): Versioned<T> {
  return { version: Number(row.version), value: reviveDates(row.value) as T };
}

/**
 * Maps a driver error to a PaymentError. Only the SQLSTATE and the server's message are kept:
 * connection strings, parameters and queries never reach the message.
 */
export function databaseError(operation: string, e: unknown, dialect: string): PaymentError {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (code === '40001' || code === '40P01') return PaymentErrors.conflict(`store.${operation}: ${message}: read it again and retry`, { retryable: true });
  if (code === undefined || code.startsWith('08') || code === '57P01' || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|terminat/i.test(message)) {
    // A commit whose answer was lost may have landed: re-reading tells (its version checks make a
    // blind second commit fail rather than apply twice). A read can simply be retried.
    const sent = operation === 'commit';
    return PaymentErrors.network(`store.${operation}: the ${dialect} database is unreachable (${code ?? firstLine(message)})${sent ? '; the commit may have landed: read the records again before deciding' : '; retry'}`, sent);
  }
  return PaymentErrors.internal(`store.${operation}: the ${dialect} database refused the statement (SQLSTATE ${code}: ${firstLine(message)})`);
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 200);
}
