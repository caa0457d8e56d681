import { expect } from 'chai';
import pg from 'pg';
import { pgPoolClient, type PgConnection, type PgPool, type SqlClient } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

// `script` on PostgreSQL sends the statements without parameters before the first with them
// together with BEGIN (what a page of a walk does: two planner settings, then the page's query).
describe('PostgreSQL client: script', function () {
  this.timeout(30_000);
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let pool: pg.Pool | undefined;
  let client: SqlClient;

  before(async function () {
    skipWithoutPostgres(this, 'the PostgreSQL client');
    db = await freshDatabase(postgresUrl as string);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    client = pgPoolClient(pool);
    await client.query('CREATE TABLE t (n int PRIMARY KEY)');
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  const script = (steps: Parameters<NonNullable<SqlClient['script']>>[0]) => (client.script as NonNullable<SqlClient['script']>)(steps);

  it('gives the rows of the last statement, with the settings before it in force, and only inside its transaction', async () => {
    const rows = await script([
      { text: 'SET LOCAL enable_seqscan = off' },
      { text: 'SET LOCAL work_mem = \'7MB\'' },
      { text: 'SELECT current_setting($1) AS seq, current_setting($2) AS mem', params: ['enable_seqscan', 'work_mem'] },
    ]);
    expect(rows).to.deep.equal([{ seq: 'off', mem: '7MB' }]);
    const after = await client.query('SELECT current_setting($1) AS seq', ['enable_seqscan']);
    expect(after).to.deep.equal([{ seq: 'on' }]);
  });

  it('gives the rows of a last statement that has no parameters', async () => {
    expect(await script([{ text: 'SET LOCAL enable_seqscan = off' }, { text: 'SELECT current_setting(\'enable_seqscan\') AS seq' }])).to.deep.equal([{ seq: 'off' }]);
    expect(await script([{ text: 'SELECT 41 + 1 AS n' }])).to.deep.equal([{ n: 42 }]);
  });

  it('rolls back every statement and rejects when one fails', async () => {
    const failed = await script([
      { text: 'INSERT INTO t VALUES (1)' },
      { text: 'INSERT INTO t VALUES ($1)', params: [2] },
      { text: 'INSERT INTO t VALUES ($1)', params: [2] },
    ]).then(() => undefined, (e: { code?: string }) => e.code);
    expect(failed).to.equal('23505');
    expect(await client.query('SELECT count(*)::int AS n FROM t')).to.deep.equal([{ n: 0 }]);
    // The connection went back to the pool usable: both connections still serve.
    expect(await Promise.all([client.query('SELECT 1 AS one'), client.query('SELECT 1 AS one')])).to.deep.equal([[{ one: 1 }], [{ one: 1 }]]);
  });
});

// No database needed: a pool whose connections record what they are asked and how they come back.
describe('PostgreSQL client: connections after a failed transaction', () => {
  function fakePool(failing: readonly string[]): { pool: PgPool; sent: string[]; released: (Error | undefined)[] } {
    const sent: string[] = [];
    const released: (Error | undefined)[] = [];
    const conn: PgConnection = {
      query: async (text) => {
        sent.push(text);
        if (failing.includes(text)) throw new Error(`${text} failed`);
        return { rows: [] };
      },
      release: (error) => { released.push(error); },
    };
    return { pool: { query: conn.query, connect: async () => conn, end: async () => undefined }, sent, released };
  }

  it('gives back a connection whose ROLLBACK failed as broken, so that the pool closes it', async () => {
    const { pool, sent, released } = fakePool(['INSERT 1', 'ROLLBACK']);
    const failed = await pgPoolClient(pool).transaction((run) => run('INSERT 1')).then(() => 'committed', (e: Error) => e.message);
    expect(failed).to.equal('INSERT 1 failed');
    expect(sent).to.deep.equal(['BEGIN', 'INSERT 1', 'ROLLBACK']);
    expect(released).to.have.length(1);
    expect(released[0]).to.be.instanceOf(Error);
  });

  it('gives back a connection whose ROLLBACK worked, or that committed, for reuse', async () => {
    const { pool, released } = fakePool(['INSERT 1']);
    const client = pgPoolClient(pool);
    await client.transaction((run) => run('INSERT 1')).then(() => undefined, () => undefined);
    await client.transaction((run) => run('INSERT 2'));
    expect(released).to.deep.equal([undefined, undefined]);
  });
});
