/**
 * The payer's return to `return_url` through `payments.handleReturn`: Example Pay's redirect
 * carries its result in the query string, signed over every parameter but `sign`. Verified, never
 * recorded, and answered with the query's verified word while the payment is pending.
 */
import { expect } from 'chai';
import type { RawHttpRequest, StoredPayment } from '@paykit/core';
import { expectedSign, KEY, lastBody, MERCHANT, startRig, type Rig } from './helpers.js';

const RETURN_URL = 'https://shop.example/paykit/return/shop?lang=en';

/** The browser's GET of a return URL, as the merchant's edge hands it over (path and query). */
function browserGet(url: string): RawHttpRequest {
  const u = new URL(url);
  return { method: 'GET', url: `${u.pathname}${u.search}`, headers: {}, body: new Uint8Array(0) };
}

/** A return URL signed by the documented rule, computed here (not by the simulator or the plugin). */
function signedReturn(fields: Record<string, string>, key = KEY): string {
  const all = { lang: 'en', ...fields, sign_type: 'HMAC-SHA256' };
  return `https://shop.example/paykit/return/shop?${new URLSearchParams({ ...all, sign: expectedSign(all, key) }).toString()}`;
}

/** The URL with one query parameter's value replaced. */
function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

const queries = (rig: Rig) => rig.sim.server.received.filter((r) => r.path === '/query');

describe('Example Pay', function () {
  context('when the payer is redirected back to return_url', function () {
    let rig: Rig;
    beforeEach(async function () {
      rig = await startRig();
    });
    afterEach(async function () {
      await rig.sim.close();
    });

    async function create(orderId: string) {
      const created = (await rig.paykit.payments.create({ orderId, amount: { amount: 4965, currency: 'CNY' }, description: 'Tea', returnUrl: RETURN_URL }))._unsafeUnwrap();
      expect(created.action.kind === 'redirect' && created.action.fields.return_url).to.equal(RETURN_URL);
      return created;
    }
    const record = async (orderId: string) => (await rig.paykit.store.get<StoredPayment>('payment', orderId))._unsafeUnwrap();

    it('gets a signed redirect from the cashier, queries the pending payment and shows the verified success', async function () {
      const paid = await rig.sim.pay((await create('RT1')).action, 'succeeded');
      expect(paid.returnTo).to.be.a('string');
      const back = new URL(paid.returnTo as string);
      const params = Object.fromEntries(back.searchParams);
      expect(`${back.origin}${back.pathname}`).to.equal('https://shop.example/paykit/return/shop');
      expect(params).to.include({ lang: 'en', merchant_id: MERCHANT, order_no: 'RT1', status: 'PAID', amount: '49.65', currency: 'CNY', sign_type: 'HMAC-SHA256' });
      expect(params.sign).to.equal(expectedSign(params));
      const handled = (await rig.paykit.payments.handleReturn('shop', browserGet(paid.returnTo as string)))._unsafeUnwrap();
      expect(handled.claimed).to.deep.equal({
        orderId: 'RT1', status: 'succeeded', amount: { amount: 4965, currency: 'CNY' }, authenticity: 'signed',
        providerPaymentId: rig.sim.orders.get('RT1')?.paymentId, providerStatus: 'PAID',
      });
      expect(handled.queried).to.equal(true);
      expect(handled.payment).to.deep.include({ orderId: 'RT1', status: 'succeeded', providerPaymentId: rig.sim.orders.get('RT1')?.paymentId });
      expect(queries(rig)).to.have.length(1);
      expect(lastBody(rig.sim, '/query')).to.include({ merchant_id: MERCHANT, order_no: 'RT1' });
    });

    it('keeps the record pending when the return claims success but Example Pay has no payment', async function () {
      await create('RT2');
      const before = await record('RT2');
      const claim = signedReturn({ merchant_id: MERCHANT, order_no: 'RT2', status: 'PAID', amount: '49.65', currency: 'CNY', payment_id: 'P9', paid_at: '20240101120000' });
      const handled = (await rig.paykit.payments.handleReturn('shop', browserGet(claim)))._unsafeUnwrap();
      expect(handled.claimed.status).to.equal('succeeded');
      expect(handled.queried).to.equal(true);
      expect(handled.queryError?.kind).to.equal('NotFound');
      expect(handled.payment.status).to.equal('pending');
      expect(await record('RT2')).to.deep.equal(before);
    });

    it('records the provider\'s failure, not the return\'s claim of success', async function () {
      await rig.sim.pay((await create('RT3')).action, 'failed');
      const handled = (await rig.paykit.payments.handleReturn('shop', browserGet(rig.sim.returnRedirect('RT3', 'succeeded'))))._unsafeUnwrap();
      expect(handled.claimed.status).to.equal('succeeded');
      expect(handled.payment.status).to.equal('failed');
      expect((await record('RT3'))?.value.status).to.equal('failed');
    });

    it('refuses a changed amount, a changed merchant parameter, a missing signature and another key, without querying', async function () {
      const paid = await rig.sim.pay((await create('RT4')).action, 'succeeded');
      const genuine = paid.returnTo as string;
      const { sign: _sign, ...unsignedFields } = Object.fromEntries(new URL(genuine).searchParams);
      const forged = [
        withParam(genuine, 'amount', '0.01'),
        withParam(genuine, 'lang', 'zh'),
        `https://shop.example/paykit/return/shop?${new URLSearchParams(unsignedFields).toString()}`,
        signedReturn({ ...unsignedFields, lang: 'en' }, 'another-merchant-key'),
      ];
      for (const url of forged) {
        const e = (await rig.paykit.payments.handleReturn('shop', browserGet(url)))._unsafeUnwrapErr();
        expect(e.kind, url).to.equal('Signature');
      }
      expect(queries(rig)).to.have.length(0);
      expect((await record('RT4'))?.value.status).to.equal('pending');
    });

    it('refuses a return without its query string, and one repeating a parameter', async function () {
      await create('RT5');
      const bare = (await rig.paykit.payments.handleReturn('shop', browserGet('https://shop.example/paykit/return/shop')))._unsafeUnwrapErr();
      expect(bare.kind).to.equal('Decode');
      expect(bare.message).to.contain('query');
      const twice = signedReturn({ merchant_id: MERCHANT, order_no: 'RT5', status: 'PAID', amount: '49.65', currency: 'CNY' });
      const repeated = (await rig.paykit.payments.handleReturn('shop', browserGet(`${twice}&status=FAILED`)))._unsafeUnwrapErr();
      expect(repeated.kind).to.equal('Decode');
      expect(repeated.message).to.contain('status');
    });
  });
});
