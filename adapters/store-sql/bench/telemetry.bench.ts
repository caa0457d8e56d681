/**
 * What paykit's OpenTelemetry instrumentation costs on a notification as a merchant's service
 * handles it: `notifications.handle` (a LianLian web notification verified, applied and committed
 * with its ledger entry) into the store openStore opens (PGlite on its worker thread) or
 * PostgreSQL, with the OpenTelemetry SDK registered (a tracer provider, a meter provider with a
 * reader), exporting nowhere, against the very same path with nothing registered. Target ≥ 0.9.
 * `core.telemetry.notification` is the same comparison on the in-memory store, for reference: it
 * shows the instrumentation's cost in microseconds against a notification of about 60 µs.
 */
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ratio, type Side } from '@paykit/conformance/bench';
import { createPaykit, type RawHttpRequest } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { SqlStore } from '../src/index.js';
import { notification, WORKER_INSTANCE_OPTIONS } from '../test/processes/notifications.js';
import { DATABASE_LABEL, openDatabase, withoutPostgres, type BenchDatabase } from './stores.js';

/** Distinct notifications made before measuring, each of a new order (more than a side handles). */
const POOL = 60_000;

/** A reader that collects only when asked (a Prometheus exporter is one that is asked on scrape). */
class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function handlePath(kind: BenchDatabase, sdk: boolean): Side {
  return {
    name: `notifications.handle (LianLian web) into ${DATABASE_LABEL[kind]}, ${sdk ? 'with the OpenTelemetry SDK registered: tracer provider, meter provider + reader; exporting nowhere' : 'nothing registered (paykit\'s instrumentation inactive)'}`,
    setup: async () => {
      if (sdk) {
        trace.setGlobalTracerProvider(new BasicTracerProvider());
        metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }));
      }
      const { client, concurrency } = await openDatabase(kind);
      const made = await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store: new SqlStore(client, concurrency) });
      if (made.isErr()) throw new Error(made.error.message);
      const paykit = made.value;
      const pool: RawHttpRequest[] = Array.from({ length: POOL }, (_, n) => ({
        method: 'POST', url: '/notify', headers: { 'content-type': 'application/json;charset=UTF-8' }, body: Buffer.from(notification(n + 1, 'SUCCESS').body, 'utf8'),
      }));
      let i = 0;
      return async () => {
        if (i === POOL) throw new Error('telemetry bench: the pool of notifications is used up; make POOL larger');
        const handled = await paykit.notifications.handle('shop', pool[i] as RawHttpRequest);
        i += 1;
        if (handled.isErr() || handled.value.duplicate) throw new Error(`telemetry bench: notification ${i} was not accepted as new`);
        return handled;
      };
    },
  };
}

/**
 * The telemetry rows: on the store openStore opens by default (PGlite on its worker thread) and on
 * PostgreSQL (when DATABASE_URL is set). Each side warms up for 3 s first (the
 * database engine's own speed settles over seconds: PGlite's WebAssembly, PostgreSQL's caches),
 * and a round lasts 2 s, about 1,500 notifications, so one slow disk sync does not decide a pair.
 */
export const rows = [
  ratio({ id: 'store-sql.telemetry.notification.pglite', subject: handlePath('pglite', true), baseline: handlePath('pglite', false), target: 0.9, warmMs: 3000, roundMs: 2000 }),
  ratio({ id: 'store-sql.telemetry.notification.postgres', subject: handlePath('postgres', true), baseline: handlePath('postgres', false), target: 0.9, warmMs: 3000, roundMs: 2000, skip: withoutPostgres }),
];
