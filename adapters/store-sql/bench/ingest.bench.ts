/**
 * Notifications ingested per second through the node:http webhook adapter into the store
 * (verified, applied, recorded once, acknowledged), against a bare `INSERT … ON CONFLICT DO
 * NOTHING` loop into the same kind of database. The notifications come from a separate process,
 * as they do from a provider: 32 deliveries in flight (group commit batches them; target ≥ 0.5),
 * and one at a time for reference. Each side runs in its own process on its own fresh database.
 * A reference row compares ingest on PostgreSQL with and without the ledger column (migration 6).
 */
import { ratio, type Side } from '@paykit/conformance/bench';
import { ACK, notification } from '../test/processes/notifications.js';
import { DATABASE_LABEL, freshNotifications, loadGenerator, openDatabase, webhookServer, withoutPostgres, type BenchDatabase } from './stores.js';

/** Notifications per operation (one operation of either side handles this many). */
const PER_OP = 500;

function ingest(kind: BenchDatabase, inFlight: number, ledgerColumn = true): Side {
  return {
    name: `webhook ingest → ${DATABASE_LABEL[kind]}${ledgerColumn ? '' : ' without the ledger column'}: node:http, verify, apply, record once, acknowledge; ${inFlight} in flight from another process`,
    setup: async () => {
      const url = await webhookServer(kind, { ledgerColumn });
      const load = loadGenerator();
      const next = freshNotifications();
      return async () => {
        const r = await load.ask<{ acked: number; rejected: number }>({ url, bodies: next(PER_OP), concurrency: inFlight, ack: ACK });
        if (r.acked !== PER_OP) throw new Error(`ingest bench: ${r.rejected} notifications were not acknowledged`);
      };
    },
  };
}

function bareInsert(kind: BenchDatabase): Side {
  return {
    name: `bare INSERT … ON CONFLICT DO NOTHING loop, one at a time, ${DATABASE_LABEL[kind]}`,
    setup: async () => {
      const { client: db } = await openDatabase(kind);
      await db.query('CREATE TABLE bench_inbox (provider_id text, event_key text, payload text, PRIMARY KEY (provider_id, event_key))');
      const payload = notification(0, 'SUCCESS').body;
      let key = 0;
      return async () => {
        for (let i = 0; i < PER_OP; i += 1) {
          key += 1;
          await db.query('INSERT INTO bench_inbox (provider_id, event_key, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', ['lianlian-web', `e${key}`, payload]);
        }
      };
    },
  };
}

const perOp = { count: PER_OP, unit: 'notifications' };
const pg = { skip: withoutPostgres };

/**
 * The ingest rows: PGlite as openStore opens it (worker thread) always, and on the main thread for
 * reference; PostgreSQL when DATABASE_URL is set.
 */
export const rows = [
  ratio({ id: 'store-sql.ingest.pglite', subject: ingest('pglite', 32), baseline: bareInsert('pglite'), target: 0.5, perOp }),
  ratio({ id: 'store-sql.ingest.pglite.one-at-a-time', subject: ingest('pglite', 1), baseline: bareInsert('pglite'), perOp }),
  ratio({ id: 'store-sql.ingest.pglite-main-thread', subject: ingest('pglite-main-thread', 32), baseline: bareInsert('pglite-main-thread'), perOp }),
  ratio({ id: 'store-sql.ingest.postgres', subject: ingest('postgres', 32), baseline: bareInsert('postgres'), target: 0.5, perOp, ...pg }),
  ratio({ id: 'store-sql.ingest.postgres.one-at-a-time', subject: ingest('postgres', 1), baseline: bareInsert('postgres'), perOp, ...pg }),
  // What the ledger column reconciliation reads (migration 6, computed by the server on every
  // payment written) costs ingest: the same ingest against a database without the column.
  ratio({ id: 'store-sql.ingest.postgres.ledger-column', subject: ingest('postgres', 32), baseline: ingest('postgres', 32, false), perOp, ...pg }),
];
