import { expect } from 'chai';
import { Tokens } from '@paykit/core';
import { paidOrder, world, type World } from './support.js';

// The spec 5.4 example, field by field (its ext1 is B7C37324D6824A6FD029EE365BD0F5A8).
const SPEC_54 = {
  ship_to_country: 'US', ship_to_state: 'AL', ship_to_city: 'city', ship_to_street1: 'street_1', ship_to_street2: 'street_2',
  ship_to_phonenumber: '020-13818349139', ship_to_postalcode: '20004', ship_to_firstname: 'Smith', ship_to_lastname: 'Black',
  registration_name: 'rname', registration_email: 'rname@gmail.com', registration_phone: '999-13800000000', buyerid_period: '200',
  fnpay_mode: '0', bill_firstname: 'handon', bill_lastname: 'hao', expireddate: '2211', cvv2: '888', bill_email: 'haod@gmail.com',
  bill_country: 'US', bill_address: 'billaddress', bill_city: 'billcity', bill_state: 'IL', bill_zip: '22222',
} as const;
const SHIPPING = {
  ship_to_country: 'US', ship_to_state: 'IL', ship_to_city: 'Chicago', ship_to_street1: '1 Main', ship_to_phonenumber: '312',
  ship_to_postalcode: '60601', ship_to_firstname: 'Ada', ship_to_lastname: 'L',
};

describe('Allinpay mobile international cards', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  async function create(international: Record<string, string>, orderId = 'INT-1') {
    return w.paykit.payments.create({
      orderId, amount: { amount: 5000, currency: 'USD' }, description: 'hotel', extra: { payType: '30', tradeNature: 'SERVICES', international },
    });
  }
  async function refusal(international: Record<string, string>): Promise<{ path?: string; message: string } | undefined> {
    const r = await create(international);
    if (r.isOk()) return undefined;
    expect(r.error.kind).to.equal('InvalidRequest');
    return { ...(r.error.path !== undefined ? { path: r.error.path } : {}), message: r.error.message };
  }

  context('when the payment is direct (fnpay_mode 0)', () => {
    it('needs the bill names, the expiry and the CVV2 (spec 2.1: 直连时必须/必填), naming the first missing one', async () => {
      w = await world();
      const { bill_firstname: _f, cvv2: _c, ...withoutSome } = SPEC_54;
      const r = await refusal(withoutSome);
      expect(r?.path).to.equal('extra.international.bill_firstname');
      expect(r?.message).to.contain('bill_firstname').and.to.contain('cvv2').and.to.contain('fnpay_mode 0');
    });

    it('takes the spec 5.4 example, with ext1 its digest, and never returns the CVV2 in clear', async () => {
      w = await world();
      const r = await create({ ...SPEC_54 });
      const action = r._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      const payData = JSON.parse(action.payload) as Record<string, string>;
      expect(payData.ext1).to.equal('B7C37324D6824A6FD029EE365BD0F5A8');
      expect(payData.cvv2).to.equal('***');
      expect(action.payload).not.to.contain('888');
      expect(payData.expireddate).to.equal('2211');
    });

    it('is paid once the app puts the CVV2 it collected back into the payData', async () => {
      w = await world();
      const action = (await create({ ...SPEC_54 }, 'INT-2'))._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      expect(() => w.sim.pay(action.payload, 'succeeded', false)).to.throw(/ext1/);
      const completed = JSON.stringify({ ...JSON.parse(action.payload) as Record<string, string>, cvv2: '888' });
      expect(() => w.sim.pay(completed, 'succeeded', false)).not.to.throw();
    });

    it('refuses an expiry that is not 4 digits, a CVV2 that is not 3 digits and an unknown mode', async () => {
      w = await world();
      expect((await refusal({ ...SPEC_54, expireddate: '11/2' }))?.path).to.equal('extra.international.expireddate');
      expect((await refusal({ ...SPEC_54, cvv2: '88' }))?.path).to.equal('extra.international.cvv2');
      // Neither rule nor codec repeats the card data it refuses.
      for (const bad of [{ cvv2: '4321' }, { cvv2: '43x' }, { expireddate: '97531' }, { expireddate: '9x75' }]) {
        const r = await refusal({ ...SPEC_54, ...bad });
        expect(r?.message, JSON.stringify(bad)).not.to.contain(Object.values(bad)[0]);
      }
      expect((await refusal({ ...SPEC_54, fnpay_mode: '2' }))?.path).to.equal('extra.international.fnpay_mode');
    });
  });

  context('when the buyer fields have the formats 2.1 gives', () => {
    it('refuses a registration period that is not a number of days, dates that are not yyyyMMddHHmmss and a chargeback flag other than y/n', async () => {
      w = await world();
      expect((await refusal({ ...SHIPPING, buyerid_period: '2y' }))?.path).to.equal('extra.international.buyerid_period');
      expect((await refusal({ ...SHIPPING, mdd07: '2024-01-01' }))?.path).to.equal('extra.international.mdd07');
      expect((await refusal({ ...SHIPPING, mdd08: '202401011200' }))?.path).to.equal('extra.international.mdd08');
      expect((await refusal({ ...SHIPPING, mdd10: 'yes' }))?.path).to.equal('extra.international.mdd10');
      expect((await create({ ...SHIPPING, buyerid_period: '200', mdd07: '20240101120000', mdd10: 'n' })).isOk()).to.equal(true);
    });
  });

  context('when the payment is not direct', () => {
    it('needs no bill names, expiry or CVV2', async () => {
      w = await world();
      expect((await create(SHIPPING)).isOk()).to.equal(true);
      expect((await create({ ...SHIPPING, fnpay_mode: '1' }, 'INT-3')).isOk()).to.equal(true);
    });
  });

  context('when the merchant has buyer accounts', () => {
    it('needs the registration name, email and phone (spec 2.1: 如商户有账户体系，不可空)', async () => {
      w = await world({ buyerAccounts: true });
      const r = await refusal({ ...SHIPPING, registration_name: 'ada' });
      expect(r?.path).to.equal('extra.international.registration_email');
      expect(r?.message).to.contain('registration_phone').and.to.contain('buyerAccounts');
      expect((await create({ ...SHIPPING, registration_name: 'ada', registration_email: 'a@b.c', registration_phone: '312' })).isOk()).to.equal(true);
    });
  });

  context('when the shipping address is in the United States or Canada', () => {
    it('takes a US postal code of 5 or 10 characters and a Canadian one of 6 letters and digits', async () => {
      w = await world();
      expect((await create({ ...SHIPPING, ship_to_postalcode: '20001-1000' })).isOk()).to.equal(true);
      expect((await create({ ...SHIPPING, ship_to_country: 'CA', ship_to_state: 'ON', ship_to_postalcode: 'K1A0B1' }, 'INT-4')).isOk()).to.equal(true);
    });

    it('refuses other postal codes and a state that is not a 2-letter ISO code', async () => {
      w = await world();
      for (const bad of [{ ship_to_postalcode: '1234' }, { ship_to_postalcode: '123456' }, { ship_to_country: 'CA', ship_to_state: 'ON', ship_to_postalcode: 'K1A 0B1' }]) {
        const r = await refusal({ ...SHIPPING, ...bad });
        expect(r?.path, JSON.stringify(bad)).to.equal('extra.international.ship_to_postalcode');
      }
      expect((await refusal({ ...SHIPPING, ship_to_state: 'Illinois' }))?.path).to.equal('extra.international.ship_to_state');
      expect((await refusal({ ...SHIPPING, bill_country: 'US', bill_state: 'Ill.' }))?.path).to.equal('extra.international.bill_state');
      expect((await refusal({ ...SHIPPING, ship_to_country: 'us' }))?.path).to.equal('extra.international.ship_to_country');
    });

    it('leaves the postal code and state of other countries to Allinpay', async () => {
      w = await world();
      expect((await create({ ...SHIPPING, ship_to_country: 'GB', ship_to_state: 'London', ship_to_postalcode: 'WC2N 5DU' })).isOk()).to.equal(true);
    });
  });

  context('when a pre-authorisation is confirmed', () => {
    it('keeps the preAuthId Allinpay returns', async () => {
      w = await world();
      await paidOrder(w, 'PA-ID', 5000, 'USD', { payType: '30', tradeNature: 'SERVICES', international: SHIPPING });
      const preauth = w.paykit.extension('app', Tokens.PreAuth)._unsafeUnwrap();
      // The fixed clock has not moved since the order was created.
      const r = await preauth.capture({ payment: { orderId: 'PA-ID', amount: { amount: 5000, currency: 'USD' }, createdAt: w.clock.now() }, amount: { amount: 4000, currency: 'USD' } });
      const sentPreAuthId = w.sim.orders.get('PA-ID')?.paymentOrderId;
      expect(sentPreAuthId).to.be.a('string');
      expect(r._unsafeUnwrap()).to.deep.include({ status: 'captured', providerPreAuthId: sentPreAuthId });
    });

    it('keeps it on the pre-authorisation paykit records', async () => {
      w = await world();
      await paidOrder(w, 'PA-ID2', 5000, 'USD', { payType: '30', tradeNature: 'SERVICES', international: SHIPPING }, { preauth: true });
      (await w.paykit.preauth.capture({ orderId: 'PA-ID2', amount: { amount: 4000, currency: 'USD' } }))._unsafeUnwrap();
      const sentPreAuthId = w.sim.orders.get('PA-ID2')?.paymentOrderId;
      expect((await w.paykit.preauth.get('PA-ID2'))._unsafeUnwrap()).to.deep.include({ status: 'captured', captured: { amount: 4000, currency: 'USD' }, providerPreAuthId: sentPreAuthId });
    });
  });
});
