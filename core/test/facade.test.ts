import { expect } from 'chai';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type DomainEvent, type Paykit, type PaymentReport, type PayoutRequest,
  type PayResultAsync, type RefundRequest,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, type FakeScript } from './support/fake-plugin.js';

const KEY = 'fake-notify-key';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-01-01T00:00:00Z');

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; clock: FixedClock }

async function world(): Promise<World> {
  const script = defaultScript();
  const store = new InMemoryStore();
  const clock = new FixedClock(start);
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } } } }, { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}
async function failure(r: PayResultAsync<unknown>) {
  const out = await r;
  if (out.isOk()) expect.fail(`expected Err, got Ok(${JSON.stringify(out.value)})`);
  return out.error;
}
const paymentEvent = (orderId: string, status: PaymentReport['status'], amount = 10000): DomainEvent =>
  ({ type: 'payment', report: { orderId, status, amount: cny(amount), providerPaymentId: `PP-${orderId}` } });
const ops = (s: FakeScript) => s.calls.map((c) => c.op);

/** Creates order `orderId` for ¥100.00 and has the provider notify its success. */
async function paid(w: World, orderId: string, amount = 10000, preauth = false): Promise<void> {
  (await w.paykit.payments.create({ orderId, amount: cny(amount), description: 'Tea', ...(preauth ? { preauth } : {}) }))._unsafeUnwrap();
  (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent(orderId, 'succeeded', amount))))._unsafeUnwrap();
}

describe('facade', () => {
  describe('payments.create', () => {
    context('when the input is invalid', () => {
      const bad: readonly [string, unknown, string][] = [
        ['a float amount', { orderId: 'A1', amount: { amount: 49.65, currency: 'CNY' }, description: 'x' }, 'payments.create.amount'],
        ['a zero amount', { orderId: 'A1', amount: { amount: 0, currency: 'CNY' }, description: 'x' }, 'payments.create.amount'],
        ['an unknown currency', { orderId: 'A1', amount: { amount: 1, currency: 'XXX' }, description: 'x' }, 'payments.create.amount'],
        ['an order id with a space', { orderId: 'A 1', amount: cny(1), description: 'x' }, 'payments.create.orderId'],
        ['a missing description', { orderId: 'A1', amount: cny(1) }, 'payments.create.description'],
        ['an invalid date', { orderId: 'A1', amount: cny(1), description: 'x', createdAt: new Date(Number.NaN) }, 'payments.create.createdAt'],
      ];
      for (const [name, input, path] of bad) {
        it(`refuses ${name} with an InvalidRequest at ${path}, calling no provider`, async () => {
          const w = await world();
          const e = await failure(w.paykit.payments.create(input as never));
          expect(e.kind).to.equal('InvalidRequest');
          expect(e.path).to.equal(path);
          expect(e.message).to.contain(`${path}: expected`);
          expect(w.script.calls).to.deep.equal([]);
        });
      }
    });
    context('when the input is valid', () => {
      it('sends it with the clock\'s time and records the payment', async () => {
        const w = await world();
        const r = (await w.paykit.payments.create({ orderId: 'A1', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
        expect(r.payment).to.deep.equal({ orderId: 'A1', instanceId: 'main', amount: cny(4965), status: 'pending', refunded: cny(0) });
        expect(w.script.calls).to.have.length(1);
        expect(w.script.calls[0]?.request).to.deep.include({ orderId: 'A1', amount: cny(4965), description: 'Tea', createdAt: start });
        expect((await w.store.get('payment', 'A1'))._unsafeUnwrap()?.value).to.deep.include({ status: 'pending', createdAt: start });
      });
      it('refuses to take a paid order again', async () => {
        const w = await world();
        await paid(w, 'A1');
        const e = await failure(w.paykit.payments.create({ orderId: 'A1', amount: cny(10000), description: 'Tea' }));
        expect(e).to.deep.include({ kind: 'Conflict', code: 'duplicate_order' });
        expect(ops(w.script)).to.deep.equal(['payments.create']);
      });
    });
  });

  describe('notifications.handle', () => {
    it('applies a success once and acknowledges it exactly', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'N1', amount: cny(10000), description: 'Tea' });
      const h = (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N1', 'succeeded'))))._unsafeUnwrap();
      expect(h.duplicate).to.equal(false);
      expect(h.reply).to.deep.equal({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'SUCCESS' });
      expect((await w.paykit.payments.get('N1'))._unsafeUnwrap()).to.deep.include({ status: 'succeeded', providerPaymentId: 'PP-N1' });
    });
    it('reports a redelivery as duplicate and changes nothing', async () => {
      const w = await world();
      await paid(w, 'N2');
      const before = (await w.store.get('payment', 'N2'))._unsafeUnwrap();
      const h = (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N2', 'succeeded'))))._unsafeUnwrap();
      expect(h.duplicate).to.equal(true);
      expect(h.reply.body).to.equal('SUCCESS');
      expect((await w.store.get('payment', 'N2'))._unsafeUnwrap()).to.deep.equal(before);
    });
    it('ignores a failure that arrives after the success', async () => {
      const w = await world();
      await paid(w, 'N3');
      const h = (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N3', 'failed'))))._unsafeUnwrap();
      expect(h.duplicate).to.equal(false);
      expect((await w.paykit.payments.get('N3'))._unsafeUnwrap().status).to.equal('succeeded');
    });
    it('applies a success that follows a failure', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'N4', amount: cny(10000), description: 'Tea' });
      await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N4', 'failed')));
      expect((await w.paykit.payments.get('N4'))._unsafeUnwrap().status).to.equal('failed');
      await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N4', 'succeeded')));
      expect((await w.paykit.payments.get('N4'))._unsafeUnwrap().status).to.equal('succeeded');
    });
    it('creates the record for an order paykit never saw', async () => {
      const w = await world();
      (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('UNSEEN-1', 'succeeded', 777))))._unsafeUnwrap();
      expect((await w.paykit.payments.get('UNSEEN-1'))._unsafeUnwrap()).to.deep.include({ orderId: 'UNSEEN-1', instanceId: 'main', status: 'succeeded', amount: cny(777) });
    });
    it('refuses a success for another amount than the order\'s and leaves the order unpaid', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'N5', amount: cny(10000), description: 'Tea' });
      const e = await failure(w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('N5', 'succeeded', 1))));
      expect(e.kind).to.equal('Conflict');
      expect((await w.paykit.payments.get('N5'))._unsafeUnwrap().status).to.equal('pending');
    });
    it('refuses a forged notification, records nothing, and gives the provider\'s rejection reply', async () => {
      const w = await world();
      const forged = fakeNotification('wrong-key', paymentEvent('N6', 'succeeded'));
      const e = await failure(w.paykit.notifications.handle('main', forged));
      expect(e.kind).to.equal('Signature');
      expect((await w.paykit.payments.get('N6'))._unsafeUnwrapErr().kind).to.equal('NotFound');
      expect(w.paykit.notifications.rejection('main', e)).to.deep.equal({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'FAIL invalid_signature' });
    });
  });

  describe('refunds', () => {
    it('refunds part of a payment, then exactly the rest', async () => {
      const w = await world();
      await paid(w, 'R1');
      const r1 = (await w.paykit.refunds.create({ refundId: 'R1-a', orderId: 'R1', amount: cny(3000) }))._unsafeUnwrap();
      expect(r1).to.deep.include({ refundId: 'R1-a', status: 'succeeded', amount: cny(3000) });
      expect((await w.paykit.payments.get('R1'))._unsafeUnwrap()).to.deep.include({ status: 'partially_refunded', refunded: cny(3000) });
      const sent = w.script.calls.find((c) => c.op === 'refunds.refund')?.request as RefundRequest;
      expect(sent).to.deep.include({ refundId: 'R1-a', amount: cny(3000), requestedAt: start });
      expect(sent.payment).to.deep.include({ orderId: 'R1', amount: cny(10000) });
      (await w.paykit.refunds.create({ refundId: 'R1-b', orderId: 'R1', amount: cny(7000) }))._unsafeUnwrap();
      expect((await w.paykit.payments.get('R1'))._unsafeUnwrap()).to.deep.include({ status: 'refunded', refunded: cny(10000) });
    });
    it('refuses a refund past the cumulative limit without calling the provider', async () => {
      const w = await world();
      await paid(w, 'R2');
      await w.paykit.refunds.create({ refundId: 'R2-a', orderId: 'R2', amount: cny(6000) });
      const before = ops(w.script).length;
      const e = await failure(w.paykit.refunds.create({ refundId: 'R2-b', orderId: 'R2', amount: cny(4001) }));
      expect(e.kind).to.equal('Conflict');
      expect(e.message).to.contain('exceeds the remaining refundable 40.00 CNY');
      expect(ops(w.script).length).to.equal(before);
      expect((await w.paykit.payments.get('R2'))._unsafeUnwrap().refunded).to.deep.equal(cny(6000));
    });
    it('never lets concurrent refunds add up to more than was paid', async () => {
      const w = await world();
      await paid(w, 'R3');
      w.script.delayMs = 5;
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => w.paykit.refunds.create({ refundId: `R3-${i}`, orderId: 'R3', amount: cny(3000) })));
      const succeeded = results.filter((r) => r.isOk());
      expect(succeeded).to.have.length(3);
      for (const r of results.filter((x) => x.isErr())) expect(r._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect(ops(w.script).filter((o) => o === 'refunds.refund')).to.have.length(3);
      expect((await w.paykit.payments.get('R3'))._unsafeUnwrap().refunded).to.deep.equal(cny(9000));
    });
    it('answers the same refund again from the record, sending nothing', async () => {
      const w = await world();
      await paid(w, 'R4');
      const first = (await w.paykit.refunds.create({ refundId: 'R4-a', orderId: 'R4', amount: cny(100) }))._unsafeUnwrap();
      const again = (await w.paykit.refunds.create({ refundId: 'R4-a', orderId: 'R4', amount: cny(100) }))._unsafeUnwrap();
      expect(again).to.deep.equal(first);
      expect(ops(w.script).filter((o) => o === 'refunds.refund')).to.have.length(1);
    });
    it('refuses a different refund under the same refund id', async () => {
      const w = await world();
      await paid(w, 'R4');
      await w.paykit.refunds.create({ refundId: 'R4-a', orderId: 'R4', amount: cny(100) });
      expect((await failure(w.paykit.refunds.create({ refundId: 'R4-a', orderId: 'R4', amount: cny(200) }))).code).to.equal('duplicate_order');
      expect(ops(w.script).filter((o) => o === 'refunds.refund')).to.have.length(1);
    });
    context('when the refund call may have reached the provider', () => {
      it('leaves the refund pending and reserved, and says to resolve with refunds.query', async () => {
        const w = await world();
        await paid(w, 'R5');
        w.script.refund = () => errAsync(PaymentErrors.timeout('no reply in 10 s'));
        const e = await failure(w.paykit.refunds.create({ refundId: 'R5-a', orderId: 'R5', amount: cny(8000) }));
        expect(e.kind).to.equal('OutcomeUnknown');
        if (e.kind !== 'OutcomeUnknown') return;
        expect(e.resolution).to.deep.include({ operation: 'refunds.query', reference: 'R5-a' });
        expect(e.retryable).to.equal(false);
        expect((await w.store.get('refund', 'R5-a'))._unsafeUnwrap()?.value).to.deep.include({ status: 'pending' });
        // The pending amount stays reserved: 30.00 more would exceed the paid 100.00.
        expect((await failure(w.paykit.refunds.create({ refundId: 'R5-b', orderId: 'R5', amount: cny(3000) }))).kind).to.equal('Conflict');
        // Resolving by query settles it.
        expect((await w.paykit.refunds.query('R5-a'))._unsafeUnwrap().status).to.equal('succeeded');
        expect((await w.paykit.payments.get('R5'))._unsafeUnwrap().refunded).to.deep.equal(cny(8000));
      });
    });
    context('when the provider reports the order refunded in full', () => {
      it('sets the refunded total to the whole amount and refuses further refunds', async () => {
        const w = await world();
        await paid(w, 'R8');
        (await w.paykit.refunds.create({ refundId: 'R8-a', orderId: 'R8', amount: cny(2500) }))._unsafeUnwrap();
        // The rest was refunded in the provider's portal; a query or notification says REFUND.
        (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('R8', 'refunded'))))._unsafeUnwrap();
        expect((await w.paykit.payments.get('R8'))._unsafeUnwrap()).to.deep.include({ status: 'refunded', refunded: cny(10000) });
        const before = ops(w.script).length;
        expect((await failure(w.paykit.refunds.create({ refundId: 'R8-b', orderId: 'R8', amount: cny(100) }))).kind).to.equal('Conflict');
        expect(ops(w.script).length).to.equal(before);
      });
      it('settles an order whose success was never heard as refunded in full', async () => {
        const w = await world();
        (await w.paykit.payments.create({ orderId: 'R10', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
        // The success notification was lost; the merchant refunded the order in the portal.
        (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('R10', 'refunded'))))._unsafeUnwrap();
        expect((await w.paykit.payments.get('R10'))._unsafeUnwrap()).to.deep.include({ status: 'refunded', refunded: cny(10000) });
        // A late success changes nothing.
        (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('R10', 'succeeded'))))._unsafeUnwrap();
        expect((await w.paykit.payments.get('R10'))._unsafeUnwrap()).to.deep.include({ status: 'refunded', refunded: cny(10000) });
      });
      it('does not count a pending refund twice when it succeeds afterwards', async () => {
        const w = await world();
        await paid(w, 'R9');
        w.script.refund = () => errAsync(PaymentErrors.timeout('no reply in 10 s'));
        expect((await failure(w.paykit.refunds.create({ refundId: 'R9-a', orderId: 'R9', amount: cny(8000) }))).kind).to.equal('OutcomeUnknown');
        (await w.paykit.notifications.handle('main', fakeNotification(KEY, paymentEvent('R9', 'refunded'))))._unsafeUnwrap();
        expect((await w.paykit.refunds.query('R9-a'))._unsafeUnwrap().status).to.equal('succeeded');
        expect((await w.paykit.payments.get('R9'))._unsafeUnwrap()).to.deep.include({ status: 'refunded', refunded: cny(10000) });
      });
    });
    context('when the refund call provably never left', () => {
      it('fails the refund and releases its reservation', async () => {
        const w = await world();
        await paid(w, 'R6');
        w.script.refund = () => errAsync(PaymentErrors.network('connection refused', false));
        expect((await failure(w.paykit.refunds.create({ refundId: 'R6-a', orderId: 'R6', amount: cny(10000) }))).kind).to.equal('Network');
        expect((await w.store.get('refund', 'R6-a'))._unsafeUnwrap()?.value).to.deep.include({ status: 'failed' });
        w.script.refund = defaultScript().refund;
        expect((await w.paykit.refunds.create({ refundId: 'R6-b', orderId: 'R6', amount: cny(10000) }))._unsafeUnwrap().status).to.equal('succeeded');
      });
    });
  });

  describe('payouts', () => {
    const input = { payoutId: 'PO-1', amount: cny(5000), account: { type: 'private' as const, accountNumber: '6222021234567890', accountName: 'Li Lei' }, description: 'salary' };
    const submits = (s: FakeScript) => s.calls.filter((c) => c.op === 'payouts.submit').map((c) => c.request as PayoutRequest);

    it('records one provider order number and sends the request once', async () => {
      const w = await world();
      const p = (await w.paykit.payouts.submit(input))._unsafeUnwrap();
      expect(p).to.deep.include({ payoutId: 'PO-1', providerOrderId: 'PO-1', status: 'accepted' });
      expect(submits(w.script)).to.deep.equal([{ payoutId: 'PO-1', providerOrderId: 'PO-1', amount: cny(5000), account: input.account, description: 'salary', createdAt: start }]);
    });
    it('sends nothing when the same payout id is submitted again', async () => {
      const w = await world();
      await w.paykit.payouts.submit(input);
      w.clock.advance(60_000);
      const again = (await w.paykit.payouts.submit(input))._unsafeUnwrap();
      expect(again.status).to.equal('accepted');
      expect(submits(w.script)).to.have.length(1);
    });
    it('refuses the same payout id with a different amount or beneficiary, sending nothing', async () => {
      const w = await world();
      await w.paykit.payouts.submit(input);
      const more = await failure(w.paykit.payouts.submit({ ...input, amount: cny(5001) }));
      expect(more).to.deep.include({ kind: 'Conflict', path: 'payoutId' });
      const other = await failure(w.paykit.payouts.submit({ ...input, account: { ...input.account, accountNumber: '6222021234567891' } }));
      expect(other.kind).to.equal('Conflict');
      expect(other.message).not.to.contain('6222021234567891');
      expect(submits(w.script)).to.have.length(1);
    });
    it('refuses a second payout claiming the same provider order number', async () => {
      const w = await world();
      await w.paykit.payouts.submit({ ...input, providerOrderId: 'ORD-9' });
      const e = await failure(w.paykit.payouts.submit({ ...input, payoutId: 'PO-2', providerOrderId: 'ORD-9' }));
      expect(e.kind).to.equal('Conflict');
      expect(submits(w.script)).to.have.length(1);
    });
    context('when the submit times out', () => {
      it('is OutcomeUnknown to resolve with payouts.resolve, and the record is unknown', async () => {
        const w = await world();
        w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
        const e = await failure(w.paykit.payouts.submit(input));
        expect(e.kind).to.equal('OutcomeUnknown');
        if (e.kind === 'OutcomeUnknown') expect(e.resolution).to.deep.include({ operation: 'payouts.resolve', reference: 'PO-1' });
        expect((await w.paykit.payouts.get('PO-1'))._unsafeUnwrap().status).to.equal('unknown');
      });
      it('resolve() resubmits the identical request only when the provider has no record', async () => {
        const w = await world();
        w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
        await w.paykit.payouts.submit(input);
        w.clock.advance(3_600_000);
        w.script.submit = defaultScript().submit;
        w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
        const p = (await w.paykit.payouts.resolve('PO-1'))._unsafeUnwrap();
        expect(p.status).to.equal('accepted');
        expect(ops(w.script)).to.deep.equal(['payouts.submit', 'payouts.query', 'payouts.submit']);
        const [first, second] = submits(w.script);
        expect(second).to.deep.equal(first);
        expect(second?.providerOrderId).to.equal('PO-1');
        expect(second?.createdAt).to.deep.equal(start);
      });
      it('resolve() applies what the query says and sends nothing when the provider has the order', async () => {
        const w = await world();
        w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
        await w.paykit.payouts.submit(input);
        w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'succeeded' });
        expect((await w.paykit.payouts.resolve('PO-1'))._unsafeUnwrap().status).to.equal('succeeded');
        expect(submits(w.script)).to.have.length(1);
      });
      it('resolve() resubmits nothing when the query itself fails', async () => {
        const w = await world();
        w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
        await w.paykit.payouts.submit(input);
        w.script.payoutQuery = () => errAsync(PaymentErrors.timeout('query timed out'));
        expect((await failure(w.paykit.payouts.resolve('PO-1'))).kind).to.equal('Timeout');
        expect(submits(w.script)).to.have.length(1);
      });
    });
    describe('confirm', () => {
      it('confirms a held payout with its confirm code', async () => {
        const w = await world();
        w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: 'C-123' });
        expect((await w.paykit.payouts.submit(input))._unsafeUnwrap().status).to.equal('held_for_review');
        expect((await w.paykit.payouts.confirm('PO-1'))._unsafeUnwrap().status).to.equal('processing');
        const sent = w.script.calls.find((c) => c.op === 'payouts.confirm')?.request as { confirmCode: string; request: PayoutRequest };
        expect(sent.confirmCode).to.equal('C-123');
        expect(sent.request.providerOrderId).to.equal('PO-1');
      });
      it('keeps the hold reason while held and drops it once the confirmed payout moves on', async () => {
        const w = await world();
        const reason = { providerCode: '4003', message: 'name and card do not match' };
        w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: 'C-1', reason });
        expect((await w.paykit.payouts.submit(input))._unsafeUnwrap().reason).to.deep.equal(reason);
        const confirmed = (await w.paykit.payouts.confirm('PO-1'))._unsafeUnwrap();
        expect(confirmed.status).to.equal('processing');
        expect(confirmed).not.to.have.property('reason');
      });
      it('refuses to confirm a payout that is not held, calling nothing', async () => {
        const w = await world();
        await w.paykit.payouts.submit(input);
        const e = await failure(w.paykit.payouts.confirm('PO-1'));
        expect(e.kind).to.equal('Conflict');
        expect(ops(w.script)).to.deep.equal(['payouts.submit']);
      });
    });
  });

  describe('preauth', () => {
    it('captures up to the authorised amount, once', async () => {
      const w = await world();
      await paid(w, 'PA1', 10000, true);
      expect((await failure(w.paykit.preauth.capture({ orderId: 'PA1', amount: cny(10001) }))).kind).to.equal('InvalidRequest');
      expect((await w.paykit.preauth.capture({ orderId: 'PA1', amount: cny(8000) }))._unsafeUnwrap()).to.deep.include({ status: 'captured', captured: cny(8000) });
      expect((await failure(w.paykit.preauth.void('PA1'))).kind).to.equal('Conflict');
      expect(ops(w.script).filter((o) => o.startsWith('preauth'))).to.deep.equal(['preauth.capture']);
    });
  });
});
