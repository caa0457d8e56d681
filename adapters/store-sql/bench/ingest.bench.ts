/**
 * Bench: notifications ingested per second through the node:http webhook adapter into the store
 * (verified, applied, recorded once, acknowledged), against a bare `INSERT … ON CONFLICT DO
 * NOTHING` loop on the same database, measured in alternating rounds of the same run. The
 * notifications come from a separate process, as they do from a provider: the webhook side is
 * measured with 32 deliveries in flight (group commit batches them), and also one at a
 * time, without a target, for comparison.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '@paykit/conformance/bench';
import { createPaykit } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { listenForNotifications } from '@paykit/webhooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate, pgliteClient, pgPoolClient, SqlStore, type SqlClient } from '../src/index.js';
import { freshDatabase } from '../test/postgres-db.js';
import { ACK, notification, WORKER_INSTANCE_OPTIONS } from '../test/processes/notifications.js';

const PER_ROUND = 1500;
const ROUNDS = 7;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1] as number;
}

function ask(child: ChildProcess, message: unknown): Promise<{ acked: number; rejected: number; ms: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { acked: number; rejected: number; ms: number }));
    child.send(message as never);
  });
}

/** Deliveries in flight from the load generator. */
const IN_FLIGHT = 32;

// `statements`: statements the store sends at once, as openStore sets it (1 on PGlite, the pool
// size on PostgreSQL), so the bench measures the store a merchant gets.
async function rowsFor(label: string, db: SqlClient, statements: number): Promise<BenchRow[]> {
  await migrate(db);
  await db.query('CREATE TABLE IF NOT EXISTS bench_inbox (provider_id text, event_key text, payload text, PRIMARY KEY (provider_id, event_key))');
  const store = new SqlStore(db, statements);
  const paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store }))._unsafeUnwrap();
  const server = (await listenForNotifications(paykit, { instanceFromPath: true }))._unsafeUnwrap();
  const url = `${server.url}/paykit/notify/shop`;
  const child = fork(join(import.meta.dirname, 'load-generator.mjs'), { stdio: 'inherit' });
  let order = 0;
  const batch = (): string[] => Array.from({ length: PER_ROUND }, () => notification((order += 1), 'SUCCESS').body);
  let key = 0;
  const bare = async (): Promise<number> => {
    const payload = notification(0, 'SUCCESS').body;
    const start = performance.now();
    for (let i = 0; i < PER_ROUND; i += 1) {
      key += 1;
      await db.query('INSERT INTO bench_inbox (provider_id, event_key, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', ['lianlian-web', `e${key}`, payload]);
    }
    return (PER_ROUND * 1000) / (performance.now() - start);
  };
  const through = async (inFlight: number): Promise<number> => {
    const r = await ask(child, { url, bodies: batch(), concurrency: inFlight, ack: ACK });
    if (r.acked !== PER_ROUND) throw new Error(`ingest bench: ${r.rejected} notifications were not acknowledged`);
    return (PER_ROUND * 1000) / r.ms;
  };
  try {
    await bare();
    await through(IN_FLIGHT);
    const rows: BenchRow[] = [];
    for (const inFlight of [IN_FLIGHT, 1]) {
      const subject: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        if (i % 2 === 0) {
          subject.push(await through(inFlight));
          base.push(await bare());
        } else {
          base.push(await bare());
          subject.push(await through(inFlight));
        }
      }
      const opsPerSec = median(subject);
      const baselineOpsPerSec = median(base);
      rows.push({
        kind: 'ratio', name: `webhook ingest → ${label} (node:http, ${inFlight} in flight)`, baseline: `bare INSERT … ON CONFLICT DO NOTHING loop, same ${label}`,
        opsPerSec, baselineOpsPerSec, ratio: opsPerSec / baselineOpsPerSec, ...(inFlight > 1 ? { target: 0.5 } : {}),
      });
    }
    return rows;
  } finally {
    child.kill();
    await server.close();
  }
}

/** The rows of this file: PGlite always, PostgreSQL when `DATABASE_URL` is set. */
export async function rows(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paykit-bench-'));
  const lite = pgliteClient(await PGlite.create(dir));
  const out: BenchRow[] = [];
  try {
    out.push(...await rowsFor('PGlite', lite, 1));
  } finally {
    await lite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('bench: PostgreSQL ingest rows skipped: set DATABASE_URL to run them\n');
    return out;
  }
  const db = await freshDatabase(url);
  const connections = 8;
  const pool = new pg.Pool({ connectionString: db.url, max: connections });
  pool.on('error', () => undefined);
  try {
    out.push(...await rowsFor('PostgreSQL', pgPoolClient(pool), connections));
  } finally {
    await pool.end();
    await db.drop();
  }
  return out;
}
