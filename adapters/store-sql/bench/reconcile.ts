/**
 * Reconciliation at volume, self-contained: N statement lines against N ledger records on PGlite
 * and on PostgreSQL (`DATABASE_URL`).
 *
 * - Throughput: `paykit.reconcile` of the day (statement read in file order, sorted on disk,
 *   merge-joined with the payments walked by `Store.listLedgerPage`, every pair compared, the run
 *   stored) against a bare ordered merge-join of the same two sorted key lists in the same run
 *   (the statement's order numbers sorted in memory, the ledger's ids read in order from the same
 *   database, a page at a time, and counted where equal). Target: ratio ≥ 0.3.
 * - Peak memory: the peak RSS of a process that reconciles N lines against N records, for 100 000
 *   and 1 000 000 (target: the larger under 1.5× the smaller: both sides stream).
 *
 * Entry points: {@link reconcileSide} and {@link bareMergeJoinSide} (one operation each, for a
 * ratio row), {@link peakMemory} (a measured row), and `main` when run as a script:
 *
 *   node --conditions=@paykit/source --import tsx/esm adapters/store-sql/bench/reconcile.ts [--lines 1000000] [--rounds 3] [--only pglite|postgres]
 *
 * The records are seeded by a SQL bulk load (bench only): what paykit writes for a paid payment,
 * a million rows in seconds.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import * as t from 'io-ts';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  compareUtf8, createPaykit, PaymentErrors, Tokens, type PayResult, type ProviderPlugin, type StatementEntry, type StatementsCapability,
} from '@paykit/core';
import { BYTE_ORDER_DATABASE } from '../src/migrations.js';
import { migrate, pgPoolClient, SqlStore, type SqlClient } from '../src/index.js';
import { pgliteWorkerClient } from '../src/pglite-worker.js';

/** Connections of the PostgreSQL pool (as the other store-sql rows use). */
const POSTGRES_CONNECTIONS = 8;

/** Lines (and records) of the throughput rows: 1 000 000, or `PAYKIT_BENCH_RECONCILE_LINES` to check the rows quickly. */
export const BENCH_LINES = Number(process.env.PAYKIT_BENCH_RECONCILE_LINES ?? 1_000_000);

/** The day every line and record belongs to. */
export const BENCH_DAY = '2026-12-01';
const SETTLE = '20261201';

/** The order number of line / record `i`. */
export const orderNo = (i: number): string => `O${String(i).padStart(10, '0')}`;

/** The amount of order `i`, in fen. */
const amountOf = (i: number): number => 100 + (i % 100_000);

/** File order: a permutation of 0..n-1 (7919 is prime, so it is one for any n it does not divide). */
function fileOrder(i: number, n: number): number {
  return n % 7919 === 0 ? i : (i * 7919 + 13) % n;
}

/** The statement's entries, generated as they are read, 1 024 at a time. */
async function* benchBatches(lines: number): AsyncGenerator<PayResult<StatementEntry>[]> {
  let batch: PayResult<StatementEntry>[] = [];
  for (let i = 0; i < lines; i += 1) {
    const k = fileOrder(i, lines);
    const amount = amountOf(k);
    batch.push(ok({
      kind: 'payment', orderId: orderNo(k), providerTransactionId: `2026${String(k).padStart(12, '0')}`, amount: { amount, currency: 'CNY' },
      fee: { amount: Math.floor(amount / 200), currency: 'CNY' }, settleDate: SETTLE, line: i + 1,
    }));
    if (batch.length === 1024) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * A statements-only plugin whose statement is `lines` payment lines, in scrambled file order,
 * generated as they are read (never held in memory).
 */
export function benchStatementPlugin(lines: number): ProviderPlugin<Record<string, never>> {
  const service: StatementsCapability = {
    async *parse() {
      yield err(PaymentErrors.unsupported('statements.parse', 'bench plugin'));
    },
    fetch: () => errAsync(PaymentErrors.unsupported('statements.fetch', 'bench plugin')),
    source: () => ok({ batches: benchBatches(lines), origins: () => ['bench statement'], checks: () => okAsync([]) }),
  };
  return {
    id: 'bench-statement', displayName: 'Bench statement', capabilities: ['statements'], configCodec: t.type({}) as unknown as ProviderPlugin<Record<string, never>>['configCodec'],
    module: new ContainerModule(({ bind }) => {
      bind(Tokens.Statements).toConstantValue(service);
    }),
  };
}

/** Seeds `n` paid payments of instance `shop` by a bulk load, in batches of 100 000. */
export async function seedPayments(db: SqlClient, n: number): Promise<void> {
  for (let from = 0; from < n; from += 100_000) {
    const to = Math.min(n, from + 100_000) - 1;
    await db.query(`INSERT INTO paykit_records (kind, id, version, status, value)
      SELECT 'payment', 'O' || lpad(i::text, 10, '0'), 1, 'succeeded', json_build_object(
        'orderId', 'O' || lpad(i::text, 10, '0'), 'instanceId', 'shop', 'amount', json_build_object('amount', 100 + i % 100000, 'currency', 'CNY'),
        'status', 'succeeded', 'refunded', json_build_object('amount', 0, 'currency', 'CNY'), 'refundReserved', json_build_object('amount', 0, 'currency', 'CNY'),
        'createdAt', json_build_object('$date', '2026-12-01T02:00:00.000Z'), 'settleDate', '${SETTLE}', 'providerPaymentId', '2026' || lpad(i::text, 12, '0'))
      FROM generate_series($1::int, $2::int) AS i`, [from, to]);
  }
  // As autovacuum would on a server: the baseline's plain query then gets its best plan.
  await db.query('ANALYZE paykit_records');
}

/** A database for the bench: a fresh PGlite on disk or a fresh PostgreSQL database. */
export interface BenchDb {
  readonly client: SqlClient;
  readonly label: string;
  readonly url?: string;
  readonly dataDir?: string;
  drop(): Promise<void>;
}

/**
 * Opens (and migrates) a bench database as a merchant's store opens it: PGlite on its worker
 * thread in a fresh folder, or a fresh PostgreSQL database; `at` reopens an existing one (the
 * memory child process).
 */
export async function openBenchDb(kind: 'pglite' | 'postgres', at?: string): Promise<BenchDb> {
  if (kind === 'pglite') {
    const dataDir = at ?? mkdtempSync(join(tmpdir(), 'paykit-recon-bench-'));
    const client = await pgliteWorkerClient(dataDir);
    await migrate(client);
    return { client, label: 'PGlite', dataDir, drop: async () => { await client.close(); if (at === undefined) rmSync(dataDir, { recursive: true, force: true }); } };
  }
  const base = process.env.DATABASE_URL;
  if (base === undefined) throw new Error('DATABASE_URL is not set');
  const pg = (await import('pg')).default;
  let url = at;
  let dropDb = async (): Promise<void> => undefined;
  if (url === undefined) {
    const { freshDatabase } = await import('../test/postgres-db.js');
    const fresh = await freshDatabase(base);
    url = fresh.url;
    dropDb = fresh.drop;
  }
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_CONNECTIONS });
  pool.on('error', () => undefined);
  const client = pgPoolClient(pool);
  await migrate(client);
  return { client, label: 'PostgreSQL', url, drop: async () => { await client.close(); await dropDb(); } };
}

/** One reconciliation of the day (subject). Resolves with the lines matched. */
export async function reconcileSide(db: BenchDb, lines: number): Promise<() => Promise<number>> {
  const store = new SqlStore(db.client, db.label === 'PGlite' ? 1 : POSTGRES_CONNECTIONS);
  const paykit = (await createPaykit({ instances: { shop: { plugin: 'bench-statement', options: {} } } }, { plugins: [benchStatementPlugin(lines)], store }))._unsafeUnwrap();
  return async () => {
    const r = await paykit.reconcile({ instance: 'shop', date: BENCH_DAY });
    if (r.isErr()) throw new Error(`reconcile failed: ${r.error.message}`);
    const c = r.value.counts;
    if (c.matched !== lines || c.discrepancies !== 0) throw new Error(`reconcile bench: expected ${lines} matched and none else, got ${c.matched} matched, ${c.discrepancies} discrepancies`);
    return c.matched;
  };
}

/** The bare ordered merge-join of the same two key lists (baseline). Resolves with the keys matched. */
export async function bareMergeJoinSide(db: BenchDb, lines: number): Promise<() => Promise<number>> {
  const bytes = (await db.client.query(`SELECT ${BYTE_ORDER_DATABASE} AS bytes`))[0]?.bytes === true;
  const id = bytes ? 'id' : 'id COLLATE "C"';
  return async () => {
    const keys: string[] = new Array<string>(lines);
    for (let i = 0; i < lines; i += 1) keys[i] = orderNo(fileOrder(i, lines));
    keys.sort(compareUtf8);
    let matched = 0;
    let at = 0;
    let after = '';
    for (;;) {
      const rows = await db.client.query(`SELECT id FROM paykit_records WHERE kind = 'payment' AND ${id} > $1 ORDER BY ${id} LIMIT 2000`, [after]);
      for (const r of rows) {
        const id = String(r.id);
        while (at < keys.length && compareUtf8(keys[at] as string, id) < 0) at += 1;
        if (at < keys.length && keys[at] === id) {
          matched += 1;
          at += 1;
        }
      }
      if (rows.length < 2000) break;
      after = String(rows[rows.length - 1]?.id);
    }
    if (matched !== lines) throw new Error(`bare merge-join: expected ${lines} matched, got ${matched}`);
    return matched;
  };
}

/** The result of a throughput comparison. */
export interface ThroughputRow {
  readonly database: string;
  readonly lines: number;
  readonly reconcileLinesPerSec: number;
  readonly bareLinesPerSec: number;
  readonly ratio: number;
}

/** Seeds `lines` records, then alternates subject and baseline for `rounds` rounds; medians. */
export async function throughput(kind: 'pglite' | 'postgres', lines: number, rounds: number, log: (s: string) => void = () => undefined): Promise<ThroughputRow> {
  const db = await openBenchDb(kind);
  try {
    const seedStart = performance.now();
    await seedPayments(db.client, lines);
    log(`${db.label}: seeded ${lines} records in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    const subject = await reconcileSide(db, lines);
    const bare = await bareMergeJoinSide(db, lines);
    const s: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      let t0 = performance.now();
      await subject();
      s.push(performance.now() - t0);
      t0 = performance.now();
      await bare();
      b.push(performance.now() - t0);
      log(`${db.label} round ${r + 1}: reconcile ${(s.at(-1) as number).toFixed(0)} ms, bare merge-join ${(b.at(-1) as number).toFixed(0)} ms`);
    }
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
    const sm = med(s);
    const bm = med(b);
    return { database: db.label, lines, reconcileLinesPerSec: (lines * 1000) / sm, bareLinesPerSec: (lines * 1000) / bm, ratio: bm / sm };
  } finally {
    await db.drop();
  }
}

/**
 * Peak resident memory (MB) of a fresh process that opens a database holding `lines` records and
 * reconciles `lines` statement lines against it once (the database is seeded by this process
 * first; on PostgreSQL its memory is the server's, on PGlite the process holds the engine too).
 */
export async function peakMemory(kind: 'pglite' | 'postgres', lines: number): Promise<{ readonly rssMb: number; readonly heapMb: number }> {
  const db = await openBenchDb(kind);
  try {
    await seedPayments(db.client, lines);
    const at = kind === 'pglite' ? db.dataDir : db.url;
    if (kind === 'pglite') await db.client.close();
    const child = fork(fileURLToPath(import.meta.url), ['--child-memory', kind, String(lines), String(at)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const result = await new Promise<{ rssMb: number; heapMb: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { rssMb: number; heapMb: number }));
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`memory child exited ${code}`))));
    });
    return result;
  } finally {
    if (kind === 'pglite') rmSync(db.dataDir as string, { recursive: true, force: true });
    else await db.drop();
  }
}

async function childMemory(kind: 'pglite' | 'postgres', lines: number, at: string): Promise<void> {
  const db = await openBenchDb(kind, at);
  let heapPeak = 0;
  const timer = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); }, 20);
  try {
    const run = await reconcileSide(db, lines);
    await run();
  } finally {
    clearInterval(timer);
    await db.client.close();
  }
  // maxRSS is in kilobytes: the process's high-water mark, whatever the garbage collector did since.
  process.send?.({ rssMb: process.resourceUsage().maxRSS / 1024, heapMb: heapPeak / (1024 * 1024) });
}

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (argv[0] === '--child-memory') {
    await childMemory(argv[1] as 'pglite' | 'postgres', Number(argv[2]), String(argv[3]));
    return;
  }
  const lines = Number(arg('lines') ?? 1_000_000);
  const rounds = Number(arg('rounds') ?? 3);
  const only = arg('only');
  const kinds = (['pglite', 'postgres'] as const).filter((k) => (only === undefined || only === k) && (k === 'pglite' || process.env.DATABASE_URL !== undefined));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  for (const kind of kinds) {
    const row = await throughput(kind, lines, rounds, log);
    process.stdout.write(`reconcile ${row.lines} lines vs ${row.lines} records, ${row.database}: ${Math.round(row.reconcileLinesPerSec)} lines/s; bare merge-join ${Math.round(row.bareLinesPerSec)} keys/s; ratio ${row.ratio.toFixed(2)} (target ≥ 0.3)\n`);
  }
  if (argv.includes('--memory')) {
    for (const kind of kinds) {
      const small = await peakMemory(kind, lines / 10);
      const large = await peakMemory(kind, lines);
      process.stdout.write(`peak memory, ${kind}: ${lines / 10} lines ${small.rssMb.toFixed(0)} MB RSS (heap ${small.heapMb.toFixed(0)} MB), ${lines} lines ${large.rssMb.toFixed(0)} MB RSS (heap ${large.heapMb.toFixed(0)} MB): ×${(large.rssMb / small.rssMb).toFixed(2)} (target < 1.5)\n`);
    }
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
