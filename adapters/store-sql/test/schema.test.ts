import { expect } from 'chai';
import fc from 'fast-check';
import { PGlite } from '@electric-sql/pglite';
import { IN_FLIGHT_PAYOUT_STATUSES, PENDING_PAYMENT_STATUSES, PENDING_REFUND_STATUSES, UNKNOWN_PAYOUT_STATUSES } from '@paykit/core';
import pg from 'pg';
import { MIGRATIONS, OPEN_STATUSES, migrate, pgliteClient, pgPoolClient, SqlStore, type SqlClient, type SqlQuery } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

/** A client that keeps the statements of each call (a transaction's together), to replay them with EXPLAIN. */
function recording(client: SqlClient): { client: SqlClient; transactions: string[][] } {
  const transactions: string[][] = [];
  return {
    transactions,
    client: {
      ...client,
      query: (text, params) => {
        transactions.push([text]);
        return client.query(text, params);
      },
      transaction: (work) => client.transaction((q) => {
        const statements: string[] = [];
        transactions.push(statements);
        const rec: SqlQuery = (text, params) => {
          statements.push(text);
          return q(text, params);
        };
        return work(rec);
      }),
      ...(client.script === undefined ? {} : {
        script: (steps) => {
          transactions.push(steps.map((s) => s.text));
          return (client.script as NonNullable<SqlClient['script']>)(steps);
        },
      }),
    },
  };
}

/** The plan of a page query as listPage sends it: its settings, then the SELECT under EXPLAIN. */
async function planOfPage(client: SqlClient, statements: readonly string[], params: readonly unknown[]): Promise<string> {
  return client.transaction(async (q) => {
    for (const st of statements.slice(0, -1)) await q(st, []);
    const rows = await q(`EXPLAIN ${statements.at(-1) as string}`, params);
    return rows.map((r) => String(Object.values(r)[0])).join('\n');
  });
}

describe('store schema', function () {
  this.timeout(60_000);

  context('when pending outcomes are scanned', () => {
    it('indexes every status resolvePending asks for', () => {
      for (const s of [...PENDING_PAYMENT_STATUSES, ...PENDING_REFUND_STATUSES, ...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES, 'held_for_review', 'authorised']) {
        expect(OPEN_STATUSES, s).to.include(s);
      }
    });

    it('uses the open-records index for a scan of open statuses', async () => {
      const db = await PGlite.create();
      const client = pgliteClient(db);
      try {
        await migrate(client);
        // Enough final records that a sequential scan would be the worse plan.
        await db.query(`INSERT INTO paykit_records (kind, id, version, status, value)
          SELECT 'payment', 'p' || g, 1, 'succeeded', '{}' FROM generate_series(1, 5000) g`);
        await db.query(`INSERT INTO paykit_records (kind, id, version, status, value) VALUES ('payment', 'open', 1, 'pending', '{}')`);
        await db.exec('ANALYZE paykit_records');
        const plan = await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT version, value FROM paykit_records WHERE kind = 'payment' AND status = ANY('{pending,processing}'::text[]) AND status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`,
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).to.match(/paykit_records_open/);
      } finally {
        await db.close();
      }
    });
  });

  context('when migrations run twice', () => {
    it('applies each version once and records it', async () => {
      const db = await PGlite.create();
      const client = pgliteClient(db);
      try {
        expect(await migrate(client)).to.deep.equal(MIGRATIONS.map((m) => m.version));
        expect(await migrate(client)).to.deep.equal([]);
        const rows = await db.query<{ version: number }>('SELECT version FROM paykit_schema_migrations ORDER BY version');
        expect(rows.rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
      } finally {
        await db.close();
      }
    });
  });

  context('when a kind is walked in id order (reconciliation)', () => {
    it('keeps the ledger fields of payments and refunds beside them, computed for rows older than the column, and never refuses a write for them', async () => {
      const db = await PGlite.create();
      const client = pgliteClient(db);
      try {
        // A database at migration 5 with records in it, then migrated: the column is filled for them.
        await migrate(client, MIGRATIONS.filter((m) => m.version <= 5));
        const before = new SqlStore(client);
        const createdAt = new Date('2026-12-01T02:00:00.000Z');
        (await before.insert('payment', 'old', { orderId: 'old', instanceId: 'shop', status: 'succeeded', amount: { amount: 5, currency: 'CNY' }, refunded: { amount: 0, currency: 'CNY' }, createdAt }))._unsafeUnwrap();
        expect(await migrate(client)).to.deep.equal(MIGRATIONS.filter((m) => m.version > 5).map((m) => m.version));
        const store = new SqlStore(client);
        // Text jsonb refuses (NUL) must not make the write fail: the record is written, its fields read from its value.
        (await store.insert('payment', 'nul', { orderId: 'nul', instanceId: 'shop', status: 'pending', amount: { amount: 7, currency: 'CNY' }, note: 'a\u0000b', createdAt }))._unsafeUnwrap();
        (await store.insert('refund', 'r1', { orderId: 'old', instanceId: 'shop', status: 'succeeded', amount: { amount: 5, currency: 'CNY' }, requestedAt: createdAt }))._unsafeUnwrap();
        (await store.insert('order', 'o1', { orderId: 'o1', instanceId: 'shop', status: 'created' }))._unsafeUnwrap();
        const rows = await db.query<{ id: string; ledger: string | null }>(`SELECT id, ledger FROM paykit_records ORDER BY id`);
        expect(Object.fromEntries(rows.rows.map((r) => [r.id, r.ledger === null ? null : JSON.parse(r.ledger)]))).to.deep.equal({
          nul: null,
          o1: null,
          old: ['shop', 'succeeded', 5, 'CNY', 0, 'CNY', null, null, '2026-12-01T02:00:00.000Z', 'old', null],
          r1: ['shop', 'succeeded', 5, 'CNY', null, null, null, '2026-12-01T02:00:00.000Z', null, 'old', null],
        });
        const walked = (await store.listLedgerPage('payment', { limit: 10 }))._unsafeUnwrap();
        expect(walked.map((r) => [r.id, r.fields[1], r.fields[2]])).to.deep.equal([['nul', 'pending', 7], ['old', 'succeeded', 5]]);
      } finally {
        await db.close();
      }
    });

    it('computes the ledger fields as migration 6 did, for any value, once migration 7 replaces the function', async () => {
      const db = await PGlite.create();
      const client = pgliteClient(db);
      try {
        await migrate(client, MIGRATIONS.filter((m) => m.version <= 6));
        const store = new SqlStore(client);
        const at = new Date('2026-12-01T02:00:00.000Z');
        (await store.insert('payment', 'p1', { orderId: 'p1', instanceId: 'shop', status: 'succeeded', amount: { amount: 5, currency: 'CNY' }, refunded: { amount: 0, currency: 'CNY' }, createdAt: at, paidAt: at }))._unsafeUnwrap();
        (await store.insert('refund', 'r1', { orderId: 'p1', instanceId: 'shop', status: 'pending', amount: { amount: 5, currency: 'CNY' }, requestedAt: at }))._unsafeUnwrap();
        const ledgers = async () => (await db.query<{ id: string; ledger: string | null }>('SELECT id, ledger FROM paykit_records ORDER BY id')).rows;
        const before = await ledgers();
        // Migration 6's functions under other names: the reference the new one must equal.
        const v6 = (MIGRATIONS.find((m) => m.version === 6) as (typeof MIGRATIONS)[number]).sql
          .replace(/^ALTER TABLE .*$/m, '').replaceAll('paykit_ledger_fields', 'v6_ledger_fields').replaceAll('paykit_ledger_time', 'v6_ledger_time');
        await db.exec(v6);
        expect(await migrate(client)).to.deep.equal([7]);
        expect(await ledgers()).to.deep.equal(before);
        expect(before.every((r) => r.ledger !== null)).to.equal(true);

        const differing = async (kinds: readonly string[], values: readonly string[]): Promise<unknown[]> => (await db.query(
          `SELECT k, v, v6_ledger_fields(k, v::json) AS old, paykit_ledger_fields(k, v::json) AS new
             FROM unnest($1::text[], $2::text[]) AS t(k, v) WHERE v6_ledger_fields(k, v::json) IS DISTINCT FROM paykit_ledger_fields(k, v::json)`,
          [kinds, values])).rows;
        // The shapes a time can take where one is read, and values that are not a record at all.
        const date = { $date: '2026-12-01T02:00:00.000Z' };
        const times: unknown[] = [date, { $date: 5 }, { $date: null }, { $date: date }, { ...date, by: 'hand' }, { by: 'hand' }, {}, [date], ['$date'], '$date', 7, null, true];
        const hand = times.flatMap((t) => [{ paidAt: t, createdAt: t, requestedAt: t, status: 'succeeded' }, { instanceId: 'shop', paidAt: t }]).map((v) => JSON.stringify(v))
          .concat(['[]', '"text"', '5', 'null', '{}', '{"$sealed":"x"}', '{"status":"a\\u0000b"}', '{"amount":{"amount":1e2,"currency":"CNY"},"refunded":[1]}']);
        for (const kind of ['payment', 'refund', 'payout', 'order']) expect(await differing(hand.map(() => kind), hand), kind).to.deep.equal([]);

        const time = fc.oneof(fc.jsonValue(), fc.constantFrom(...times), fc.record({ $date: fc.string() }), fc.record({ $date: fc.string(), x: fc.jsonValue() }, { requiredKeys: ['$date'] }));
        const money = fc.oneof(fc.jsonValue(), fc.record({ amount: fc.oneof(fc.integer(), fc.jsonValue()), currency: fc.jsonValue() }, { requiredKeys: [] }));
        const record = fc.record({
          instanceId: fc.jsonValue(), status: fc.string(), amount: money, refunded: money, settleDate: fc.jsonValue(), paidAt: time, requestedAt: time, createdAt: time,
          orderId: fc.string({ unit: 'grapheme' }), providerPaymentId: fc.jsonValue(), providerRefundId: fc.jsonValue(), $sealed: fc.jsonValue(), other: fc.jsonValue(),
        }, { requiredKeys: [] });
        await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('payment', 'refund', 'order'), record), { minLength: 1, maxLength: 50 }), async (pairs) => {
          expect(await differing(pairs.map(([k]) => k), pairs.map(([, v]) => JSON.stringify(v)))).to.deep.equal([]);
        }), { numRuns: 200 });
      } finally {
        await db.close();
      }
    });

    it('reads each page from the primary key on PGlite, even on a table never analysed', async () => {
      const db = await PGlite.create();
      const { client, transactions } = recording(pgliteClient(db));
      try {
        await migrate(client);
        // A bulk load and no ANALYZE (PGlite has no autovacuum): statistics that say the table is tiny.
        await db.query(`INSERT INTO paykit_records (kind, id, version, status, value)
          SELECT 'payment', 'p' || lpad(g::text, 6, '0'), 1, 'succeeded', '{}' FROM generate_series(1, 20000) g`);
        const store = new SqlStore(client);
        const page = (await store.listPage('payment', { after: 'p010000', limit: 100 }))._unsafeUnwrap();
        expect(page.map((r) => r.id).slice(0, 2)).to.deep.equal(['p010001', 'p010002']);
        const plan = await planOfPage(pgliteClient(db), transactions.at(-1) as string[], ['payment', 'p010000', 100]);
        // An index scan in id order, stopped by the LIMIT: not every record of the kind sorted per page.
        expect(plan).to.match(/Index Scan using paykit_records_pkey/);
        expect(plan).not.to.match(/Sort|Bitmap/);
      } finally {
        await db.close();
      }
    });

    it('walks byte order on a PostgreSQL database collated by ICU, from the id index', async function () {
      skipWithoutPostgres(this, 'id order on an ICU-collated database');
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      const fresh = await freshDatabase(postgresUrl as string);
      const name = new URL(fresh.url).pathname.slice(1);
      // Recreated as an ICU database: its datcollate still says "C", its text order is not bytes.
      await admin.query(`DROP DATABASE ${name}`);
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`);
      } catch (e) {
        await admin.end();
        console.log(`      [skipped] this PostgreSQL has no ICU support: ${(e as Error).message}`);
        this.skip();
      }
      await admin.end();
      const pool = new pg.Pool({ connectionString: fresh.url, max: 2 });
      const { client, transactions } = recording(pgPoolClient(pool));
      try {
        await migrate(client);
        const indexes = await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'paykit_records'`);
        expect(indexes.map((r) => r.indexname)).to.include('paykit_records_id_bytes');
        const store = new SqlStore(client, 2);
        for (const id of ['b2', 'a1', 'B9', 'é1', 'a10']) (await store.insert('refund', id, { status: 'pending' }))._unsafeUnwrap();
        const walked = (await store.listPage('refund', { limit: 10 }))._unsafeUnwrap().map((r) => r.id);
        expect(walked).to.deep.equal(['B9', 'a1', 'a10', 'b2', 'é1']);
        const plan = await planOfPage(pgPoolClient(pool), transactions.at(-1) as string[], ['refund', '', 10]);
        expect(plan).to.match(/paykit_records_id_bytes/);
      } finally {
        await pool.end();
        await fresh.drop();
      }
    });
  });
});
