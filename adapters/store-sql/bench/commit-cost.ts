/**
 * PostgreSQL's CPU per payment written in a group commit, read from the server process's own
 * counters (/proc: Linux, with the server on this machine): what the ledger column costs the
 * server, apart from everything else an ingest row measures. Each of three schemas gets a fresh
 * database and 2,500 commits of 8 notifications (a new payment, its notification and its event
 * each, as a notification of an order paykit had not seen writes them), sent by
 * `paykit_commit_sets` on one connection:
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
import pg from 'pg';
import { MIGRATIONS, migrate, pgPoolClient } from '../src/index.js';
import { freshDatabase } from '../test/postgres-db.js';

const SCHEMAS = ['current', 'migration-6', 'no-column'] as const;
const BATCH = 8;
const COMMITS = 2_500;
const WARM_UP = 300;

const COMMIT = `SELECT paykit_commit_sets($1, $2::int[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[],
  $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[]) AS outcomes`;

const paid = { $date: '2026-12-05T23:47:25.447Z' };
const value = (id: string): string => JSON.stringify({
  orderId: id, instanceId: 'shop', amount: { amount: 101, currency: 'CNY' }, status: 'succeeded', refunded: { amount: 0, currency: 'CNY' },
  refundReserved: { amount: 0, currency: 'CNY' }, createdAt: { $date: '2026-11-22T02:15:00.000Z' }, providerPaymentId: '2026112200000001', paidAt: paid,
  settleDate: '20261122', providerDetails: { bank_code: '01020000', pay_type: 'D' },
});
const report = JSON.stringify({ type: 'payment', report: { orderId: 'MP1', status: 'succeeded', amount: { amount: 101, currency: 'CNY' }, providerPaymentId: '2026112200000001',
  providerStatus: 'SUCCESS', settleDate: '20261122', orderedAt: '2026-11-22T02:15:00.000Z', paidAt: paid.$date, providerDetails: { bank_code: '01020000', pay_type: 'D' } } });
const event = (id: string): string => JSON.stringify({ type: 'payment.succeeded', record: { kind: 'payment', id, version: 1 }, from: null, to: 'succeeded', instanceId: 'shop',
  amount: { amount: 101, currency: 'CNY' }, amounts: { refunded: { amount: 0, currency: 'CNY' } }, cause: { source: 'notification', operation: 'notifications.handle', eventKey: `shop:${id}` }, occurredAt: paid });

/** The parameters of one commit of `BATCH` notifications, each writing a new payment and an event. */
function commitParams(ids: readonly string[]): unknown[] {
  const each = <T>(f: (id: string, i: number) => T): T[] => ids.map(f);
  return [ids.length, [...each((_, i) => i + 1), ids.length + 1], each((_, i) => i + 1), each(() => 'payment'), ids, each(() => 0), each(() => 'succeeded'), each(value),
    each(() => '{"source":"notification","operation":"notifications.handle"}'), each(() => 'lianlian-web'), each((id) => `shop:${id}`), each(() => report),
    each((_, i) => i + 1), each(() => 'payment.succeeded'), each(() => 'payment'), ids, each(event)];
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
    const conn = await pool.connect();
    try {
      const pid = Number((await conn.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      let n = 0;
      const commit = async (): Promise<void> => {
        const ids = Array.from({ length: BATCH }, () => `MP${(n += 1)}`);
        const outcomes = String((await conn.query(COMMIT, commitParams(ids))).rows[0].outcomes);
        if (outcomes !== Array(BATCH).fill('committed').join(',')) throw new Error(`commit-cost: ${outcomes}`);
      };
      for (let i = 0; i < WARM_UP; i += 1) await commit();
      const cpu0 = cpuMicros(pid);
      const t0 = performance.now();
      for (let i = 0; i < COMMITS; i += 1) await commit();
      const count = COMMITS * BATCH;
      return { server: (cpuMicros(pid) - cpu0) / count, wall: ((performance.now() - t0) * 1000) / count };
    } finally {
      conn.release();
    }
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
