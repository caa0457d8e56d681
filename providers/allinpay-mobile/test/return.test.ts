/**
 * The payer's return for the mobile control (spec 2.2.2) through `payments.handleReturn`: the
 * control's unsigned result, posted by the merchant's app with the order number, decoded strictly,
 * tied to the recorded order, never recorded, and answered with order query v1.5's verified word.
 */
import { expect } from 'chai';
import type { RawHttpRequest, StoredPayment } from '@paykit/core';
import { world, type World } from './support.js';

/** What the merchant's app posts: the control's result string unchanged, and the order it paid. */
function appReturn(envelope: Record<string, unknown>): RawHttpRequest {
  return { method: 'POST', url: '/paykit/return/app', headers: { 'content-type': 'application/json' }, body: new Uint8Array(Buffer.from(JSON.stringify(envelope), 'utf8')) };
}

/** The order queries (v1.5) Allinpay received, as their form fields. */
function orderQueries(w: World): Record<string, string>[] {
  return w.sim.server.received
    .map((r) => Object.fromEntries(new URLSearchParams(r.body.toString('utf8'))))
    .filter((f) => f.version === 'v1.5');
}

let seq = 0;
const nextOrder = (): string => { seq += 1; return `AR${Date.now() % 1_000_000}${seq}`; };

describe('Allinpay mobile', function () {
  context('when the merchant\'s app passes on the control\'s result (spec 2.2.2)', function () {
    let w: World;
    beforeEach(async function () {
      w = await world();
    });
    afterEach(async function () {
      await w.sim.close();
    });

    /** An order created through paykit; its payData, for the simulated control. */
    async function created(orderId: string, amount = 1000, currency: 'CNY' | 'JPY' = 'CNY'): Promise<string> {
      const r = await w.paykit.payments.create({ orderId, amount: { amount, currency }, description: 'tea', ...(currency !== 'CNY' ? { extra: { tradeNature: 'GOODS' } } : {}) });
      if (r.isErr()) throw new Error(r.error.message);
      if (r.value.action.kind !== 'sdk') throw new Error('Allinpay mobile answers an SDK action');
      return r.value.action.payload;
    }
    const record = async (orderId: string) => (await w.paykit.store.get<StoredPayment>('payment', orderId))._unsafeUnwrap();

    it('queries the pending order and shows Allinpay\'s verified success (iOS result)', async function () {
      const orderId = nextOrder();
      w.sim.pay(await created(orderId), 'succeeded', false);
      const result = w.sim.controlResult(orderId, 'ios');
      const handled = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId, result })))._unsafeUnwrap();
      expect(handled.claimed).to.deep.equal({
        orderId, status: 'processing', providerStatus: '0', authenticity: 'unsigned', amount: { amount: 1000, currency: 'CNY' },
        providerPaymentId: w.sim.orders.get(orderId)?.paymentOrderId,
      });
      expect(handled.queried).to.equal(true);
      expect(handled.payment).to.deep.include({ orderId, status: 'succeeded', providerPaymentId: w.sim.orders.get(orderId)?.paymentOrderId });
      const sent = orderQueries(w);
      expect(sent).to.have.length(1);
      expect(sent[0]).to.include({ orderNo: orderId, merchantId: w.sim.merchantId, version: 'v1.5' });
      expect((await record(orderId))?.value.status).to.equal('succeeded');
    });

    it('reads the Android form, its payAmount a string', async function () {
      const orderId = nextOrder();
      w.sim.pay(await created(orderId, 2500), 'succeeded', false);
      const handled = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId, result: w.sim.controlResult(orderId, 'android') })))._unsafeUnwrap();
      expect(handled.claimed).to.deep.include({ status: 'processing', providerStatus: 'allinpay_pay_success', amount: { amount: 2500, currency: 'CNY' } });
      expect(handled.payment.status).to.equal('succeeded');
    });

    it('leaves the record pending when the result claims acceptance but Allinpay has nothing paid', async function () {
      const orderId = nextOrder();
      await created(orderId);
      const before = await record(orderId);
      // Written from spec 2.2.2, as a device could send it: Allinpay never saw the order paid.
      const result = JSON.stringify({ payResult: 0, payAmount: 1000, payTime: '20240101120000', payOrderId: '' });
      const handled = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId, result })))._unsafeUnwrap();
      expect(handled.claimed).to.deep.include({ status: 'processing', authenticity: 'unsigned' });
      expect(handled.claimed).not.to.have.property('providerPaymentId');
      expect(handled.queried).to.equal(true);
      expect(handled.payment.status).to.equal('pending');
      expect(orderQueries(w)).to.have.length(1);
      expect(await record(orderId)).to.deep.equal(before);
    });

    it('reads the amount in the order\'s currency when the app names it', async function () {
      const orderId = nextOrder();
      w.sim.pay(await created(orderId, 1200, 'JPY'), 'succeeded', false);
      const result = JSON.stringify({ payResult: 0, payAmount: 1200, payTime: '20240101120000', payOrderId: 'P1' });
      const inYen = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId, result, currency: 'JPY' })))._unsafeUnwrap();
      expect(inYen.claimed.amount).to.deep.equal({ amount: 1200, currency: 'JPY' });
      // Without it the amount is read in the instance's CNY: not this order's result.
      const orderId2 = nextOrder();
      await created(orderId2, 1200, 'JPY');
      const e = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId2, result })))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Conflict');
      expect(e.message).to.contain('JPY');
    });

    context('when what the app posted is not a control result for a recorded order', function () {
      it('refuses a claimed amount that is not the order\'s, without querying', async function () {
        const orderId = nextOrder();
        await created(orderId, 1000);
        const result = JSON.stringify({ payResult: 0, payAmount: 1, payTime: '20240101120000', payOrderId: 'P1' });
        const e = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: orderId, result })))._unsafeUnwrapErr();
        expect(e.kind).to.equal('Conflict');
        expect(orderQueries(w)).to.have.length(0);
      });

      it('refuses an order paykit has no record of', async function () {
        const e = (await w.paykit.payments.handleReturn('app', appReturn({ orderNo: 'NEVER1', result: '{"payResult":0}' })))._unsafeUnwrapErr();
        expect(e.kind).to.equal('NotFound');
        expect(orderQueries(w)).to.have.length(0);
      });

      it('decodes strictly: an extra member, a result that is not the control\'s, a decimal amount, a bad order number', async function () {
        const orderId = nextOrder();
        await created(orderId);
        const cases: [Record<string, unknown>, string][] = [
          [{ orderNo: orderId, result: '{"payResult":0}', status: 'paid' }, 'status'],
          [{ orderNo: orderId, result: '{"payResult":"SUCCESS"}' }, '0, 1 or -1'],
          [{ orderNo: orderId, result: '{"paid":true}' }, 'payResult'],
          [{ orderNo: orderId, result: '{"payResult":0,"payAmount":"10.00"}' }, 'payAmount'],
          [{ orderNo: orderId, result: { payResult: 0 } }, 'result'],
          [{ result: '{"payResult":0}' }, 'orderNo'],
          [{ orderNo: `${orderId} OR 1=1`, result: '{"payResult":0}' }, 'orderNo'],
          [{ orderNo: orderId, result: '{"payResult":0}', currency: 'XYZ' }, 'currency'],
        ];
        for (const [envelope, named] of cases) {
          const e = (await w.paykit.payments.handleReturn('app', appReturn(envelope)))._unsafeUnwrapErr();
          expect(e.kind, JSON.stringify(envelope)).to.equal('Decode');
          expect(e.message, JSON.stringify(envelope)).to.contain(named);
        }
        const notJson = (await w.paykit.payments.handleReturn('app', { method: 'POST', url: '/r', headers: {}, body: new Uint8Array(Buffer.from(`orderNo=${orderId}`)) }))._unsafeUnwrapErr();
        expect(notJson.kind).to.equal('Decode');
        expect(notJson.message).to.contain('orderNo');
        expect(orderQueries(w)).to.have.length(0);
        expect((await record(orderId))?.value.status).to.equal('pending');
      });
    });
  });
});
