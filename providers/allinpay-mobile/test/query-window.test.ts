import { expect } from 'chai';
import { Tokens } from '@paykit/core';
import { allinpayMobilePlugin, CROSS_BORDER_CURRENCIES } from '../src/index.js';
import { world, type World } from './support.js';

const DAY = 86_400_000;

describe('Allinpay mobile query window', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when paykit plans its queries', () => {
    it('declares the one-month window of spec 3.1 as its shortest reading, 28 days', () => {
      expect(allinpayMobilePlugin.limits?.queryWindowMs).to.equal(28 * DAY);
    });
  });

  context('when an order is older than the window', () => {
    it('answers that Allinpay no longer answers for it, naming the spec, and sends nothing', async () => {
      w = await world();
      const payments = w.paykit.extension('app', Tokens.Payments)._unsafeUnwrap();
      const createdAt = new Date(w.clock.now().getTime() - 28 * DAY - 1000);
      const r = await payments.query({ orderId: 'OLD-1', createdAt, amount: { amount: 100, currency: 'CNY' } });
      expect(r.isErr() && r.error).to.deep.include({ kind: 'InvalidRequest', code: 'expired', retryable: false, providerId: 'allinpay-mobile' });
      expect(r.isErr() && r.error.message).to.contain('3.1').and.to.contain('merchant site');
      expect(w.sim.server.received.length).to.equal(0);
    });

    it('still queries an order one day inside the window', async () => {
      w = await world();
      const payments = w.paykit.extension('app', Tokens.Payments)._unsafeUnwrap();
      const createdAt = new Date(w.clock.now().getTime() - 27 * DAY);
      const r = await payments.query({ orderId: 'OLD-2', createdAt, amount: { amount: 100, currency: 'CNY' } });
      expect(r.isOk() && r.value.status).to.equal('pending');
      expect(w.sim.server.received.length).to.equal(1);
    });
  });

  context('when a refund was requested longer ago than the window', () => {
    it('answers that Allinpay lists refunds of the last month only (spec 3.7), and sends nothing', async () => {
      w = await world();
      const refunds = w.paykit.extension('app', Tokens.Refunds)._unsafeUnwrap();
      const requestedAt = new Date(w.clock.now().getTime() - 29 * DAY);
      const r = await refunds.query({
        refundId: 'RF-OLD', amount: { amount: 1, currency: 'CNY' }, requestedAt,
        payment: { orderId: 'OLD-3', amount: { amount: 100, currency: 'CNY' }, createdAt: new Date(requestedAt.getTime() - DAY) },
      });
      expect(r.isErr() && r.error).to.deep.include({ kind: 'InvalidRequest', code: 'expired' });
      expect(r.isErr() && r.error.message).to.contain('3.7');
      expect(w.sim.server.received.length).to.equal(0);
    });
  });
});

describe('Allinpay mobile AUD code', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when a cross-border payment is in Australian dollars', () => {
    it('sends ISO 4217 036, as table 6.3 says, not the 032 of table 6.2', async () => {
      expect(CROSS_BORDER_CURRENCIES.AUD).to.equal('036');
      w = await world();
      const r = await w.paykit.payments.create({ orderId: 'AUD-1', amount: { amount: 1500, currency: 'AUD' }, description: 'tea', extra: { tradeNature: 'GOODS' } });
      const action = r._unsafeUnwrap().action;
      expect(action.kind === 'sdk' && (JSON.parse(action.payload) as Record<string, string>).orderCurrency).to.equal('036');
    });

    it('sends 032 when the instance says Allinpay asked for it', async () => {
      w = await world({ crossBorderAudCode: '032' });
      const r = await w.paykit.payments.create({ orderId: 'AUD-2', amount: { amount: 1500, currency: 'AUD' }, description: 'tea', extra: { tradeNature: 'GOODS' } });
      const action = r._unsafeUnwrap().action;
      expect(action.kind === 'sdk' && (JSON.parse(action.payload) as Record<string, string>).orderCurrency).to.equal('032');
    });
  });
});
