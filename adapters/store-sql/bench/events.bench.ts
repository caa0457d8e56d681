/**
 * Merchant events. Throughput: events handed to a no-op handler by `paykit.events` (a consumer's
 * lease, its cursor moved in one commit per event, the outbox read in batches) against the bare
 * claim-and-advance loop a merchant would write on the same database: per event one transaction
 * that claims the cursor row with `SELECT … FOR UPDATE SKIP LOCKED`, reads the next event and
 * moves the cursor. Target ≥ 0.5, on PGlite (as openStore opens it) and PostgreSQL.
 *
 * Latency: notifications posted over HTTP to paykit's webhook adapter, a subscription in the same
 * process; from each acknowledgement reaching the provider to the handler being called for its
 * payment (negative when the handler ran before the acknowledgement reached the provider).
 */
import { createPaykit, FixedClock, MemoryLogger, type EventOps, type PaykitEvent } from '@paykit/core';
import { atExit, measure, percentile, ratio, type MeasureOptions, type Side } from '@paykit/conformance/bench';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { listenForNotifications } from '@paykit/webhooks';
import { SqlStore, type SqlClient } from '../src/index.js';
import { ACK, WORKER_INSTANCE_OPTIONS } from '../test/processes/notifications.js';
import { DATABASE_LABEL, freshNotifications, openDatabase, withoutPostgres, type BenchDatabase } from './stores.js';

/** Events in the outbox of each side's database: more than a side hands over in one measured round. */
const SEEDED = 20_000;
const BATCH = 100;

function draft(i: number): Omit<PaykitEvent, 'id'> {
  return {
    type: 'payment.succeeded', record: { kind: 'payment', id: `E${i}`, version: 2 }, from: 'pending', to: 'succeeded', instanceId: 'shop',
    amount: { amount: 4965, currency: 'CNY' }, cause: { source: 'notification', eventKey: `shop:E${i}` }, occurredAt: new Date(1_700_000_000_000),
  };
}

/** paykit.events on a fresh database holding {@link SEEDED} events; one operation hands over one batch. */
function paykitSide(kind: BenchDatabase): Side {
  return {
    name: `paykit.events.deliver to a no-op handler, ${DATABASE_LABEL[kind]} (lease, outbox read per ${BATCH}, one cursor commit per event)`,
    setup: async () => {
      const { client, concurrency } = await openDatabase(kind);
      const store = new SqlStore(client, concurrency);
      for (let i = 0; i < SEEDED; i += 1000) {
        (await store.commit({ writes: [], events: Array.from({ length: 1000 }, (_, j) => draft(i + j)) }))._unsafeUnwrap();
      }
      const paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store, clock: new FixedClock(new Date()), logger: new MemoryLogger() }))._unsafeUnwrap();
      const events: EventOps = paykit.events;
      const noop = (): void => undefined;
      const first = (await events.deliver('bench', noop, { batch: BATCH }))._unsafeUnwrap();
      if (first.handled !== BATCH) throw new Error(`events bench: the first round handed over ${first.handled} events, not ${BATCH}`);
      return async () => {
        const round = (await events.deliver('bench', noop, { batch: BATCH }))._unsafeUnwrap();
        // At the end of the outbox, start it over (the rewind is one commit per 20 000 events).
        if (round.handled === 0) (await events.replay('bench', { from: 1 }))._unsafeUnwrap();
      };
    },
  };
}

/** The bare loop on the same kind of database: one transaction per event, claim, read, advance. */
function bareSide(kind: BenchDatabase): Side {
  return {
    name: `bare claim-and-advance: per event BEGIN; SELECT cursor FOR UPDATE SKIP LOCKED; SELECT next event; UPDATE cursor; COMMIT (${DATABASE_LABEL[kind]})`,
    setup: async () => {
      const { client } = await openDatabase(kind);
      await client.query('CREATE TABLE bench_events (id bigserial PRIMARY KEY, payload json NOT NULL)');
      await client.query('CREATE TABLE bench_cursor (name text PRIMARY KEY, cursor bigint NOT NULL)');
      await client.query("INSERT INTO bench_cursor VALUES ('bench', 0)");
      for (let i = 0; i < SEEDED; i += 1000) {
        await client.query('INSERT INTO bench_events (payload) SELECT p::json FROM unnest($1::text[]) AS p', [Array.from({ length: 1000 }, (_, j) => JSON.stringify(draft(i + j)))]);
      }
      const one = (c: SqlClient) => c.transaction(async (q) => {
        const claimed = await q("SELECT cursor FROM bench_cursor WHERE name = 'bench' FOR UPDATE SKIP LOCKED", []);
        const cursor = claimed[0]?.cursor;
        if (cursor === undefined) return false;
        const next = await q('SELECT id, payload FROM bench_events WHERE id > $1 ORDER BY id LIMIT 1', [cursor]);
        const event = next[0];
        if (event === undefined) {
          await q("UPDATE bench_cursor SET cursor = 0 WHERE name = 'bench'", []);
          return false;
        }
        // The handler (a no-op) would run here, on the event's payload.
        await q("UPDATE bench_cursor SET cursor = $1 WHERE name = 'bench'", [event.id]);
        return true;
      });
      if (!(await one(client))) throw new Error('events bench: the bare loop found no event');
      return async () => {
        for (let i = 0; i < BATCH; i += 1) await one(client);
      };
    },
  };
}

function throughputRow(kind: BenchDatabase) {
  return ratio({
    id: `store-sql.events.${kind}`,
    subject: paykitSide(kind), baseline: bareSide(kind), target: 0.5,
    perOp: { count: BATCH, unit: 'events' },
    ...(kind === 'postgres' ? { skip: withoutPostgres } : {}),
  });
}

function latencyRow(kind: BenchDatabase) {
  return measure({
    id: `store-sql.events.latency.${kind}`,
    name: `notification acknowledged → its payment.succeeded handler called, one process, ${DATABASE_LABEL[kind]}`,
    ...(kind === 'postgres' ? { skip: withoutPostgres } : {}),
    run: async (o: MeasureOptions) => {
      const { client, concurrency } = await openDatabase(kind);
      const store = new SqlStore(client, concurrency);
      const paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store }))._unsafeUnwrap();
      const called = new Map<string, number>();
      const sub = paykit.events.subscribe('fulfilment', (e) => { called.set(e.record.id, performance.now()); }, { types: ['payment.succeeded'], pollIntervalMs: 1000 })._unsafeUnwrap();
      atExit(() => sub.stop());
      const server = (await listenForNotifications(paykit, { instanceFromPath: true }))._unsafeUnwrap();
      atExit(() => server.close());
      const url = `${server.url}/paykit/notify/shop`;
      const next = freshNotifications();
      const perRound = o.quick ? 50 : 200;
      const p50: number[] = [];
      const p99: number[] = [];
      for (let round = 0; round <= o.rounds; round += 1) {
        const latencies: number[] = [];
        for (const body of next(perRound)) {
          const orderId = (JSON.parse(body) as { no_order: string }).no_order;
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8' }, body });
          const acked = performance.now();
          if ((await res.text()) !== ACK) throw new Error('events latency bench: a notification was not acknowledged');
          while (!called.has(orderId)) await new Promise((r) => setImmediate(r));
          latencies.push((called.get(orderId) as number) - acked);
        }
        if (round === 0) continue; // warm-up
        p50.push(percentile(latencies, 50));
        p99.push(percentile(latencies, 99));
      }
      return [
        { name: 'ack → handler p50', unit: 'ms', samples: p50 },
        { name: 'ack → handler p99', unit: 'ms', samples: p99 },
      ];
    },
  });
}

/** The merchant-events rows. */
export const rows = [
  throughputRow('pglite'), throughputRow('postgres'),
  latencyRow('pglite'), latencyRow('postgres'),
];
