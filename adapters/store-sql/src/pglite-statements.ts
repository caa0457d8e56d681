import type { PGlite } from '@electric-sql/pglite';
import type { Row } from './client.js';

interface Prepared {
  readonly text: string;
  /** The parameter types the server inferred, to serialise values as PGlite's own `query` does. */
  readonly paramTypes: readonly number[];
}

interface Message {
  readonly name: string;
}
interface ParameterDescription extends Message {
  readonly dataTypeIDs: readonly number[];
}
interface RowDescription extends Message {
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
}
interface DataRow extends Message {
  readonly fields: readonly (string | null)[];
}

// Loaded on first use, as open.ts loads PGlite itself: a PostgreSQL deployment never loads it.
type PgliteModule = typeof import('@electric-sql/pglite');
let pgliteModule: PgliteModule | undefined;
async function loadPglite(): Promise<PgliteModule> {
  pgliteModule ??= await import('@electric-sql/pglite');
  return pgliteModule;
}

const PREPARED = new WeakMap<PGlite, Map<string, Prepared>>();

/**
 * Named prepared statements on PGlite. `db.query` parses, describes and plans its statement on
 * every call, in six round trips into the WebAssembly backend, and planning there is slow: a
 * batch read cost more to plan than to run. A statement run here is parsed once, then each
 * call is a single bind–execute–sync message, with rows parsed by PGlite's own type parsers.
 *
 * Every call holds PGlite's transaction and query locks, as `db.query` does, so it never runs
 * inside someone else's open transaction.
 */
export class PgliteStatements {
  readonly #db: PGlite;
  readonly #prepared: Map<string, Prepared>;

  /** @param db the database the statements are prepared on */
  constructor(db: PGlite) {
    this.#db = db;
    // Statements live in the database session: every wrapper of the same PGlite shares them.
    let prepared = PREPARED.get(db);
    if (!prepared) {
      prepared = new Map();
      PREPARED.set(db, prepared);
    }
    this.#prepared = prepared;
  }

  /**
   * Runs statement `name` (prepared from `text` on first use) with `params`; rejects with
   * PGlite's `DatabaseError` (SQLSTATE in `code`) when the statement fails.
   */
  run(name: string, text: string, params: readonly unknown[]): Promise<readonly Row[]> {
    return this.#db._runExclusiveTransaction(() => this.#db._runExclusiveQuery(async () => {
      const { protocol, types } = pgliteModule ?? await loadPglite();
      const statement = this.#prepared.get(name) ?? await this.#prepare(protocol, name, text);
      if (statement.text !== text) throw new Error(`prepared statement ${name} was prepared for another text`);
      const serializers = this.#db.serializers;
      const values = params.map((p, i) => {
        if (p === null || p === undefined) return null;
        const serialise = serializers[statement.paramTypes[i] ?? 0];
        return serialise ? serialise(p) : String(p);
      });
      const { messages } = await this.#db.execProtocol(Buffer.concat([
        protocol.serialize.bind({ statement: name, values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]));
      return this.#rows(messages as readonly Message[], types.parseType);
    }));
  }

  async #prepare(protocol: PgliteModule['protocol'], name: string, text: string): Promise<Prepared> {
    const { messages } = await this.#db.execProtocol(Buffer.concat([
      protocol.serialize.parse({ name, text }),
      protocol.serialize.describe({ type: 'S', name }),
      protocol.serialize.sync(),
    ]));
    const description = (messages as readonly Message[]).find((m): m is ParameterDescription => m.name === 'parameterDescription');
    const prepared = { text, paramTypes: description?.dataTypeIDs ?? [] };
    this.#prepared.set(name, prepared);
    return prepared;
  }

  #rows(messages: readonly Message[], parseType: PgliteModule['types']['parseType']): Row[] {
    const parsers = this.#db.parsers;
    let fields: RowDescription['fields'] = [];
    const rows: Row[] = [];
    for (const m of messages) {
      if (m.name === 'rowDescription') fields = (m as RowDescription).fields;
      else if (m.name === 'dataRow') {
        const row: Record<string, unknown> = {};
        (m as DataRow).fields.forEach((value, i) => {
          const field = fields[i];
          if (field) row[field.name] = parseType(value, field.dataTypeID, parsers);
        });
        rows.push(row);
      }
    }
    return rows;
  }
}
