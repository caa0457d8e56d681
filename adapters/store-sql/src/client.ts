import type { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from './pglite-statements.js';

/** A row as a driver returns it. */
export type Row = Readonly<Record<string, unknown>>;

/** Runs one statement: a script of several when `params` is absent and the driver allows it. */
export type SqlQuery = (text: string, params?: readonly unknown[]) => Promise<readonly Row[]>;

/**
 * What the store needs from a database: one parameterised statement at a time, and a way to close.
 * PGlite (embedded) and `pg` (PostgreSQL server) both fit; the SQL is the same.
 */
export interface SqlClient {
  /** Runs one statement with `$1…` parameters. */
  query(text: string, params?: readonly unknown[]): Promise<readonly Row[]>;
  /**
   * Runs a statement the store sends on every notification. On PGlite it is the named prepared
   * statement `name`, parsed and planned once, then only bound and executed; on PostgreSQL it is
   * sent like {@link SqlClient.query}.
   */
  prepared(name: string, text: string, params: readonly unknown[]): Promise<readonly Row[]>;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it rejects. */
  transaction<T>(work: (tx: SqlQuery) => Promise<T>): Promise<T>;
  /**
   * Runs statements in order in one transaction and gives the rows of the last. Optional: where it
   * exists it takes fewer round trips than `transaction` (PGlite on its worker thread: one, which
   * needs nothing of the calling thread between its statements; PostgreSQL: the statements without
   * parameters go with BEGIN); without it the store uses `transaction`.
   */
  script?(steps: readonly SqlStep[]): Promise<readonly Row[]>;
  /** Releases the database. */
  close(): Promise<void>;
  /** `pglite` or `postgres`: for messages, and the shape of a page query (see `SqlStore.listPage`). */
  readonly dialect: 'pglite' | 'postgres';
}

/** One statement of {@link SqlClient.script}. */
export interface SqlStep {
  /** The statement, with `$1…` parameters. */
  readonly text: string;
  /** Its parameters. */
  readonly params?: readonly unknown[];
}

/** {@link SqlClient.script} by way of `client.transaction`: the statements in order, the rows of the last. */
export async function runScript(client: Pick<SqlClient, 'transaction'>, steps: readonly SqlStep[]): Promise<readonly Row[]> {
  return client.transaction(async (query) => {
    let rows: readonly Row[] = [];
    for (const step of steps) rows = await query(step.text, step.params);
    return rows;
  });
}

/** The statements of a PGlite transaction the store uses (a PGlite `Transaction` fits). */
export interface PGliteTransactionLike {
  /** Runs one statement with `$1…` parameters. */
  query<T>(text: string, params?: unknown[]): Promise<{ readonly rows: T[] }>;
  /** Runs a script of statements. */
  exec(text: string): Promise<readonly { readonly rows: readonly unknown[] }[]>;
}

/**
 * A PGlite database (`await PGlite.create(dataDir)` from `@electric-sql/pglite`) as `pgliteClient`
 * takes it. Declared here by the calls the store makes rather than imported: PGlite's own
 * declarations need the DOM and Emscripten type libraries, which a Node project need not have.
 */
export interface PGliteLike {
  /** Runs one statement with `$1…` parameters. */
  query<T>(text: string, params?: unknown[]): Promise<{ readonly rows: T[] }>;
  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** Whether a database is PGlite itself, whose protocol calls run the store's prepared statements. */
function isPglite(db: PGliteLike): db is PGliteLike & PGlite {
  const d = db as Partial<Record<'execProtocol' | '_runExclusiveQuery' | '_runExclusiveTransaction', unknown>>;
  return typeof d.execProtocol === 'function' && typeof d._runExclusiveQuery === 'function' && typeof d._runExclusiveTransaction === 'function';
}

/** Wraps a PGlite database. */
export function pgliteClient(db: PGliteLike): SqlClient {
  const query = async (text: string, params?: readonly unknown[]): Promise<readonly Row[]> => (await db.query<Row>(text, params ? [...params] : undefined)).rows;
  // Named prepared statements need PGlite's protocol calls; anything else gets plain queries.
  const statements = isPglite(db) ? new PgliteStatements(db) : undefined;
  return {
    dialect: 'pglite',
    query,
    prepared: (name, text, params) => (statements ? statements.run(name, text, params) : query(text, params)),
    transaction: (work) => db.transaction((tx) => work(async (text, params) => (params
      ? (await tx.query<Row>(text, [...params])).rows
      : (await tx.exec(text)).flatMap((r) => r.rows as Row[])))),
    close: () => db.close(),
  };
}

/** The part of a `pg` pool connection the store uses (a `pg` `PoolClient` fits). */
export interface PgConnection {
  /** Runs one statement with `$1…` parameters. */
  query(text: string, values?: unknown[]): Promise<{ readonly rows: readonly unknown[] }>;
  /** Gives the connection back to its pool; with an error, the pool closes it instead of reusing it. */
  release(error?: Error): void;
}

/**
 * The part of a `pg` `Pool` the store uses. A `pg.Pool` fits; declaring only these calls keeps the
 * store's public types free of `@types/pg`, which merchants need not install.
 */
export interface PgPool {
  /** Runs one statement on any connection of the pool. */
  query(text: string, values?: unknown[]): Promise<{ readonly rows: readonly unknown[] }>;
  /** Takes a connection for a transaction. */
  connect(): Promise<PgConnection>;
  /** Closes every connection. */
  end(): Promise<void>;
}

/** Wraps a `pg` connection pool. */
export function pgPoolClient(pool: PgPool): SqlClient {
  /** The rows of one statement, on the pool (any connection) or on one connection. */
  const rowsOf = async (on: Pick<PgConnection, 'query'>, text: string, params?: readonly unknown[]): Promise<readonly Row[]> => (await on.query(text, params ? [...params] : undefined)).rows as Row[];
  const query = (text: string, params?: readonly unknown[]): Promise<readonly Row[]> => rowsOf(pool, text, params);
  /** Runs `work` on one connection between `begin` (BEGIN and what goes with it) and COMMIT, or ROLLBACK if it rejects. */
  const inTransaction = async <T>(begin: string, work: (conn: PgConnection) => Promise<T>): Promise<T> => {
    const conn = await pool.connect();
    // A connection whose ROLLBACK failed may still be inside the failed transaction (or dead): it
    // goes back as broken, so the pool closes it rather than hand it to the next operation.
    let broken: Error | undefined;
    try {
      await conn.query(begin);
      const out = await work(conn);
      await conn.query('COMMIT');
      return out;
    } catch (e) {
      await conn.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error('ROLLBACK failed');
      });
      throw e;
    } finally {
      conn.release(broken);
    }
  };
  return {
    dialect: 'postgres',
    query,
    // Sent unnamed: PostgreSQL plans these statements in microseconds, and as named statements
    // the ingest bench measured a third slower (0.45 against 0.66–0.72).
    prepared: (_name, text, params) => query(text, params),
    transaction: (work) => inTransaction('BEGIN', (conn) => work((text, params) => rowsOf(conn, text, params))),
    // The statements without parameters before the first with them (not the last) go with BEGIN as
    // one simple query: a page of a walk (BEGIN, two planner settings, the query, COMMIT) is three
    // round trips instead of five.
    script: (steps) => {
      let lead = 0;
      while (lead < steps.length - 1 && steps[lead]?.params === undefined) lead += 1;
      return inTransaction(['BEGIN', ...steps.slice(0, lead).map((step) => step.text)].join(';\n'), async (conn) => {
        let rows: readonly Row[] = [];
        for (const step of steps.slice(lead)) rows = await rowsOf(conn, step.text, step.params);
        return rows;
      });
    },
    close: () => pool.end(),
  };
}
