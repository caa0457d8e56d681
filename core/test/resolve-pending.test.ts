import { expect } from 'chai';
import { errAsync as errA, ResultAsync } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type Paykit, type PayoutReport, type PayResultAsync, type Store,
  type StoredPayment, type StoredRefund,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakePlugin, okAsync, sleep, type FakeScript } from './support/fake-plugin.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;
const account = { type: 'private' as const, accountNumber: '6222020000000000001', accountName: 'Li Lei' };

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; clock: FixedClock }

/** One instance `main` serving everything, and `basic`, whose plugin serves payments only. */
async function world(store: Store = new InMemoryStore()): Promise<World> {
  const script = defaultScript();
  const clock = new FixedClock(start);
  const r = await createPaykit({
    instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } }, basic: { plugin: 'basic', options: { merchantId: 'M2', apiKey: 'k2' } } },
    routes: { payments: 'main' },
  }, { plugins: [fakePlugin('fake', ALL, script), fakePlugin('basic', ['payments'], script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store: store as InMemoryStore, clock };
}

const ops = (s: FakeScript) => s.calls.map((c) => c.op);
async function createPending(w: World, orderId: string, amount = 10000): Promise<void> {
  (await w.paykit.payments.create({ orderId, amount: cny(amount), description: 'Tea' }))._unsafeUnwrap();
}
/** Submits a payout whose reply is lost: it is recorded as `unknown`. */
async function unknownPayout(w: World, payoutId: string, providerOrderId: string): Promise<void> {
  w.script.submit = () => errAsync(PaymentErrors.timeout('no reply in time'));
  const r = await w.paykit.payouts.submit({ payoutId, providerOrderId, amount: cny(5000), account, description: 'refund of deposit' });
  expect(r._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
  expect((await w.paykit.payouts.get(payoutId))._unsafeUnwrap().status).to.equal('unknown');
  w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'processing' });
}
async function statusOf(w: World, kind: 'payment' | 'refund' | 'payout', id: string): Promise<unknown> {
  return ((await w.store.get<{ status: string }>(kind, id))._unsafeUnwrap())?.value.status;
}

describe('paykit.resolvePending', () => {
  context('when a pending payment is older than olderThan', () => {
    it('queries its provider and records the success', async () => {
      const w = await world();
      await createPending(w, 'A1', 4965);
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries).to.deep.equal([{ kind: 'payments', id: 'A1', instanceId: 'main', operation: 'payments.query', before: 'pending', after: 'succeeded', outcome: 'settled' }]);
      expect(report.totals).to.deep.equal({ checked: 1, settled: 1, stillPending: 0, failed: 0, skipped: 0, busy: 0, needsAttention: 0, remaining: 0 });
      expect(ops(w.script)).to.deep.equal(['payments.create', 'payments.query']);
      expect(w.script.calls[1]?.request).to.deep.equal({ orderId: 'A1', createdAt: start, amount: cny(4965) });
      expect(await statusOf(w, 'payment', 'A1')).to.equal('succeeded');
    });
  });

  context('when a pending payment is younger than olderThan', () => {
    it('leaves it alone and asks no provider', async () => {
      const w = await world();
      await createPending(w, 'OLD');
      w.clock.advance(10 * MINUTE + 1);
      await createPending(w, 'FRESH');
      w.clock.advance(9 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries.map((e) => e.id)).to.deep.equal(['OLD']);
      expect(w.script.calls.filter((c) => c.op === 'payments.query').map((c) => (c.request as { orderId: string }).orderId)).to.deep.equal(['OLD']);
      expect(await statusOf(w, 'payment', 'FRESH')).to.equal('pending');
    });

    it('takes a shorter olderThan when given one', async () => {
      const w = await world();
      await createPending(w, 'A1');
      w.clock.advance(2 * MINUTE);
      expect((await w.paykit.resolvePending({ olderThan: 3 * MINUTE }))._unsafeUnwrap().entries).to.deep.equal([]);
      expect((await w.paykit.resolvePending({ olderThan: 2 * MINUTE }))._unsafeUnwrap().totals.settled).to.equal(1);
    });
  });

  context('when a payout\'s outcome is unknown', () => {
    it('resends it with the same provider order number when the provider has no record of it', async () => {
      const w = await world();
      await unknownPayout(w, 'PAY-1', 'PO-0001');
      w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order', { providerId: 'fake' }));
      w.clock.advance(15 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries).to.deep.equal([{ kind: 'payouts', id: 'PAY-1', instanceId: 'main', operation: 'payouts.resolve', before: 'unknown', after: 'processing', outcome: 'still_pending' }]);
      const submits = w.script.calls.filter((c) => c.op === 'payouts.submit').map((c) => (c.request as { providerOrderId: string }).providerOrderId);
      expect(submits).to.deep.equal(['PO-0001', 'PO-0001']);
      expect(ops(w.script)).to.deep.equal(['payouts.submit', 'payouts.query', 'payouts.submit']);
      expect((await w.store.get<{ attempts: number }>('payout', 'PAY-1'))._unsafeUnwrap()?.value.attempts).to.equal(2);
    });

    it('applies the provider\'s answer and sends nothing when the provider knows the order', async () => {
      const w = await world();
      await unknownPayout(w, 'PAY-2', 'PO-0002');
      w.script.payoutQuery = (req): PayResultAsync<PayoutReport> => okAsync({ providerOrderId: req.providerOrderId, status: 'succeeded' });
      w.clock.advance(15 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ before: 'unknown', after: 'succeeded', outcome: 'settled' });
      expect(ops(w.script)).to.deep.equal(['payouts.submit', 'payouts.query']);
      expect((w.script.calls[1]?.request as { providerOrderId: string }).providerOrderId).to.equal('PO-0002');
    });
  });

  context('when a payout is in flight', () => {
    it('only queries it, never resending even when the provider says NotFound', async () => {
      const w = await world();
      (await w.paykit.payouts.submit({ payoutId: 'PAY-3', amount: cny(100), account, description: 'x' }))._unsafeUnwrap();
      expect(await statusOf(w, 'payout', 'PAY-3')).to.equal('accepted');
      w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order'));
      w.clock.advance(15 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries).to.deep.equal([{
        kind: 'payouts', id: 'PAY-3', instanceId: 'main', operation: 'payouts.resolve', before: 'accepted', outcome: 'failed',
        error: { kind: 'NotFound', code: 'not_found', message: 'no such order' },
      }]);
      expect(ops(w.script)).to.deep.equal(['payouts.submit', 'payouts.query']);
      expect(await statusOf(w, 'payout', 'PAY-3')).to.equal('accepted');
    });
  });

  context('when the provider has no record of a pending payment (the payer never reached it)', () => {
    const DAY = 24 * 60 * MINUTE;
    const notFound = () => errAsync(PaymentErrors.notFound('fake: no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
    it('reports it failed, as before, unless closeNotFoundAfter is given', async () => {
      const w = await world();
      await createPending(w, 'G1');
      w.script.query = notFound;
      w.clock.advance(30 * DAY);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ outcome: 'failed', before: 'pending' });
      expect(report.entries[0]?.error?.kind).to.equal('NotFound');
      expect(await statusOf(w, 'payment', 'G1')).to.equal('pending');
    });
    it('closes it once older than closeNotFoundAfter, leaves a younger one, and a late success still applies', async () => {
      const w = await world();
      await createPending(w, 'G2');
      w.clock.advance(3 * DAY);
      await createPending(w, 'G3');
      w.clock.advance(DAY);
      const query = w.script.query;
      w.script.query = notFound;
      const report = (await w.paykit.resolvePending({ closeNotFoundAfter: 2 * DAY }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome, e.after ?? e.error?.kind])).to.deep.equal([['G2', 'settled', 'closed'], ['G3', 'failed', 'NotFound']]);
      expect(report.totals).to.deep.include({ settled: 1, failed: 1 });
      expect(await statusOf(w, 'payment', 'G2')).to.equal('closed');
      expect(await statusOf(w, 'payment', 'G3')).to.equal('pending');
      // The payer turns up after all: the provider's success is recorded.
      w.script.query = query;
      expect((await w.paykit.payments.query('G2'))._unsafeUnwrap().status).to.equal('succeeded');
    });
    it('never closes on a NotFound that is not the provider\'s, or on any other error', async () => {
      const w = await world();
      await createPending(w, 'G4');
      await createPending(w, 'G5');
      w.script.query = (ref) => errAsync(ref.orderId === 'G4' ? PaymentErrors.notFound('not the provider speaking') : PaymentErrors.providerRejected('merchant suspended', { providerId: 'fake' }));
      w.clock.advance(30 * DAY);
      const report = (await w.paykit.resolvePending({ closeNotFoundAfter: DAY }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome])).to.deep.equal([['G4', 'failed'], ['G5', 'failed']]);
      expect(await statusOf(w, 'payment', 'G4')).to.equal('pending');
      expect(await statusOf(w, 'payment', 'G5')).to.equal('pending');
    });
  });

  context('when one query fails', () => {
    it('reports that record with its error and still settles the others', async () => {
      const w = await world();
      for (const id of ['A1', 'A2', 'A3']) await createPending(w, id);
      const query = w.script.query;
      w.script.query = (ref) => (ref.orderId === 'A2' ? errAsync(PaymentErrors.providerRejected('merchant suspended', { providerCode: '9001' })) : query(ref));
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome, e.after ?? e.error?.kind])).to.deep.equal([
        ['A1', 'settled', 'succeeded'], ['A2', 'failed', 'ProviderRejected'], ['A3', 'settled', 'succeeded'],
      ]);
      expect(report.entries[1]?.error?.message).to.equal('merchant suspended');
      expect(report.totals).to.deep.equal({ checked: 3, settled: 2, stillPending: 0, failed: 1, skipped: 0, busy: 0, needsAttention: 0, remaining: 0 });
      expect(await statusOf(w, 'payment', 'A2')).to.equal('pending');
    });
  });

  context('when a query answers OutcomeUnknown', () => {
    it('leaves the record as it is and reports it as still pending with the error', async () => {
      const w = await world();
      await createPending(w, 'U1');
      w.script.query = () => errAsync(PaymentErrors.outcomeUnknown('provider said: query again later', { operation: 'payments.query', reference: 'U1', hint: 'query again' }));
      w.clock.advance(20 * MINUTE);
      const before = (await w.store.history('payment', 'U1'))._unsafeUnwrap();
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ outcome: 'still_pending', before: 'pending' });
      expect(report.entries[0]?.error).to.deep.equal({ kind: 'OutcomeUnknown', code: 'outcome_unknown', message: 'provider said: query again later' });
      expect(report.entries[0]).not.to.have.property('after');
      // The check held the record's lease (one version) and gave it back (another): the status never moved.
      const after = (await w.store.history('payment', 'U1'))._unsafeUnwrap();
      expect(after.slice(0, before.length)).to.deep.equal(before);
      expect(after.slice(before.length).map((v) => [v.status, v.cause?.source])).to.deep.equal([['pending', 'resolve'], ['pending', 'resolve']]);
      const rec = (await w.store.get<StoredPayment>('payment', 'U1'))._unsafeUnwrap()?.value;
      expect(rec).not.to.have.property('lease');
    });
  });

  context('when records are final', () => {
    it('never touches them', async () => {
      const w = await world();
      await createPending(w, 'PAID');
      (await w.paykit.payments.query('PAID'))._unsafeUnwrap();
      await createPending(w, 'CLOSED');
      const query = w.script.query;
      w.script.query = (ref) => (ref.amount ? okAsync({ orderId: ref.orderId, status: 'closed', amount: ref.amount }) : query(ref));
      (await w.paykit.payments.query('CLOSED'))._unsafeUnwrap();
      w.script.refund = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'succeeded', amount: req.amount });
      (await w.paykit.refunds.create({ refundId: 'R-DONE', orderId: 'PAID', amount: cny(100) }))._unsafeUnwrap();
      w.script.submit = () => errAsync(PaymentErrors.providerRejected('invalid account', { providerCode: 'E01' }));
      await w.paykit.payouts.submit({ payoutId: 'P-FAILED', amount: cny(100), account, description: 'x' });
      expect([await statusOf(w, 'payment', 'PAID'), await statusOf(w, 'payment', 'CLOSED'), await statusOf(w, 'refund', 'R-DONE'), await statusOf(w, 'payout', 'P-FAILED')])
        .to.deep.equal(['partially_refunded', 'closed', 'succeeded', 'failed']);
      const calls = w.script.calls.length;
      const histories = await Promise.all([['payment', 'PAID'], ['payment', 'CLOSED'], ['refund', 'R-DONE'], ['payout', 'P-FAILED']].map(([k, id]) => w.store.history(k as 'payment', id as string)));
      w.clock.advance(24 * 60 * MINUTE);
      const report = (await w.paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
      expect(report.entries).to.deep.equal([]);
      expect(report.totals.checked).to.equal(0);
      expect(w.script.calls.length).to.equal(calls);
      const after = await Promise.all([['payment', 'PAID'], ['payment', 'CLOSED'], ['refund', 'R-DONE'], ['payout', 'P-FAILED']].map(([k, id]) => w.store.history(k as 'payment', id as string)));
      expect(after.map((h) => h._unsafeUnwrap())).to.deep.equal(histories.map((h) => h._unsafeUnwrap()));
    });
  });

  context('when a refund is pending', () => {
    it('queries it and moves the payment\'s refunded total', async () => {
      const w = await world();
      await createPending(w, 'B1', 10000);
      (await w.paykit.payments.query('B1'))._unsafeUnwrap();
      w.script.refund = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'pending', amount: req.amount });
      (await w.paykit.refunds.create({ refundId: 'RF-1', orderId: 'B1', amount: cny(2500) }))._unsafeUnwrap();
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending({ kinds: ['refunds'] }))._unsafeUnwrap();
      expect(report.entries).to.deep.equal([{ kind: 'refunds', id: 'RF-1', instanceId: 'main', operation: 'refunds.query', before: 'pending', after: 'succeeded', outcome: 'settled' }]);
      expect((await w.store.get<StoredPayment>('payment', 'B1'))._unsafeUnwrap()?.value).to.deep.include({ status: 'partially_refunded', refunded: cny(2500) });
    });
  });

  context('when the record\'s instance cannot do the operation', () => {
    it('reports it as skipped, not failed, and asks nothing', async () => {
      const w = await world();
      const payment: StoredPayment = { orderId: 'C1', instanceId: 'basic', amount: cny(800), status: 'succeeded', refunded: cny(0), refundReserved: cny(800), createdAt: start };
      const refund: StoredRefund = { refundId: 'RC-1', orderId: 'C1', amount: cny(800), status: 'pending', instanceId: 'basic', requestedAt: start };
      (await w.store.insert('payment', 'C1', payment))._unsafeUnwrap();
      (await w.store.insert('refund', 'RC-1', refund))._unsafeUnwrap();
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries).to.have.length(1);
      expect(report.entries[0]).to.deep.include({ kind: 'refunds', id: 'RC-1', instanceId: 'basic', outcome: 'skipped', before: 'pending' });
      expect(report.entries[0]?.error?.kind).to.equal('Unsupported');
      expect(report.totals).to.deep.include({ skipped: 1, failed: 0 });
      expect(w.script.calls).to.deep.equal([]);
    });
  });

  context('with kinds, limit and concurrency', () => {
    it('scans only the kinds asked for', async () => {
      const w = await world();
      await createPending(w, 'K1');
      await unknownPayout(w, 'KP', 'KP-1');
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending({ kinds: ['payouts'] }))._unsafeUnwrap();
      expect(report.entries.map((e) => e.kind)).to.deep.equal(['payouts']);
      expect(await statusOf(w, 'payment', 'K1')).to.equal('pending');
    });

    it('checks the oldest records first up to the limit and counts the rest as remaining', async () => {
      const w = await world();
      for (const id of ['L1', 'L2', 'L3']) {
        await createPending(w, id);
        w.clock.advance(MINUTE);
      }
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending({ limit: 2 }))._unsafeUnwrap();
      expect(report.entries.map((e) => e.id)).to.deep.equal(['L1', 'L2']);
      expect(report.totals).to.deep.include({ checked: 2, remaining: 1 });
      expect(await statusOf(w, 'payment', 'L3')).to.equal('pending');
    });

    for (const [given, expected] of [[undefined, 4], [2, 2], [1, 1]] as const) {
      it(`keeps at most ${expected} provider calls in flight with concurrency ${String(given)}`, async () => {
        const w = await world();
        for (let i = 0; i < 7; i += 1) await createPending(w, `Q${i}`);
        let inFlight = 0;
        let most = 0;
        const query = w.script.query;
        w.script.query = (ref) => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          return ResultAsync.fromSafePromise(sleep(15)).andThen(() => {
            inFlight -= 1;
            return query(ref);
          });
        };
        w.clock.advance(11 * MINUTE);
        const report = (await w.paykit.resolvePending(given === undefined ? {} : { concurrency: given }))._unsafeUnwrap();
        expect(report.totals.settled).to.equal(7);
        expect(most).to.equal(expected);
      });
    }
  });

  context('when the options or the store are wrong', () => {
    const bad: readonly [string, unknown, string][] = [
      ['a negative olderThan', { olderThan: -1 }, 'resolvePending.options.olderThan'],
      ['a fractional olderThan', { olderThan: 1.5 }, 'resolvePending.options.olderThan'],
      ['an unknown kind', { kinds: ['orders'] }, 'resolvePending.options.kinds.0'],
      ['a zero limit', { limit: 0 }, 'resolvePending.options.limit'],
      ['a zero concurrency', { concurrency: 0 }, 'resolvePending.options.concurrency'],
      ['a text closeNotFoundAfter', { closeNotFoundAfter: '7d' }, 'resolvePending.options.closeNotFoundAfter'],
    ];
    for (const [name, options, path] of bad) {
      it(`refuses ${name} with InvalidRequest at ${path}, asking no provider`, async () => {
        const w = await world();
        await createPending(w, 'X1');
        w.clock.advance(11 * MINUTE);
        const e = (await w.paykit.resolvePending(options as never))._unsafeUnwrapErr();
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.path).to.equal(path);
        expect(ops(w.script)).to.deep.equal(['payments.create']);
      });
    }

    it('returns errors, never throws, for hostile options', async () => {
      const w = await world();
      const hostile = new Proxy({}, { get() { throw new Error('proxy get'); }, ownKeys() { throw new Error('proxy keys'); } });
      for (const o of [42, 'x', hostile, Object.defineProperty({}, 'limit', { get() { throw new Error('getter'); }, enumerable: true })]) {
        const r = w.paykit.resolvePending(o as never);
        expect(r).to.be.instanceOf(ResultAsync);
        expect((await r).isErr(), typeof o).to.equal(true);
      }
      expect((await w.paykit.resolvePending(42 as never))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect((await w.paykit.resolvePending(null as never))._unsafeUnwrap().totals.checked).to.equal(0);
    });

    it('fails as a whole with the store\'s error when the store cannot list', async () => {
      const inner = new InMemoryStore();
      const broken: Store = {
        get: (k, id) => inner.get(k, id), insert: (k, id, v) => inner.insert(k, id, v), update: (k, id, ver, v) => inner.update(k, id, ver, v),
        recordNotification: (p, e, b) => inner.recordNotification(p, e, b), commit: (c) => inner.commit(c), history: (k, id) => inner.history(k, id),
        list: () => errA(PaymentErrors.internal('database is down')),
        listEvents: (q) => inner.listEvents(q), listPage: (k, q) => inner.listPage(k, q), pruneEvents: (m, b) => inner.pruneEvents(m, b), pruneNotifications: (p, b) => inner.pruneNotifications(p, b),
      };
      const w = await world(broken);
      const e = (await w.paykit.resolvePending())._unsafeUnwrapErr();
      expect(e).to.deep.include({ kind: 'Internal', message: 'database is down' });
    });
  });
});
