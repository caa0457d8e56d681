import { expect } from 'chai';
import { expectedSign, KEY, lastBody, MERCHANT, startRig, type Rig } from './helpers.js';

describe('Example Pay payments and refunds', function () {
  let rig: Rig;
  beforeEach(async function () {
    rig = await startRig();
  });
  afterEach(async function () {
    await rig.sim.close();
  });

  context('when creating a payment', function () {
    it('builds a signed cashier form with the decimal amount and sends nothing', async function () {
      const r = await rig.paykit.payments.create({ orderId: 'A1', amount: { amount: 4965, currency: 'CNY' }, description: 'Tea', createdAt: new Date('2024-01-01T00:00:00Z') });
      const created = r._unsafeUnwrap();
      if (created.action.kind !== 'redirect') return expect.fail('expected a redirect');
      const f = created.action.fields;
      expect(created.action.url).to.equal(`${rig.sim.url}/pay`);
      expect(f).to.include({ merchant_id: MERCHANT, order_no: 'A1', amount: '49.65', currency: 'CNY', subject: 'Tea', created_at: '20240101080000', sign_type: 'HMAC-SHA256' });
      expect(f.sign).to.equal(expectedSign({ ...f }));
      expect(created.payment.status).to.equal('pending');
      expect(rig.sim.server.received).to.have.length(0);
    });

    it('writes zero-decimal currencies without a fraction', async function () {
      const created = (await rig.paykit.payments.create({ orderId: 'J1', amount: { amount: 4965, currency: 'JPY' }, description: 'Tea' }))._unsafeUnwrap();
      expect(created.action.kind === 'redirect' && created.action.fields.amount).to.equal('4965');
    });

    it('refuses a subject longer than 128 characters, naming the field', async function () {
      const e = (await rig.paykit.payments.create({ orderId: 'L1', amount: { amount: 100, currency: 'CNY' }, description: 'x'.repeat(129) }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.message).to.include('subject');
    });

    it('refuses a currency Example Pay does not settle', async function () {
      const e = (await rig.paykit.payments.create({ orderId: 'E1', amount: { amount: 100, currency: 'EUR' }, description: 'Tea' }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.path).to.equal('amount.currency');
    });
  });

  context('when querying a paid payment', function () {
    it('sends a signed query and records the success with the provider payment id', async function () {
      const created = (await rig.paykit.payments.create({ orderId: 'Q1', amount: { amount: 1005, currency: 'USD' }, description: 'Tea' }))._unsafeUnwrap();
      await rig.sim.pay(created.action, 'succeeded');
      const p = (await rig.paykit.payments.query('Q1'))._unsafeUnwrap();
      const sent = lastBody(rig.sim, '/query');
      expect(sent).to.deep.equal({ merchant_id: MERCHANT, order_no: 'Q1', sign_type: 'HMAC-SHA256', sign: expectedSign({ merchant_id: MERCHANT, order_no: 'Q1', sign_type: 'HMAC-SHA256' }, KEY) });
      expect(p.status).to.equal('succeeded');
      expect(p.amount).to.deep.equal({ amount: 1005, currency: 'USD' });
      expect(p.providerPaymentId).to.equal(rig.sim.orders.get('Q1')?.paymentId);
    });

    it('answers NotFound for an order Example Pay never saw', async function () {
      await rig.paykit.payments.create({ orderId: 'N1', amount: { amount: 100, currency: 'CNY' }, description: 'Tea' });
      const e = (await rig.paykit.payments.query('N1'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('NotFound');
      expect(e.providerCode).to.equal('1003');
    });
  });

  context('when refunding part of a paid order', function () {
    async function paid(orderId: string): Promise<void> {
      const created = (await rig.paykit.payments.create({ orderId, amount: { amount: 4965, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
      await rig.sim.pay(created.action, 'succeeded');
      (await rig.paykit.payments.query(orderId))._unsafeUnwrap();
    }

    it('sends the refund amount as a decimal and records a partial refund', async function () {
      await paid('R1');
      const refund = (await rig.paykit.refunds.create({ refundId: 'RF1', orderId: 'R1', amount: { amount: 1000, currency: 'CNY' } }))._unsafeUnwrap();
      expect(lastBody(rig.sim, '/refund')).to.include({ order_no: 'R1', refund_no: 'RF1', refund_amount: '10.00', currency: 'CNY' });
      expect(refund.status).to.equal('succeeded');
      expect((await rig.paykit.payments.get('R1'))._unsafeUnwrap()).to.include({ status: 'partially_refunded' });
      expect(rig.sim.orders.get('R1')?.refundedMinor).to.equal(1000);
    });

    it('returns OutcomeUnknown when the reply is lost, and the refund query then settles it without refunding twice', async function () {
      await paid('R2');
      rig.transport.timeoutMs = 200;
      rig.sim.inject({ path: '/refund', delayMs: 1000 });
      const e = (await rig.paykit.refunds.create({ refundId: 'RF2', orderId: 'R2', amount: { amount: 500, currency: 'CNY' } }))._unsafeUnwrapErr();
      rig.transport.timeoutMs = undefined;
      expect(e.kind).to.equal('OutcomeUnknown');
      expect(e.kind === 'OutcomeUnknown' && e.resolution).to.include({ operation: 'refunds.query', reference: 'RF2' });
      const settled = (await rig.paykit.refunds.query('RF2'))._unsafeUnwrap();
      expect(settled.status).to.equal('succeeded');
      expect(rig.sim.server.received.filter((r) => r.path === '/refund')).to.have.length(1);
      expect(rig.sim.orders.get('R2')?.refundedMinor).to.equal(500);
    });

    it('maps a provider refusal to its standard code', async function () {
      await paid('R3');
      const svc = rig.paykit.service('refunds', 'create', 'shop')._unsafeUnwrap().service;
      const e = (await svc.refund({ refundId: 'RF3', amount: { amount: 9999, currency: 'CNY' }, payment: { orderId: 'R3', amount: { amount: 4965, currency: 'CNY' } } }))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'ProviderRejected', code: 'invalid_amount', providerCode: '2002', retryable: false });
    });
  });
});
