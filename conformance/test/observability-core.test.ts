// What paykit's instrumentation does beside the provider scenarios: nothing at all with nothing
// registered, the global providers when the SDK registers them, the gauges of records in
// needs_attention and of parked events (read from the store, cached), and the readiness check.
import { expect } from 'chai';
import { errAsync, okAsync } from 'neverthrow';
import { metrics, trace } from '@opentelemetry/api';
import {
  ATTR, createPaykit, FixedClock, InMemoryStore, METRICS, PaymentErrors, SPANS, Tokens, zero,
  type HttpTransport, type Paykit, type ParkedEvent, type ConsumerState, type Store, type StoredPayment, type TelemetryOptions,
} from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { LoopbackTransport } from '@paykit/core/simulator';
import { startContext, stopContext, TelemetryRecorder } from './fixtures/telemetry.js';

const KEY = 'example-observability-key-0123456789';
const MERCHANT = 'M100200';

describe('Observability: paykit itself', function () {
  let sim: ExampleSimulator;
  before(async function () {
    startContext();
    sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
  });
  after(async function () {
    await sim.close();
    stopContext();
  });

  const options = () => ({ merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify/example' });
  async function build(deps: { telemetry?: TelemetryOptions; store?: Store; transport?: HttpTransport; clock?: FixedClock } = {}): Promise<Paykit> {
    const made = await createPaykit({ instances: { shop: { plugin: 'example', options: options() } } }, { plugins: [examplePlugin], transport: new LoopbackTransport(), ...deps });
    return made._unsafeUnwrap();
  }

  context('when no OpenTelemetry provider is registered', () => {
    it('hands the facade the plugin\'s own services and the merchant\'s own transport, and is inactive', async () => {
      const sent: unknown[] = [];
      const loop = new LoopbackTransport();
      const transport: HttpTransport = { send: (request, o) => { sent.push(request); return loop.send(request, o); } };
      const paykit = await build({ transport });
      try {
        expect(paykit.telemetry.active).to.equal(false);
        const own = paykit.extension('shop', Tokens.Payments)._unsafeUnwrap();
        expect(paykit.service('payments', 'query', 'shop')._unsafeUnwrap().service).to.equal(own);
        const created = (await paykit.payments.create({ orderId: 'NOOP1', amount: { amount: 100, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap();
        await sim.pay(created.action, 'succeeded');
        expect((await paykit.payments.query('NOOP1'))._unsafeUnwrap().status).to.equal('succeeded');
        // The plugin's request reached the merchant's transport as the plugin built it.
        expect(sent).to.have.length.greaterThan(0);
        expect(loop.sent.map((s) => s.request)).to.deep.equal(sent);
      } finally {
        await paykit.close();
      }
    });
  });

  context('when the SDK registers global providers', () => {
    afterEach(() => {
      trace.disable();
      metrics.disable();
    });

    it('traces with a tracer provider registered after createPaykit, and meters with one registered before', async () => {
      const rec = new TelemetryRecorder();
      metrics.setGlobalMeterProvider(rec.meterProvider);
      const paykit = await build();
      try {
        expect(paykit.telemetry.metering).to.equal(true);
        expect(paykit.telemetry.tracer()).to.equal(undefined);
        trace.setGlobalTracerProvider(rec.tracerProvider);
        expect(paykit.telemetry.tracer()).not.to.equal(undefined);
        (await paykit.payments.create({ orderId: 'GLOBAL1', amount: { amount: 100, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap();
        expect(rec.named(SPANS.providerCall).map((s) => s.attributes[ATTR.operation])).to.deep.equal(['payments.create']);
        expect((await rec.value(METRICS.providerCalls, { [ATTR.operation]: 'payments.create', [ATTR.outcome]: 'ok' }))?.value).to.equal(1);
      } finally {
        await paykit.close();
        await rec.shutdown();
      }
    });
  });

  context('when records need attention and events are parked', () => {
    const clock = new FixedClock(new Date('2025-03-01T08:00:00Z'));
    const amount = { amount: 4965, currency: 'CNY' } as const;
    async function seeded(store: Store): Promise<void> {
      const payment = (orderId: string, extra: Partial<StoredPayment>): StoredPayment => ({
        orderId, instanceId: 'shop', amount, status: 'pending', refunded: zero('CNY'), refundReserved: zero('CNY'), createdAt: new Date('2025-03-01T06:00:00Z'), ...extra,
      });
      (await store.insert('payment', 'ATTN1', payment('ATTN1', { status: 'needs_attention', attention: { reason: 'r', action: 'a', since: new Date('2025-03-01T07:00:00Z'), from: 'pending' } })))._unsafeUnwrap();
      (await store.insert('payment', 'WAIT1', payment('WAIT1', {})))._unsafeUnwrap();
      (await store.insert('payment', 'SEND1', payment('SEND1', { inFlight: { operation: 'payments.create', state: 'sending', since: new Date('2025-03-01T07:59:00Z') } })))._unsafeUnwrap();
      const consumer: ConsumerState = { name: 'fulfilment', cursor: 2, handled: 0, parked: 1 };
      (await store.insert('consumer', 'fulfilment', consumer))._unsafeUnwrap();
      (await store.insert('consumer', 'mailer', { ...consumer, name: 'mailer', parked: 0 }))._unsafeUnwrap();
      const event = { id: 2, type: 'payment.succeeded', record: { kind: 'payment' as const, id: 'X', version: 2 }, from: 'pending', to: 'succeeded', instanceId: 'shop', amount, cause: { source: 'notification' as const }, occurredAt: new Date('2025-03-01T07:30:00Z') };
      const parked: ParkedEvent = { consumer: 'fulfilment', event, attempts: 8, lastError: 'Error: boom', parkedAt: new Date('2025-03-01T07:45:00Z'), status: 'parked' };
      (await store.insert('parked', 'fulfilment:2', parked))._unsafeUnwrap();
      (await store.insert('parked', 'fulfilment:1', { ...parked, event: { ...event, id: 1 }, parkedAt: new Date('2025-03-01T06:00:00Z'), status: 'replayed' }))._unsafeUnwrap();
    }

    it('counts them by state with the age of the oldest, by paykit\'s clock, and replayed events no more', async () => {
      const rec = new TelemetryRecorder();
      const store = new InMemoryStore();
      await seeded(store);
      const paykit = await build({ telemetry: rec.options(), store, clock });
      try {
        const state = (kind: string, s: string) => ({ [ATTR.recordKind]: kind, [ATTR.recordState]: s });
        expect((await rec.value(METRICS.records, state('payment', 'needs_attention')))?.value).to.equal(1);
        expect((await rec.value(METRICS.recordsOldestAge, state('payment', 'needs_attention')))?.value).to.equal(3600);
        expect((await rec.value(METRICS.records, state('payment', 'in_flight')))?.value).to.equal(1);
        expect((await rec.value(METRICS.recordsOldestAge, state('payment', 'in_flight')))?.value).to.equal(60);
        // A payment waiting for its payer is in none of the states.
        expect((await rec.value(METRICS.records, state('payment', 'unknown')))?.value).to.equal(0);
        expect((await rec.value(METRICS.records, state('payout', 'held_for_review')))?.value).to.equal(0);
        expect((await rec.value(METRICS.parkedEvents, { [ATTR.consumer]: 'fulfilment' }))?.value).to.equal(1);
        expect((await rec.value(METRICS.parkedOldestAge, { [ATTR.consumer]: 'fulfilment' }))?.value).to.equal(900);
        expect((await rec.value(METRICS.parkedEvents, { [ATTR.consumer]: 'mailer' }))?.value).to.equal(0);
      } finally {
        await paykit.close();
        await rec.shutdown();
      }
    });

    it('reads the store once per cache period however often metrics are collected, and only open statuses', async () => {
      const rec = new TelemetryRecorder();
      const base = new InMemoryStore();
      await seeded(base);
      const lists: { kind: string; statuses?: readonly string[] }[] = [];
      const store: Store = Object.assign(Object.create(base) as Store, {
        list: (kind: Parameters<Store['list']>[0], filter?: Parameters<Store['list']>[1]) => {
          lists.push({ kind, ...(filter?.statuses ? { statuses: filter.statuses } : {}) });
          return base.list(kind, filter);
        },
      });
      const paykit = await build({ telemetry: { ...rec.options(), gaugeCacheMs: 60_000 }, store, clock });
      try {
        await rec.metrics();
        const once = lists.length;
        await rec.metrics();
        await rec.metrics();
        expect(lists.length, 'collections within the cache period read nothing more').to.equal(once);
        for (const l of lists.filter((x) => ['payment', 'refund', 'payout', 'preauth'].includes(x.kind))) {
          expect(l.statuses, `${l.kind} read with a status filter`).to.be.an('array').that.includes('needs_attention').and.not.include('succeeded');
        }
      } finally {
        await paykit.close();
        await rec.shutdown();
      }
    });

    it('skips the gauges when the store cannot be read, tries again at the next collection, and stops observing once closed', async () => {
      const rec = new TelemetryRecorder();
      const base = new InMemoryStore();
      await seeded(base);
      let failing = true;
      let reads = 0;
      const store: Store = Object.assign(Object.create(base) as Store, {
        list: (kind: Parameters<Store['list']>[0], filter?: Parameters<Store['list']>[1]) => {
          reads += 1;
          return failing ? errAsync(PaymentErrors.network('store down', false)) : base.list(kind, filter);
        },
      });
      const paykit = await build({ telemetry: rec.options(), store, clock });
      expect(await rec.points(METRICS.records)).to.deep.equal([]);
      failing = false;
      expect((await rec.value(METRICS.records, { [ATTR.recordKind]: 'payment', [ATTR.recordState]: 'needs_attention' }))?.value).to.equal(1);
      await paykit.close();
      const before = reads;
      await rec.metrics();
      expect(reads, 'a closed paykit\'s store is not read for the gauges').to.equal(before);
      await rec.shutdown();
    });
  });

  context('when readiness is asked', () => {
    it('is ready on a store that answers, with the instances named', async () => {
      const paykit = await build();
      const report = (await paykit.health())._unsafeUnwrap();
      await paykit.close();
      expect(report).to.deep.equal({
        ready: true,
        checks: {
          store: { ok: true, detail: 'the store answered' },
          migrations: { ok: true, detail: 'the store has no schema to migrate' },
          instances: { ok: true, detail: '1 instance: shop' },
        },
      });
    });

    it('is not ready when the store does not answer in time', async () => {
      const base = new InMemoryStore();
      const hung: Store = Object.assign(Object.create(base) as Store, { health: () => new Promise(() => undefined) as never });
      const paykit = await build({ store: hung });
      const report = (await paykit.health({ timeoutMs: 50 }))._unsafeUnwrap();
      await paykit.close();
      expect(report.ready).to.equal(false);
      expect(report.checks.store).to.deep.equal({ ok: false, detail: 'the store did not answer within 50 ms' });
    });

    it('is not ready once closed', async () => {
      const paykit = await build({ store: Object.assign(Object.create(new InMemoryStore()) as Store, { health: () => okAsync({}) }) });
      await paykit.close();
      const report = (await paykit.health())._unsafeUnwrap();
      expect(report.ready).to.equal(false);
      expect(report.checks.instances).to.deep.equal({ ok: false, detail: 'paykit was closed' });
    });
  });

  context('when deps.telemetry is not what it should be', () => {
    it('refuses to build, naming the entry', async () => {
      for (const [telemetry, path] of [[{ meterProvider: {} }, 'deps.telemetry.meterProvider'], [{ tracerProvider: 'x' }, 'deps.telemetry.tracerProvider'], [{ gaugeCacheMs: -1 }, 'deps.telemetry.gaugeCacheMs'], [42, 'deps.telemetry']] as const) {
        const made = await createPaykit({ instances: { shop: { plugin: 'example', options: options() } } }, { plugins: [examplePlugin], telemetry: telemetry as never });
        const e = made._unsafeUnwrapErr();
        expect([e.kind, e.path]).to.deep.equal(['InvalidConfig', path]);
      }
    });
  });
});
