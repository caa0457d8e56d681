// Regression tests for what the model-based tests of the money protocol
// (conformance/test/protocol-model) found: each case is the smallest interleaving that broke a rule.
import { expect } from 'chai';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type CreatePaymentInput, type ListFilter, type Paykit, type PayResultAsync,
  type RecordKind, type Store, type StoredPayment, type StoredPreAuth, type Versioned,
} from '../src/index.js';
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
