import { err, errAsync, ok, okAsync, Result, ResultAsync } from 'neverthrow';
import {
  LEDGER_FIELD_COUNT, ledgerFieldsOf, PaymentErrors, statusOf, type ChangeSet, type LedgerFields, type LedgerKind, type LedgerRow, type CommitOutcome, type ListFilter, type NotificationRecord,
  type EventQuery, type IdentifiedRecord, type NotificationEntry, type PageQuery, type PaykitEvent, type PaymentError, type PayResult, type PayResultAsync, type RecordKind, type RecordVersion, type RecordWrite, type Store, type StoreHealth, type Versioned,
} from '@paykit/core';
import { Batcher } from './batcher.js';
import { BYTE_ORDER_DATABASE, MIGRATIONS, OPEN_PREDICATE, OPEN_STATUSES } from './migrations.js';
import { runScript, type Row, type SqlClient } from './client.js';
import { RecordSealer, SEALED_KINDS } from './sealing.js';
import { reviveDates, toJson } from './values.js';

/** A durable {@link Store} that can be closed. */
export interface DurableStore extends Store {
  /** `pglite` or `postgres`. */
  readonly dialect: SqlClient['dialect'];
  /** Closes the database (the store is unusable afterwards). */
  close(): PayResultAsync<void>;
}

/** Pages a store reads ahead at most (one per walk in progress; the oldest is dropped). */
const MAX_PAGES_AHEAD = 8;

/** A page of records as the database sends it (see `SqlStore.listPage`): one JSON text of them all, or a row each. */
interface PageText {
  readonly count: number;
  readonly last: string | null;
  readonly json: string | null;
  readonly rows?: readonly Row[];
}

/** What a page holds of each record: its value (`listPage`), or its ledger fields (`listLedgerPage`). */
type PageShape = 'records' | 'ledger';

/** The identity of a page query, for pages read ahead. */
function pageKey(kind: RecordKind, q: PageQuery, shape: PageShape): string {
  return JSON.stringify([shape, kind, q.after ?? '', q.limit, q.statuses ?? null]);
}

/**
 * The store on SQL: PGlite embedded or a PostgreSQL server, same schema and statements (see
 * `MIGRATIONS`). Every write is one call of `paykit_commit`, so it is atomic on its own and safe
 * with any number of processes sharing a PostgreSQL database.
 */
export class SqlStore implements DurableStore {
  readonly #db: SqlClient;
  readonly #reads: Batcher<readonly [RecordKind, string], Row | undefined>;
  readonly #commits: Batcher<PreparedSet, string>;
  readonly #sealer: RecordSealer | undefined;
  /** `pglite` or `postgres`. */
  readonly dialect: SqlClient['dialect'];

  /**
   * Wraps a migrated database (use `openStore`, which migrates).
   * @param db the database
   * @param concurrency statements sent at once (PGlite runs one at a time; a pool, up to its size)
   * @param sealer seals the {@link SEALED_KINDS} at rest; without one they cannot be written
   */
  constructor(db: SqlClient, concurrency = 1, sealer?: RecordSealer) {
    this.#db = db;
    this.#sealer = sealer;
    this.dialect = db.dialect;
    // Reads and commits that arrive while the database is busy go together in the next statement.
    this.#reads = new Batcher((keys) => this.#readMany(keys), concurrency);
    this.#commits = new Batcher((sets) => this.#commitMany(sets), concurrency);
  }

  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    return ResultAsync.fromPromise(this.#reads.submit([kind, id]), (e) => databaseError('get', e, this.dialect))
      .andThen((row) => (row ? this.#versioned<T>(kind, id, row) : ok(undefined)));
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
    const statuses = filter?.statuses;
    const onlyOpen = statuses !== undefined && statuses.every((s) => OPEN_STATUSES.includes(s));
    const query = statuses === undefined
      ? this.#run('list', 'SELECT id, version, value FROM paykit_records WHERE kind = $1 ORDER BY updated_at', [kind])
      : this.#run('list', `SELECT id, version, value FROM paykit_records WHERE kind = $1 AND status = ANY($2::text[])${onlyOpen ? ` AND ${OPEN_PREDICATE}` : ''} ORDER BY updated_at`, [kind, [...statuses]]);
    // The status column is the record's `status` field, so the SQL filter is the whole filter.
    return query.andThen((rows) => Result.combine(rows.map((r) => this.#versioned<T>(kind, String(r.id), r))));
  }

  /**
   * A page of records in id order (the "C" collation: UTF-8 byte order), after `query.after`. The
   * database sends the page as one JSON text (a row per page, not per record), parsed here with
   * one `JSON.parse`. With `readAhead`, a full page starts the query of the next one as soon as it
   * arrives, before it is parsed, so the database reads page k+1 while the caller uses page k.
   */
  listPage<T>(kind: RecordKind, query: PageQuery): PayResultAsync<readonly IdentifiedRecord<T>[]> {
    return this.#pageOf(kind, query, 'records').andThen((found) => {
      const out: IdentifiedRecord<T>[] = [];
      const add = (id: string, version: unknown, value: unknown): PayResult<void> => {
        const record = this.#versioned<T>(kind, id, { version, value });
        if (record.isErr()) return err(record.error);
        out.push({ version: record.value.version, value: record.value.value, id });
        return ok(undefined);
      };
      if (found.rows !== undefined) {
        for (const r of found.rows) {
          const id = String(r.id);
          const value = parseJson(String(r.value), `${kind} ${id}`);
          const added = value.andThen((v) => add(id, r.version, v));
          if (added.isErr()) return err(added.error);
        }
        return ok(out);
      }
      if (found.json === null) return ok([]);
      const rows = parseJson(found.json, `a page of ${kind} records`);
      if (rows.isErr()) return err(rows.error);
      for (const [id, version, value] of rows.value as [string, number, unknown][]) {
        const added = add(id, version, value);
        if (added.isErr()) return err(added.error);
      }
      return ok(out);
    });
  }

  /**
   * The page {@link listPage} would give, each record as its ledger fields: the column `ledger`
   * the database computes on every write (migration 6), short JSON arrays instead of whole values.
   * A record without them (a sealed payout, a value the database could not read) is read whole and
   * its fields taken by `ledgerFieldsOf`, so the page is the same either way.
   */
  listLedgerPage(kind: LedgerKind, query: PageQuery): PayResultAsync<readonly LedgerRow[]> {
    return this.#pageOf(kind, query, 'ledger').andThen((found) => {
      const out: LedgerRow[] = [];
      // No Result per record on the way (a million records are a million calls): one at the end.
      const fromValue = (id: string, version: unknown, value: unknown): PaymentError | undefined => {
        const record = this.#versioned(kind, id, { version, value });
        if (record.isErr()) return record.error;
        out.push({ id, version: record.value.version, fields: ledgerFieldsOf(kind, record.value.value) });
        return undefined;
      };
      const fromFields = (id: string, version: unknown, fields: unknown): PaymentError | undefined => {
        if (!Array.isArray(fields) || fields.length !== LEDGER_FIELD_COUNT) {
          return PaymentErrors.internal(`${kind} ${id}: its ledger fields in the database are not ${LEDGER_FIELD_COUNT} values: run the store's migrations`);
        }
        out.push({ id, version: Number(version), fields: fields as unknown as LedgerFields });
        return undefined;
      };
      if (found.rows !== undefined) {
        for (const r of found.rows) {
          const id = String(r.id);
          const parsed = parseJson(String(r.ledger ?? r.value), `${kind} ${id}`);
          if (parsed.isErr()) return err(parsed.error);
          const failed = r.ledger === null ? fromValue(id, r.version, parsed.value) : fromFields(id, r.version, parsed.value);
          if (failed !== undefined) return err(failed);
        }
        return ok(out);
      }
      if (found.json === null) return ok([]);
      const rows = parseJson(found.json, `a page of ${kind} records`);
      if (rows.isErr()) return err(rows.error);
      for (const [id, version, fields, value] of rows.value as [string, number, unknown, unknown][]) {
        const failed = fields === null ? fromValue(id, version, value) : fromFields(id, version, fields);
        if (failed !== undefined) return err(failed);
      }
      return ok(out);
    });
  }

  /** A page as the database sends it, read ahead when asked (see {@link listPage}). */
  #pageOf(kind: RecordKind, query: PageQuery, shape: PageShape): PayResultAsync<PageText> {
    const key = pageKey(kind, query, shape);
    const ahead = this.#pagesAhead.get(key);
    this.#pagesAhead.delete(key);
    const page = (ahead ?? this.#page(kind, query, shape)).then((found) => {
      if (query.readAhead === true && found.last !== null && found.count >= query.limit) this.#readAhead(kind, { ...query, after: found.last }, shape);
      return found;
    });
    return ResultAsync.fromPromise(page, (e) => databaseError(shape === 'records' ? 'listPage' : 'listLedgerPage', e, this.dialect));
  }

  /** Pages read ahead of a walk, by {@link pageKey}: a few at most (one per walk in progress), dropped by every commit. */
  readonly #pagesAhead = new Map<string, Promise<PageText>>();

  #readAhead(kind: RecordKind, query: PageQuery, shape: PageShape): void {
    const page = this.#page(kind, query, shape);
    // A page nobody asks for (the walk stopped) must not become an unhandled rejection.
    page.catch(() => undefined);
    this.#pagesAhead.set(pageKey(kind, query, shape), page);
    if (this.#pagesAhead.size > MAX_PAGES_AHEAD) this.#pagesAhead.delete(this.#pagesAhead.keys().next().value as string);
  }

  /**
   * One page as the database sends it: how many records, the last id, and `[id, version, value]` of
   * each as JSON text; or, for the `ledger` shape, `[id, version, ledger, value]` with the value
   * only where the ledger fields are missing.
   */
  #page(kind: RecordKind, query: PageQuery, shape: PageShape): Promise<PageText> {
    const params: unknown[] = [kind, query.after ?? '', query.limit];
    const statuses = query.statuses === undefined ? '' : ' AND status = ANY($4::text[])';
    if (query.statuses !== undefined) params.push([...query.statuses]);
    this.#byteOrderCache ??= this.#db.query(`SELECT ${BYTE_ORDER_DATABASE} AS bytes`, []).then((r) => r[0]?.bytes === true);
    const byteOrder = this.#byteOrderCache;
    return byteOrder.then((bytes) => {
      // On a database whose collation is already byte order (libc C, POSIX: PGlite's) the primary key
      // walks ids in that order, and `COLLATE "C"` would hide it from the planner (a sort of the
      // whole kind per page); elsewhere the expression index of migration 4 serves `COLLATE "C"`.
      const id = bytes ? 'id' : 'id COLLATE "C"';
      const page = (value: string): string => `SELECT id, version, ${value} FROM paykit_records WHERE kind = $1 AND ${id} > $2${statuses} ORDER BY ${id} LIMIT $3`;
      // PGlite: one row per page, so its worker posts one string instead of a structured clone of
      // every record it parsed; the aggregate orders by the subquery's own order, which the planner
      // then does not sort again. PostgreSQL: a row per record, each value as text, parsed here:
      // the driver decodes rows as they arrive while the server still sends, where a page
      // aggregated on the server arrives only once built (a walk of 200 000 records measured 0.5 s
      // against 0.7 s).
      const perRow = this.dialect === 'postgres';
      const ledger = shape === 'ledger';
      const text = perRow
        ? page(ledger ? 'ledger, CASE WHEN ledger IS NULL THEN value::text END AS value' : 'value::text AS value')
        : `SELECT count(*)::int AS count, max(p.${id}) AS last,
        json_agg(json_build_array(p.id, p.version, ${ledger ? 'p.ledger::json, CASE WHEN p.ledger IS NULL THEN p.value END' : 'p.value'}) ORDER BY p.${id})::text AS json
        FROM (${page(ledger ? 'ledger, value' : 'value')}) p`;
      // Index order, whatever the statistics say: on a table never analysed (PGlite has no
      // autovacuum; a bulk load) the planner picks a bitmap scan and sorts every page, which makes
      // a walk of a million records quadratic.
      const steps = [{ text: 'SET LOCAL enable_bitmapscan = off' }, { text: 'SET LOCAL enable_seqscan = off' }, { text, params }];
      return (this.#db.script?.(steps) ?? runScript(this.#db, steps)).then((r): PageText => {
        if (perRow) return { count: r.length, last: r.length === 0 ? null : String(r[r.length - 1]?.id), json: null, rows: r };
        const row = r[0];
        return { count: Number(row?.count ?? 0), last: row?.last === null || row?.last === undefined ? null : String(row.last), json: typeof row?.json === 'string' ? row.json : null };
      });
    }, (e: unknown) => {
      if (this.#byteOrderCache === byteOrder) this.#byteOrderCache = undefined;
      throw e;
    });
  }

  #byteOrderCache: Promise<boolean> | undefined;

  /** Records a notification once. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord> {
    return this.commit({ writes: [], notification: { providerId, eventKey, payload } }).map((o) => (o === 'committed' ? 'new' : 'duplicate'));
  }

  /** Applies a change set atomically (group-committed with the others of the same moment). */
  commit(changes: ChangeSet): PayResultAsync<CommitOutcome> {
    let prepared: PreparedSet;
    try {
      const writes = [];
      for (const w of changes.writes) {
        const json = this.#serialise(w);
        if (json.isErr()) return errAsync(json.error);
        const cause = changes.cause === undefined && w.correction !== true ? null
          : JSON.stringify({ ...(changes.cause ?? { source: 'local' }), ...(w.correction === true ? { correction: true } : {}) });
        writes.push({ ...w, status: statusOf(w.value), json: json.value, cause });
      }
      const events = (changes.events ?? []).map((e) => ({ type: e.type, kind: e.record.kind, record: e.record.id, json: toJson(e) }));
      prepared = { writes, events, ...(changes.notification ? { notification: changes.notification } : {}) };
    } catch {
      return errAsync(PaymentErrors.invalidRequest('a record holds a value that cannot be stored (an invalid Date, a BigInt or a cycle)'));
    }
    // Pages read ahead before this commit could miss its writes: a caller reads its own writes.
    const submitted = this.#commits.submit(prepared).finally(() => this.#pagesAhead.clear());
    return ResultAsync.fromPromise(submitted, (e) => databaseError('commit', e, this.dialect)).andThen((outcome) => {
      if (outcome === 'committed' || outcome === 'duplicate') return okAsync<CommitOutcome, PaymentError>(outcome);
      if (outcome === 'conflict') return errAsync(PaymentErrors.conflict('store.commit: a record changed concurrently: read it again and retry', { retryable: true }));
      return errAsync(PaymentErrors.internal(`store.commit: the ${this.dialect} database refused the change set (${firstLine(outcome.replace(/^error:/, 'SQLSTATE '))})`));
    });
  }

  // A sealed kind is written sealed, or not at all: its status stays readable for scans.
  #serialise(w: RecordWrite): PayResult<string> {
    const json = toJson(w.value);
    if (!SEALED_KINDS.has(w.kind)) return ok(json);
    if (!this.#sealer) {
      return err(PaymentErrors.invalidConfig(`a ${w.kind} record holds an account number, which a durable store keeps only encrypted: set store.recordKey (base64 of 32 random bytes, e.g. "env:PAYKIT_RECORD_KEY")`, { path: 'store.recordKey' }));
    }
    return ok(this.#sealer.seal(w.kind, w.id, json));
  }

  #versioned<T>(kind: RecordKind, id: string, row: Row): PayResult<Versioned<T>> {
    const version = Number(row.version);
    const sealed = (row.value as { $sealed?: unknown } | null)?.$sealed;
    if (typeof sealed !== 'string') return ok({ version, value: reviveDates(row.value) as T });
    if (!this.#sealer) return err(PaymentErrors.invalidConfig(`${kind} ${id} is sealed: set store.recordKey to the key it was written with`, { path: 'store.recordKey' }));
    return this.#sealer.open(kind, id, sealed).andThen((json) => parseJson(json, `${kind} ${id}`)).map((value) => ({ version, value: reviveDates(value) as T }));
  }

  async #readMany(keys: readonly (readonly [RecordKind, string])[]): Promise<readonly (Row | undefined)[]> {
    // One indexed lookup per kind in the batch (usually one): `id = ANY(...)` walks the primary key.
    const kinds = [...new Set(keys.map((k) => k[0]))];
    const found = new Map<string, Row>();
    for (const kind of kinds) {
      const ids = keys.filter((k) => k[0] === kind).map((k) => k[1]);
      const rows = await this.#db.prepared('paykit_read_records', 'SELECT id, version, value FROM paykit_records WHERE kind = $1 AND id = ANY($2::text[])', [kind, ids]);
      for (const r of rows) found.set(`${kind}\u0000${String(r.id)}`, r);
    }
    // A record asked for twice in one batch is copied for the second caller: dates are revived in place.
    const given = new Set<Row>();
    return keys.map(([kind, id]) => {
      const r = found.get(`${kind}\u0000${id}`);
      if (!r) return undefined;
      if (!given.has(r)) {
        given.add(r);
        return r;
      }
      return { version: r.version, value: structuredClone(r.value) };
    });
  }

  // Change sets travel as parallel arrays (see paykit_commit_sets): nothing for the database to
  // parse beyond the record values themselves.
  async #commitMany(sets: readonly PreparedSet[]): Promise<readonly string[]> {
    const first: number[] = [];
    const owner: number[] = [];
    const kind: string[] = [];
    const id: string[] = [];
    const expected: number[] = [];
    const status: (string | null)[] = [];
    const value: string[] = [];
    const cause: (string | null)[] = [];
    const provider: (string | null)[] = [];
    const key: (string | null)[] = [];
    const payload: (string | null)[] = [];
    const eSet: number[] = [];
    const eType: string[] = [];
    const eKind: string[] = [];
    const eRecord: string[] = [];
    const ePayload: string[] = [];
    for (const [n, set] of sets.entries()) {
      for (const e of set.events) {
        eSet.push(n + 1);
        eType.push(e.type);
        eKind.push(e.kind);
        eRecord.push(e.record);
        ePayload.push(e.json);
      }
      first.push(kind.length + 1);
      for (const w of set.writes) {
        owner.push(n + 1);
        kind.push(w.kind);
        id.push(w.id);
        expected.push(w.expectedVersion);
        status.push(w.status);
        value.push(w.json);
        cause.push(w.cause);
      }
      provider.push(set.notification?.providerId ?? null);
      key.push(set.notification?.eventKey ?? null);
      payload.push(set.notification?.payload ?? null);
    }
    first.push(kind.length + 1);
    const rows = await this.#db.prepared(
      'paykit_commit_sets',
      'SELECT paykit_commit_sets($1, $2::int[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[]) AS outcomes',
      [sets.length, first, owner, kind, id, expected, status, value, cause, provider, key, payload, eSet, eType, eKind, eRecord, ePayload],
    );
    return rows[0]?.outcomes as string[];
  }

  /** Every version of a record, oldest first. */
  history(kind: RecordKind, id: string): PayResultAsync<readonly RecordVersion[]> {
    return this.#run('history', 'SELECT version, status, event_key, cause FROM paykit_record_versions WHERE kind = $1 AND id = $2 ORDER BY version', [kind, id])
      .map((rows) => rows.map((r) => ({
        version: Number(r.version), status: (r.status as string | null) ?? null, eventKey: (r.event_key as string | null) ?? null,
        ...(r.cause !== null && r.cause !== undefined ? { cause: (typeof r.cause === 'string' ? JSON.parse(r.cause) : r.cause) as RecordVersion['cause'] } : {}),
      })));
  }

  /** Outbox events in id order. */
  listEvents(query: EventQuery = {}): PayResultAsync<readonly PaykitEvent[]> {
    const after = query.after ?? 0;
    const limit = query.limit ?? 100;
    const rows = query.types === undefined
      ? this.#run('listEvents', 'SELECT id, payload FROM paykit_events WHERE id > $1 ORDER BY id LIMIT $2', [after, limit])
      : this.#run('listEvents', 'SELECT id, payload FROM paykit_events WHERE id > $1 AND type = ANY($2::text[]) ORDER BY id LIMIT $3', [after, [...query.types], limit]);
    return rows.map((rs) => rs.map((r) => ({ ...(reviveDates(typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Omit<PaykitEvent, 'id'>), id: Number(r.id) })));
  }

  /** Removes events up to `maxId` committed before `before`. */
  pruneEvents(maxId: number, before: Date): PayResultAsync<number> {
    return this.#run('pruneEvents', 'WITH gone AS (DELETE FROM paykit_events WHERE id <= $1 AND created_at < $2 RETURNING 1) SELECT count(*) AS n FROM gone', [maxId, before.toISOString()])
      .map((rows) => Number(rows[0]?.n ?? 0));
  }

  /** Removes a provider's notification-ledger entries received before `before`. */
  pruneNotifications(providerId: string, before: Date): PayResultAsync<number> {
    return this.#run('pruneNotifications', 'WITH gone AS (DELETE FROM paykit_notifications WHERE provider_id = $1 AND received_at < $2 RETURNING 1) SELECT count(*) AS n FROM gone', [providerId, before.toISOString()])
      .map((rows) => Number(rows[0]?.n ?? 0));
  }

  /** Closes the database. */
  close(): PayResultAsync<void> {
    this.#pagesAhead.clear();
    return ResultAsync.fromPromise(this.#db.close(), (e) => databaseError('close', e, this.dialect));
  }

  /**
   * For `paykit.health()`: one statement that reaches the database and reads which schema
   * migrations it has applied, beside those this package expects (`MIGRATIONS`).
   */
  health(): PayResultAsync<StoreHealth> {
    return this.#run('health', 'SELECT version FROM paykit_schema_migrations ORDER BY version', [])
      .map((rows) => ({ migrations: { applied: rows.map((r) => Number(r.version)), expected: MIGRATIONS.map((m) => m.version) } }));
  }

  #run(operation: string, text: string, params: readonly unknown[]): PayResultAsync<readonly Row[]> {
    return ResultAsync.fromPromise(this.#db.query(text, params), (e) => databaseError(operation, e, this.dialect));
  }
}

function parseJson(json: string, what: string): PayResult<unknown> {
  try {
    return ok(JSON.parse(json) as unknown);
  } catch {
    return err(PaymentErrors.internal(`${what}: its stored value is not JSON`));
  }
}

/** A change set ready for the database: values serialised, statuses lifted out. */
interface PreparedSet {
  readonly writes: readonly (RecordWrite & { readonly status: string | null; readonly json: string; readonly cause: string | null })[];
  readonly notification?: NotificationEntry;
  readonly events: readonly { readonly type: string; readonly kind: string; readonly record: string; readonly json: string }[];
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
