/**
 * PostgreSQL's CPU per payment written in a group commit, read from the server process's own
 * counters (/proc: Linux, with the server on this machine): what the ledger column costs the
 * server, apart from everything else an ingest row measures. Each of three schemas gets a fresh
 * database and 2,500 commits of 8 notifications (a new payment, its notification and its event
 * each, as a notification of an order paykit had not seen writes them), sent by `SqlStore.commit`
 * on one connection (one `paykit_commit_sets` a batch):
 *
 *   current      every migration (the ledger column, its function as migration 7 left it)
 *   migration-6  migrations 1–6 (the function as migration 6 wrote it)
 *   no-column    every migration, then the column dropped
 *
 *   DATABASE_URL=postgres://… node --conditions=@paykit/source --import tsx/esm adapters/store-sql/bench/commit-cost.ts [rounds]
 *
 * Prints µs of server CPU and of wall time per notification, per schema, `rounds` times (3).
 */
import { readFileSync } from 'node:fs';
import type { ChangeSet } from '@paykit/core';
import pg from 'pg';
import { MIGRATIONS, migrate, pgPoolClient, SqlStore } from '../src/index.js';
import { freshDatabase } from '../test/postgres-db.js';

const SCHEMAS = ['current', 'migration-6', 'no-column'] as const;
const BATCH = 8;
const COMMITS = 2_500;
const WARM_UP = 300;

const CNY = (amount: number) => ({ amount, currency: 'CNY' as const });
const paidAt = new Date('2026-12-05T23:47:25.447Z');
const details = { bank_code: '01020000', pay_type: 'D' };

/** What a LianLian web notification of an order paykit had not seen commits: a new payment, its notification, its event. */
function notificationChange(id: string): ChangeSet {
  const eventKey = `shop:${id}:2026112200000001:SUCCESS`;
  const cause = { source: 'notification', operation: 'notifications.handle' } as const;
  return {
    writes: [{ kind: 'payment', id, expectedVersion: 0, value: {
      orderId: id, instanceId: 'shop', amount: CNY(101), status: 'succeeded', refunded: CNY(0), refundReserved: CNY(0), createdAt: new Date('2026-11-22T02:15:00.000Z'),
      providerPaymentId: '2026112200000001', paidAt, settleDate: '20261122', providerDetails: details,
    } }],
    notification: { providerId: 'lianlian-web', eventKey, payload: JSON.stringify({ type: 'payment', report: {
      orderId: id, status: 'succeeded', amount: CNY(101), providerPaymentId: '2026112200000001', providerStatus: 'SUCCESS', settleDate: '20261122',
      orderedAt: '2026-11-22T02:15:00.000Z', paidAt, providerDetails: details } }) },
    cause,
    events: [{ type: 'payment.succeeded', record: { kind: 'payment', id, version: 1 }, from: null, to: 'succeeded', instanceId: 'shop', amount: CNY(101),
      amounts: { refunded: CNY(0) }, cause: { ...cause, eventKey }, occurredAt: paidAt }],
  };
}

/** Server CPU time of a backend so far, in µs (utime + stime; clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function measureSchema(url: string, schema: (typeof SCHEMAS)[number]): Promise<{ server: number; wall: number }> {
  const db = await freshDatabase(url);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await migrate(pgPoolClient(pool), schema === 'migration-6' ? MIGRATIONS.filter((m) => m.version <= 6) : MIGRATIONS);
    if (schema === 'no-column') await pool.query('ALTER TABLE paykit_records DROP COLUMN ledger');
    // One connection, so every statement the store sends runs in the backend measured.
    const store = new SqlStore(pgPoolClient(pool));
    const pid = Number((await pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    let n = 0;
    // BATCH commits submitted in one turn leave as one group commit (paykit_commit_sets).
    const commit = async (): Promise<void> => {
      const outcomes = await Promise.all(Array.from({ length: BATCH }, () => store.commit(notificationChange(`MP${(n += 1)}`))));
      if (!outcomes.every((o) => o.isOk() && o.value === 'committed')) throw new Error(`commit-cost: ${JSON.stringify(outcomes)}`);
    };
    for (let i = 0; i < WARM_UP; i += 1) await commit();
    const cpu0 = cpuMicros(pid);
    const t0 = performance.now();
    for (let i = 0; i < COMMITS; i += 1) await commit();
    const count = COMMITS * BATCH;
    return { server: (cpuMicros(pid) - cpu0) / count, wall: ((performance.now() - t0) * 1000) / count };
  } finally {
    await pool.end();
    await db.drop();
  }
}

const url = process.env.DATABASE_URL;
if (!url) throw new Error('commit-cost: set DATABASE_URL (bash .ci/postgres.sh starts a PostgreSQL)');
const rounds = Number(process.argv[2] ?? 3);
for (let r = 1; r <= rounds; r += 1) {
  for (const schema of SCHEMAS) {
    const m = await measureSchema(url, schema);
    console.log(`round ${r}  ${schema.padEnd(12)} server ${m.server.toFixed(1)} µs/notification  wall ${m.wall.toFixed(1)} µs/notification`);
  }
}
