import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteClient, pgPoolClient, type SqlClient } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

const ROWS_SQL = `SELECT v.id, v.n, v.doc, v.tags, v.missing
  FROM (VALUES ('a', 1, '{"x":[1,"y"]}'::json, ARRAY['p','q"r']::text[], NULL::text),
               ('b', 2, '{"z":null}'::json, ARRAY[]::text[], NULL::text)) AS v(id, n, doc, tags, missing)
 WHERE v.n >= $1 AND v.id = ANY($2::text[]) ORDER BY v.id`;

async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  throw new Error('expected the statement to fail');
}

function behavesLikeQuery(open: () => Promise<{ client: SqlClient; close: () => Promise<void> }>): void {
  let client: SqlClient;
  let close: () => Promise<void>;
  beforeEach(async () => ({ client, close } = await open()));
  afterEach(async () => close());

  it('returns the rows query returns, values parsed the same way', async () => {
    const params = [1, ['a', 'b']];
    const expected = await client.query(ROWS_SQL, params);
    expect(expected).to.have.length(2); // the comparison below means something
    expect(await client.prepared('t_rows', ROWS_SQL, params)).to.deep.equal(expected);
    // Again, now that the statement is prepared, with other parameters.
    expect(await client.prepared('t_rows', ROWS_SQL, [2, ['a', 'b']])).to.deep.equal(await client.query(ROWS_SQL, [2, ['a', 'b']]));
  });

  it('rejects with the SQLSTATE of a failing execution, and the statement still runs afterwards', async () => {
    const text = 'SELECT 10 / $1::int AS q';
    expect(await sqlState(client.prepared('t_div', text, [0]))).to.equal('22012');
    expect(await client.prepared('t_div', text, [5])).to.deep.equal([{ q: 2 }]);
  });

  it('rejects a statement that does not parse, and does not remember it', async () => {
    expect(await sqlState(client.prepared('t_bad', 'SELEC 1', []))).to.equal('42601');
    expect(await client.prepared('t_bad', 'SELECT 1 AS one', [])).to.deep.equal([{ one: 1 }]);
  });
}

describe('prepared statements', function () {
  this.timeout(60_000);

  context('on PGlite', () => {
    behavesLikeQuery(async () => {
      const db = await PGlite.create();
      return { client: pgliteClient(db), close: () => db.close() };
    });

    it('never runs inside another caller\'s open transaction', async () => {
      const db = await PGlite.create();
      try {
        const client = pgliteClient(db);
        await client.query('CREATE TABLE t (n int)');
        const order: string[] = [];
        let release = (): void => undefined;
        const held = new Promise<void>((r) => (release = r));
        const tx = client.transaction(async (q) => {
          await q('INSERT INTO t VALUES (1)', []);
          await held; // the transaction stays open while the prepared statement is sent
          await q('INSERT INTO t VALUES (2)', []);
          order.push('transaction');
        });
        await new Promise((r) => setTimeout(r, 10));
        const count = client.prepared('t_count', 'SELECT count(*)::int AS n FROM t', []).then((rows) => {
          order.push('prepared');
          return rows;
        });
        await new Promise((r) => setTimeout(r, 10));
        release();
        await tx;
        // It waited for the commit and saw both rows, never the first alone.
        expect(await count).to.deep.equal([{ n: 2 }]);
        expect(order).to.deep.equal(['transaction', 'prepared']);
      } finally {
        await db.close();
      }
    });

    it('shares statements between clients of the same database', async () => {
      const db = await PGlite.create();
      try {
        expect(await pgliteClient(db).prepared('t_one', 'SELECT 1 AS one', [])).to.deep.equal([{ one: 1 }]);
        expect(await pgliteClient(db).prepared('t_one', 'SELECT 1 AS one', [])).to.deep.equal([{ one: 1 }]);
      } finally {
        await db.close();
      }
    });
  });

  context('on PostgreSQL', function () {
    before(function () {
      skipWithoutPostgres(this, 'prepared statements');
    });
    behavesLikeQuery(async () => {
      const db = await freshDatabase(postgresUrl as string);
      const pool = new pg.Pool({ connectionString: db.url, max: 2 });
      // As openStore does: a connection the pool dropped after a failed statement may still be
      // closing when the database is dropped (WITH FORCE); its error must not be an uncaught one.
      pool.on('error', () => undefined);
      return { client: pgPoolClient(pool), close: async () => { await pool.end(); await db.drop(); } };
    });
  });
});
