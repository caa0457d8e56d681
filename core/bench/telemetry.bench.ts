/**
 * What paykit's OpenTelemetry instrumentation costs on the notification path: `notifications.handle`
 * (an Example Pay notification verified, applied and committed with its ledger entry in the
 * in-memory store) with the OpenTelemetry SDK registered (a tracer provider, a meter provider with
 * a reader), exporting nowhere, against the very same path with nothing registered. A reference
 * row: the in-memory store makes a notification about 60 µs, so this row shows the SDK's cost in
 * microseconds; the rows with the target (`store-sql.telemetry.notification.*`) compare the same on
 * the stores a service runs, PGlite and PostgreSQL.
 * For reference, the same with the SDK's async-hooks context manager registered too: its cost
 * falls on every promise of the process, paykit's or not. Each call takes a notification
 * of a new order from a pool made beforehand (a redelivery only once the pool is used up).
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createPaykit, InMemoryStore, type Paykit, type RawHttpRequest } from '@paykit/core';
import { ratio, type Side } from '@paykit/conformance/bench';
import { examplePlugin } from '@paykit/provider-example';
import { simCstTimestamp, simSign } from '@paykit/provider-example/testing';

const MERCHANT = 'M100200300';
const KEY = 'example-bench-merchant-key-0123456789';
/** Distinct notifications made before measuring (each op takes the next; new orders, never redeliveries while they last). */
const POOL = 120_000;

/** An Example Pay notification of a paid order, signed as the provider signs it. */
function notification(n: number): RawHttpRequest {
  const fields: Record<string, string> = {
    merchant_id: MERCHANT, notify_id: `N${n}`, order_no: `B${n}`, status: 'PAID', amount: '49.65', currency: 'CNY',
    payment_id: `P${n}`, paid_at: simCstTimestamp(new Date(Date.UTC(2024, 0, 1, 4, 0, 0))), sign_type: 'HMAC-SHA256',
  };
  const body = Buffer.from(JSON.stringify({ ...fields, sign: simSign(fields, KEY) }), 'utf8');
  return { method: 'POST', url: '/notify/example', headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}

/** A reader that collects only when asked (a Prometheus exporter is one that is asked on scrape). */
class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function handlePath(): Promise<() => unknown> {
  const made = await createPaykit({
    instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' } } },
  }, { plugins: [examplePlugin], store: new InMemoryStore() });
  if (made.isErr()) throw new Error(made.error.message);
  const paykit: Paykit = made.value;
  const pool = Array.from({ length: POOL }, (_, i) => notification(i));
  const first = await paykit.notifications.handle('shop', pool[0] as RawHttpRequest);
  if (first.isErr() || first.value.duplicate) throw new Error('the bench notification is not accepted');
  let i = 1;
  return () => {
    const r = pool[i % POOL] as RawHttpRequest;
    i += 1;
    return paykit.notifications.handle('shop', r);
  };
}

/** Registers the SDK's tracer provider and meter provider (with a reader) globally, as a service does at start. */
function registerSdk(): void {
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }));
}

const withSdk: Side = {
  name: 'notifications.handle (Example Pay, in-memory store) with the OpenTelemetry SDK registered: tracer provider, meter provider + reader; exporting nowhere',
  setup: async () => {
    registerSdk();
    return handlePath();
  },
};

const withSdkAndContext: Side = {
  name: 'the same with the async-hooks context manager registered too (as NodeSDK does): every promise pays for it',
  setup: async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    registerSdk();
    return handlePath();
  },
};

const withoutSdk: Side = {
  name: 'the same notifications.handle with nothing registered (paykit\'s instrumentation inactive)',
  setup: handlePath,
};

/** The telemetry rows of @paykit/core. */
export const rows = [
  ratio({ id: 'core.telemetry.notification', subject: withSdk, baseline: withoutSdk }),
  ratio({ id: 'core.telemetry.notification.context-manager', subject: withSdkAndContext, baseline: withoutSdk }),
];
