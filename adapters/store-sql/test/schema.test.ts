import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import { IN_FLIGHT_PAYOUT_STATUSES, PENDING_PAYMENT_STATUSES, PENDING_REFUND_STATUSES, UNKNOWN_PAYOUT_STATUSES } from '@paykit/core';
import { MIGRATIONS, OPEN_STATUSES, migrate, pgliteClient } from '../src/index.js';

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
});
