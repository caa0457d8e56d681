import { expect } from 'chai';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type Paykit, type PaykitEvent,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, sleep, type FakeScript } from './support/fake-plugin.js';

const KEY = 'k1';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; clock: FixedClock }

async function world(): Promise<World> {
  const script = defaultScript();
  const store = new InMemoryStore();
  const clock = new FixedClock(start);
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } } } }, { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}

const paidNotification = (orderId: string, amount = 10000) => fakeNotification(KEY, { type: 'payment', report: { orderId, status: 'succeeded', amount: cny(amount) } });
const types = async (w: World) => ((await w.paykit.events.list({ limit: 1000 }))._unsafeUnwrap()).map((e) => `${e.type}:${e.record.id}`);

describe('paykit.events', () => {
  context('when the facade moves money records', () => {
    it('publishes each transition once, with what caused it, and nothing for a redelivered notification', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'A1', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', paidNotification('A1')))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', paidNotification('A1')))._unsafeUnwrap();
      (await w.paykit.refunds.create({ refundId: 'R1', orderId: 'A1', amount: cny(3000) }))._unsafeUnwrap();
      expect(await types(w)).to.deep.equal([
        'payment.pending:A1', 'payment.succeeded:A1', 'refund.pending:R1', 'refund.succeeded:R1', 'payment.partially_refunded:A1',
      ]);
      const events = (await w.paykit.events.list())._unsafeUnwrap();
      expect(events[1]?.cause).to.deep.equal({ source: 'notification', operation: 'notifications.handle', eventKey: 'main:payment:A1:succeeded' });
      expect(events[3]?.cause).to.deep.equal({ source: 'reply', operation: 'refunds.create' });
      expect(events[4]).to.deep.include({ from: 'succeeded', to: 'partially_refunded', amount: cny(10000), amounts: { refunded: cny(3000) }, instanceId: 'main', occurredAt: start });
      expect(events[2]).to.deep.include({ orderId: 'A1', amount: cny(3000) });
      const ids = events.map((e) => e.id);
      expect([...ids].sort((a, b) => a - b)).to.deep.equal(ids);
    });

    it('publishes no event for protocol bookkeeping (a resolver\'s lease on an unchanged record)', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'A2', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      w.script.query = () => errAsync(PaymentErrors.timeout('no answer'));
      w.clock.advance(20 * 60_000);
      (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(await types(w)).to.deep.equal(['payment.pending:A2']);
    });

    it('publishes a correction and a move to needs_attention like any transition', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.providerRejected('refused', { providerCode: 'E1' }));
      await w.paykit.payouts.submit({ payoutId: 'P1', amount: cny(500), account: { type: 'private', accountNumber: '6222020000000000001', accountName: 'Li Lei' }, description: 'x' });
      (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payout', report: { providerOrderId: 'P1', status: 'succeeded' } })))._unsafeUnwrap();
      const events = (await w.paykit.events.list({ types: ['payout.succeeded'] }))._unsafeUnwrap();
      expect(events).to.have.length(1);
      expect(events[0]?.cause.correction).to.equal(true);
      w.script.capture = () => errAsync(PaymentErrors.timeout('no reply'));
      (await w.paykit.payments.create({ orderId: 'H1', amount: cny(100), description: 'Hotel', preauth: true }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', paidNotification('H1', 100)))._unsafeUnwrap();
      await w.paykit.preauth.capture({ orderId: 'H1', amount: cny(100) });
      w.clock.advance(20 * 60_000);
      (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(await types(w)).to.include('preauth.needs_attention:H1');
    });
  });

  context('when merchant code names an event type paykit does not publish', () => {
    it('refuses the subscription and the listing, naming the types there are, instead of passing over every event', async () => {
      const w = await world();
      const sub = w.paykit.events.subscribe('fulfilment', () => undefined, { types: ['payment.success'] });
      const e = sub._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.message).to.contain('payment.succeeded');
      expect((await w.paykit.events.list({ types: ['payments.succeeded'] }))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      // Nothing was taken: the consumer does not exist.
      expect((await w.paykit.events.consumer('fulfilment'))._unsafeUnwrapErr().kind).to.equal('NotFound');
    });
  });

  context('when merchant code subscribes', () => {
    it('hands each event to the handler in order as soon as it is committed, until stopped', async () => {
      const w = await world();
      const seen: PaykitEvent[] = [];
      const sub = w.paykit.events.subscribe('fulfilment', (e) => { seen.push(e); }, { types: ['payment.succeeded'], pollIntervalMs: 10_000 });
      (await w.paykit.payments.create({ orderId: 'S1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', paidNotification('S1', 100)))._unsafeUnwrap();
      for (let i = 0; i < 50 && seen.length === 0; i += 1) await sleep(10);
      expect(seen.map((e) => e.record.id)).to.deep.equal(['S1']);
      await sub._unsafeUnwrap().stop();
      expect((await w.paykit.events.consumer('fulfilment'))._unsafeUnwrap()).not.to.have.property('lease');
    });

    it('is stopped by paykit.close(): nothing committed afterwards reaches the handler, and no loop keeps the process alive', async () => {
      const w = await world();
      const seen: string[] = [];
      w.paykit.events.subscribe('fulfilment', (e) => { seen.push(e.record.id); }, { types: ['payment.succeeded'], pollIntervalMs: 10_000 })._unsafeUnwrap();
      (await w.paykit.close())._unsafeUnwrap();
      // Another process (here: another paykit on the same store) takes an order paid afterwards.
      const other = (await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } } } }, { plugins: [fakePlugin('fake', ALL, w.script)], store: w.store, clock: w.clock }))._unsafeUnwrap();
      (await other.payments.create({ orderId: 'S2', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      (await other.notifications.handle('main', paidNotification('S2', 100)))._unsafeUnwrap();
      await sleep(100);
      expect(seen).to.deep.equal([]);
      expect((await other.events.consumer('fulfilment'))._unsafeUnwrap()).not.to.have.property('lease');
      (await other.close())._unsafeUnwrap();
    });

    it('runs one round at a time per consumer in a paykit: a second subscription (or a deliver) waits instead of handling the same event at once', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'U1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      const running: number[] = [];
      let overlap = false;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => { release = r; });
      const handler = async (e: PaykitEvent) => {
        if (running.length > 0) overlap = true;
        running.push(e.id);
        await gate;
        running.pop();
      };
      const first = w.paykit.events.deliver('fulfilment', handler);
      for (let i = 0; i < 50 && running.length === 0; i += 1) await sleep(5);
      expect((await w.paykit.events.deliver('fulfilment', handler))._unsafeUnwrap().busy).to.equal(true);
      const sub = w.paykit.events.subscribe('fulfilment', handler, { pollIntervalMs: 10 })._unsafeUnwrap();
      await sleep(50);
      release();
      expect((await first)._unsafeUnwrap().handled).to.equal(1);
      await sub.stop();
      expect(overlap).to.equal(false);
      expect((await w.paykit.events.consumer('fulfilment'))._unsafeUnwrap().handled).to.equal(1);
    });

    it('stops after the handler call in progress, not after the rest of its batch', async () => {
      const w = await world();
      for (const id of ['V1', 'V2', 'V3', 'V4']) (await w.paykit.payments.create({ orderId: id, amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      const seen: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => { release = r; });
      const sub = w.paykit.events.subscribe('fulfilment', async (e) => {
        seen.push(e.record.id);
        if (seen.length === 1) await gate;
      }, { batch: 100, pollIntervalMs: 10_000 })._unsafeUnwrap();
      for (let i = 0; i < 50 && seen.length === 0; i += 1) await sleep(5);
      const stopped = sub.stop();
      release();
      await stopped;
      expect(seen).to.deep.equal(['V1']);
      expect((await w.paykit.events.consumer('fulfilment'))._unsafeUnwrap()).to.deep.include({ cursor: 1, handled: 1 });
    });

    it('writes nothing while idle: a subscription with no events does not renew a lease that has time left', async () => {
      const w = await world();
      const sub = w.paykit.events.subscribe('idle', () => undefined, { pollIntervalMs: 5 })._unsafeUnwrap();
      await sleep(30);
      const before = (await w.store.get('consumer', 'idle'))._unsafeUnwrap()?.version;
      // About twenty idle rounds.
      await sleep(100);
      expect((await w.store.get('consumer', 'idle'))._unsafeUnwrap()?.version).to.equal(before);
      // Past half its life the lease is renewed.
      w.clock.advance(20_000);
      await sleep(50);
      expect((await w.store.get('consumer', 'idle'))._unsafeUnwrap()?.version).to.equal((before ?? 0) + 1);
      await sub.stop();
    });

    it('refuses a bad consumer name or handler with InvalidRequest', async () => {
      const w = await world();
      expect(w.paykit.events.subscribe('no spaces', () => undefined)._unsafeUnwrapErr()).to.include({ kind: 'InvalidRequest', path: 'events.subscribe.consumer' });
      expect(w.paykit.events.subscribe('ok', 42 as never)._unsafeUnwrapErr()).to.include({ kind: 'InvalidRequest', path: 'events.subscribe.handler' });
      expect(w.paykit.events.subscribe('ok', () => undefined, { maxAttempts: 0 })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect((await w.paykit.events.list({ limit: -1 }))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect((await w.paykit.events.replay('fulfilment', { from: 0 }))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
    });

    it('accepts a handler that answers with a Result, and treats an Err as a failure', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'T1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      const round = (await w.paykit.events.deliver('results', () => errAsync(PaymentErrors.internal('no stock')), { maxAttempts: 1 }))._unsafeUnwrap();
      expect(round.parked).to.equal(1);
      expect((await w.paykit.events.parked('results'))._unsafeUnwrap()[0]?.lastError).to.equal('no stock');
      const ok = (await w.paykit.events.deliver('results-2', () => okAsync(1)))._unsafeUnwrap();
      expect(ok.handled).to.equal(1);
    });
  });

  context('when a parked event is replayed and handled', () => {
    it('marks it replayed in the same commit as the cursor: a process dying right after leaves no false parked alarm', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'RP1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.events.deliver('mailer', () => errAsync(PaymentErrors.internal('smtp down')), { maxAttempts: 1 }))._unsafeUnwrap();
      expect((await w.paykit.events.parked('mailer'))._unsafeUnwrap().map((p) => p.status)).to.deep.equal(['parked']);
      (await w.paykit.events.replay('mailer', { from: 1 }))._unsafeUnwrap();
      // The process stops for good after the commit that records the handled event: every later commit fails.
      const commit = w.store.commit.bind(w.store);
      let handled = false;
      w.store.commit = ((change: Parameters<typeof w.store.commit>[0]) => {
        if (handled) return errAsync(PaymentErrors.network('the process is gone', false));
        const moved = change.writes.some((x) => x.kind === 'consumer' && (x.value as { handled?: number }).handled === 1);
        return commit(change).map((o) => { handled = handled || moved; return o; });
      }) as typeof w.store.commit;
      await w.paykit.events.deliver('mailer', () => undefined);
      w.store.commit = commit;
      expect(handled).to.equal(true);
      expect((await w.paykit.events.parked('mailer'))._unsafeUnwrap()).to.deep.equal([]);
    });
  });

  context('when a handler never settles', () => {
    it('counts the call as a failed attempt after handlerTimeoutMs, parks the event after its attempts and delivers the next', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'H1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.payments.create({ orderId: 'H2', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      const seen: string[] = [];
      const errors: string[] = [];
      const handler = (e: PaykitEvent) => {
        seen.push(e.record.id);
        return e.record.id === 'H1' ? new Promise<void>(() => undefined) : undefined;
      };
      const o = { handlerTimeoutMs: 40, maxAttempts: 2, backoffMs: 0, onError: (err: { message: string }) => errors.push(err.message) };
      const first = (await w.paykit.events.deliver('stuck', handler, o))._unsafeUnwrap();
      expect(first).to.deep.include({ handled: 0, parked: 0, busy: false });
      expect(errors[0]).to.match(/did not settle within 40 ms/);
      const second = (await w.paykit.events.deliver('stuck', handler, o))._unsafeUnwrap();
      expect(second).to.deep.include({ handled: 1, parked: 1 });
      expect(seen).to.deep.equal(['H1', 'H1', 'H2']);
      const parked = (await w.paykit.events.parked('stuck'))._unsafeUnwrap();
      expect(parked.map((p) => p.lastError)).to.deep.equal(['the handler did not settle within 40 ms (handlerTimeoutMs)']);
    });

    it('stores and shows a failed handler\'s error without the card number or database password it carried', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'H3', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      const round = (await w.paykit.events.deliver('leaky', () => { throw new Error('card 6222020200112233445 refused by postgres://shop:hunter2@db.internal/orders'); }, { maxAttempts: 1 }))._unsafeUnwrap();
      expect(round.parked).to.equal(1);
      const [p] = (await w.paykit.events.parked('leaky'))._unsafeUnwrap();
      expect(p?.lastError).to.match(/^Error: card .*3445 refused by postgres:\/\/\*\*\*@db\.internal\/orders$/);
      expect(JSON.stringify(await w.store.get('consumer', 'leaky'))).not.to.match(/6222020200112233445|hunter2/);
    });

    it('refuses a handlerTimeoutMs that is not a whole number of ms from 1', async () => {
      const w = await world();
      for (const bad of [0, -1, 1.5, Number.NaN, '100']) {
        expect(w.paykit.events.subscribe('ok', () => undefined, { handlerTimeoutMs: bad as never })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      }
    });
  });

  context('when old entries are pruned', () => {
    const DAY = 86_400_000;
    it('removes events every consumer has passed and notifications past their provider\'s redelivery window, keeping the rest', async () => {
      const script = defaultScript();
      const store = new InMemoryStore();
      const clock = new FixedClock(start);
      const plugins = [{ ...fakePlugin('fake', ALL, script), limits: { redeliveryWindowMs: 3_600_000 } }, fakePlugin('nowindow', ['payments', 'notifications'], script)];
      const paykit = (await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } }, other: { plugin: 'nowindow', options: { merchantId: 'M2', apiKey: 'k2' } } }, routes: { payments: 'main' } },
        { plugins, store, clock }))._unsafeUnwrap();
      (await paykit.payments.create({ orderId: 'P1', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      (await paykit.notifications.handle('main', paidNotification('P1', 100)))._unsafeUnwrap();
      (await paykit.notifications.handle('other', fakeNotification('k2', { type: 'payment', report: { orderId: 'P2', status: 'succeeded', amount: cny(100) } })))._unsafeUnwrap();
      // One consumer has handled only the first event.
      let n = 0;
      (await paykit.events.deliver('slow', () => { n += 1; if (n > 1) throw new Error('stop'); }, { maxAttempts: 100 }))._unsafeUnwrap();
      expect((await paykit.prune({ olderThan: 1000 }))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      // The store stamps notifications with the system time: prune "90 days from now" for the test.
      clock.set(new Date(Date.now() + 91 * DAY));
      const report = (await paykit.prune({ olderThan: 90 * DAY }))._unsafeUnwrap();
      expect(report).to.deep.equal({ events: 1, eventsUpTo: 1, notifications: { fake: 1 }, keptNotifications: ['nowindow'] });
      expect((await paykit.events.list())._unsafeUnwrap().map((e) => e.id)).to.deep.equal([2, 3]);
      // The pruned notification is no longer a duplicate; the kept one still is.
      expect((await paykit.notifications.handle('other', fakeNotification('k2', { type: 'payment', report: { orderId: 'P2', status: 'succeeded', amount: cny(100) } })))._unsafeUnwrap().duplicate).to.equal(true);
    });
  });
});
