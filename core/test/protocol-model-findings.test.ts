// Regression tests for what the model-based tests of the money protocol
// (conformance/test/protocol-model) found: each case is the smallest interleaving that broke a rule.
import { expect } from 'chai';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type CreatePaymentInput, type ListFilter, type Paykit, type PayResultAsync,
  type RecordKind, type Store, type StoredPayment, type StoredPreAuth, type StoredRefund, type Versioned,
} from '../src/index.js';
import { err, ResultAsync } from 'neverthrow';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, type FakeScript } from './support/fake-plugin.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;

interface World { readonly paykit: Paykit; readonly script: FakeScript; readonly store: InMemoryStore; readonly clock: FixedClock }

async function world(): Promise<World> {
  const script = defaultScript();
  const clock = new FixedClock(start);
  const store = new InMemoryStore();
  return { paykit: await paykitOn(store, script, clock), script, store, clock };
}

async function paykitOn(store: Store, script: FakeScript, clock: FixedClock): Promise<Paykit> {
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } } },
    { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return r._unsafeUnwrap();
}

/**
 * The store as a resolver sees it when its scan listed records a moment ago: `list` answers what
 * it answered then; everything else is the live store.
 */
class ListedEarlier implements Store {
  readonly #base: Store;
  readonly #listed: Map<RecordKind, readonly Versioned<unknown>[]>;
  constructor(base: Store, listed: Map<RecordKind, readonly Versioned<unknown>[]>) {
    this.#base = base;
    this.#listed = listed;
  }
  get: Store['get'] = (kind, id) => this.#base.get(kind, id);
  insert: Store['insert'] = (kind, id, value) => this.#base.insert(kind, id, value);
  update: Store['update'] = (kind, id, version, value) => this.#base.update(kind, id, version, value);
  list<T>(kind: RecordKind, filter?: ListFilter): PayResultAsync<readonly Versioned<T>[]> {
    const earlier = this.#listed.get(kind);
    return earlier ? okAsync(earlier as readonly Versioned<T>[]) : this.#base.list<T>(kind, filter);
  }
  recordNotification: Store['recordNotification'] = (p, k, v) => this.#base.recordNotification(p, k, v);
  commit: Store['commit'] = (c) => this.#base.commit(c);
  history: Store['history'] = (kind, id) => this.#base.history(kind, id);
  listPage: Store['listPage'] = (kind, query) => this.#base.listPage(kind, query);
  listEvents: Store['listEvents'] = (query) => this.#base.listEvents(query);
  pruneEvents: Store['pruneEvents'] = (maxId, before) => this.#base.pruneEvents(maxId, before);
  pruneNotifications: Store['pruneNotifications'] = (providerId, before) => this.#base.pruneNotifications(providerId, before);
}

describe('the money protocol (model-based findings)', () => {
  context('when two creates of a new order overlap while time passes', () => {
    it('gives out cashier forms that all name the order time paykit recorded', async () => {
      const w = await world();
      // The form carries the order time it was built with (LianLian's dt_order, Example Pay's created_at).
      w.script.create = (input: CreatePaymentInput) => okAsync({
        action: { kind: 'redirect', method: 'POST', url: 'https://fake.example/pay', fields: { order: input.orderId, created_at: String(input.createdAt?.getTime()) }, charset: 'UTF-8' },
        report: { orderId: input.orderId, status: 'pending', amount: input.amount },
      });
      w.script.delayMs = 5;
      const input = { orderId: 'A1', amount: cny(4965), description: 'Tea' };
      // A double click: the first create has read "no such order" and is building its form when
      // the second one starts, a few minutes later by the clock, before the first has committed.
      const first = w.paykit.payments.create(input);
      await new Promise((r) => setImmediate(r));
      w.clock.advance(6 * MINUTE);
      const second = w.paykit.payments.create(input);
      const forms = [(await first)._unsafeUnwrap(), (await second)._unsafeUnwrap()].map((c) => (c.action.kind === 'redirect' ? c.action.fields.created_at : undefined));
      const recorded = (await w.store.get<StoredPayment>('payment', 'A1'))._unsafeUnwrap()?.value.createdAt;
      expect(forms).to.deep.equal([String(recorded?.getTime()), String(recorded?.getTime())]);
      expect(w.script.calls.filter((c) => c.op === 'payments.create').map((c) => (c.request as CreatePaymentInput).createdAt?.getTime()).at(-1)).to.equal(recorded?.getTime());
    });
  });

  context('when the provider answers a refund with a code that asks to try again (busy, its own link down)', () => {
    it('is an unknown outcome: the amount stays reserved until a query says what happened', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'RB1', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', fakeNotification('k1', { type: 'payment', report: { orderId: 'RB1', status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
      w.script.refund = () => errAsync(PaymentErrors.providerRejected('fake: system busy (9999)', { providerId: 'fake', providerCode: '9999', retryable: true }));
      expect((await w.paykit.refunds.create({ refundId: 'RB1-r', orderId: 'RB1', amount: cny(10000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      expect((await w.store.get<StoredRefund>('refund', 'RB1-r'))._unsafeUnwrap()?.value.status).to.equal('pending');
      w.script.refund = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'succeeded', amount: req.amount });
      expect((await w.paykit.refunds.create({ refundId: 'RB1-r2', orderId: 'RB1', amount: cny(1) })).isErr()).to.equal(true);
      // The provider's back end had refunded after all.
      w.clock.advance(20 * MINUTE);
      (await w.paykit.resolvePending())._unsafeUnwrap();
      expect((await w.store.get<StoredRefund>('refund', 'RB1-r'))._unsafeUnwrap()?.value.status).to.equal('succeeded');
      expect((await w.paykit.payments.get('RB1'))._unsafeUnwrap().status).to.equal('refunded');
    });
  });

  context('when a refund in needs_attention is queried by hand and the provider still says pending', () => {
    it('keeps the reason and what to do, instead of a needs_attention record with neither', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'RA1', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', fakeNotification('k1', { type: 'payment', report: { orderId: 'RA1', status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
      w.script.refund = () => errAsync(PaymentErrors.timeout('no reply in time'));
      w.script.refundQuery = () => errAsync(PaymentErrors.timeout('query endpoint down'));
      expect((await w.paykit.refunds.create({ refundId: 'RA1-r', orderId: 'RA1', amount: cny(3000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      w.clock.advance(20 * MINUTE);
      (await w.paykit.resolvePending({ maxChecks: 1 }))._unsafeUnwrap();
      const before = (await w.store.get<StoredRefund>('refund', 'RA1-r'))._unsafeUnwrap()?.value;
      expect(before?.status).to.equal('needs_attention');
      expect(before?.attention).to.not.equal(undefined);
      // The operator asks by hand, as the docs say; the provider says the refund is still pending.
      w.script.refundQuery = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'pending', amount: req.amount });
      await w.paykit.refunds.query('RA1-r');
      const after = (await w.store.get<StoredRefund>('refund', 'RA1-r'))._unsafeUnwrap()?.value;
      expect(after?.status).to.equal('needs_attention');
      expect(after?.attention).to.deep.equal(before?.attention);
    });
  });

  context('when a notification of the status a pre-authorisation already has crosses a capture still being sent', () => {
    it('leaves the capture in flight, so its lost reply is settled by asking the provider, never by sending it again', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'PA2', amount: cny(10000), description: 'Stay', preauth: true }))._unsafeUnwrap();
      (await w.paykit.payments.query('PA2'))._unsafeUnwrap();
      let answer: (() => void) | undefined;
      // The capture is on the wire; its reply is then lost.
      w.script.capture = () => new ResultAsync(new Promise((resolve) => { answer = () => resolve(err(PaymentErrors.timeout('no reply in time'))); }));
      const capture = w.paykit.preauth.capture({ orderId: 'PA2', amount: cny(8000) });
      for (let i = 0; i < 50 && answer === undefined; i += 1) await new Promise((r) => setImmediate(r));
      // Meanwhile a late or repeated notification says the hold is authorised.
      (await w.paykit.notifications.handle('main', fakeNotification('k1', { type: 'preauth', report: { orderId: 'PA2', status: 'authorised' } })))._unsafeUnwrap();
      answer?.();
      expect((await capture)._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      const after = (await w.store.get<StoredPreAuth>('preauth', 'PA2'))._unsafeUnwrap()?.value;
      expect(after?.status).to.equal('authorised');
      expect(after?.inFlight).to.deep.include({ operation: 'preauth.capture', state: 'unknown' });
      // Capturing again is refused until the provider is asked.
      const calls = w.script.calls.filter((c) => c.op === 'preauth.capture').length;
      expect((await w.paykit.preauth.capture({ orderId: 'PA2', amount: cny(8000) })).isErr()).to.equal(true);
      expect(w.script.calls.filter((c) => c.op === 'preauth.capture').length).to.equal(calls);
    });
  });

  context('when a capture of unknown outcome is settled by a notification while a resolver is on its way to it', () => {
    it('leaves the captured pre-authorisation captured instead of giving up on it', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'PA1', amount: cny(10000), description: 'Stay', preauth: true }))._unsafeUnwrap();
      (await w.paykit.payments.query('PA1'))._unsafeUnwrap();
      w.script.capture = () => errAsync(PaymentErrors.timeout('no reply in time'));
      expect((await w.paykit.preauth.capture({ orderId: 'PA1', amount: cny(8000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      w.clock.advance(11 * MINUTE);
      // A cron resolver lists the capture in flight; then the provider's notification settles it.
      const listed = (await w.store.list('preauth', { statuses: ['authorised', 'needs_attention'] }))._unsafeUnwrap();
      const cron = await paykitOn(new ListedEarlier(w.store, new Map([['preauth', listed]])), w.script, w.clock);
      (await w.paykit.notifications.handle('main', fakeNotification('k1', { type: 'preauth', report: { orderId: 'PA1', status: 'captured', captured: cny(8000) } })))._unsafeUnwrap();
      expect((await w.paykit.preauth.get('PA1'))._unsafeUnwrap().status).to.equal('captured');
      // The fake provider has no pre-authorisation query: the resolver can only give up on what is still uncertain.
      const report = (await cron.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
      const after = (await w.store.get<StoredPreAuth>('preauth', 'PA1'))._unsafeUnwrap()?.value;
      expect(after).to.deep.include({ status: 'captured', captured: cny(8000) });
      expect(after?.attention).to.equal(undefined);
      expect(report.entries.map((e) => [e.id, e.outcome, e.after])).to.deep.equal([['PA1', 'settled', 'captured']]);
    });
  });
});
