/**
 * The payer's return to `url_return` (spec 4.2) through `payments.handleReturn`: verified like the
 * notification, never recorded, and answered with the order query's verified word when the
 * payment is still pending.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { RawHttpRequest, StoredPayment } from '@paykit/core';
import { submitForm } from '../src/harness.js';
import { must, paymentInput, startWorld, TEST_MD5_KEY, TEST_OID_PARTNER, type World } from './support.js';

const FORM = 'application/x-www-form-urlencoded';

/** The url_return request as the payer's browser makes it: LianLian's form, POSTed. */
function returnRequest(body: string): RawHttpRequest {
  return { method: 'POST', url: '/paykit/return/shop', headers: { 'content-type': FORM }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

/** The order queries LianLian received (spec 4.4), as their JSON bodies. */
function orderQueries(w: World): Record<string, string>[] {
  return w.sim.server.received.filter((r) => r.path === '/queryapi/orderquery.htm').map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, string>);
}

/** MD5-signs form fields by the spec's rule (sorted `k=v&…` without `sign`, `&key=`), written here from the spec. */
function md5Signed(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
  const sign = createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex');
  return new URLSearchParams({ ...fields, sign }).toString();
}

async function record(w: World, orderId: string) {
  return must(await w.store.get<StoredPayment>('payment', orderId));
}

describe('LianLian web', function () {
  context('when the payer comes back to url_return (spec 4.2)', function () {
    let w: World;
    let seq = 0;
    const nextOrder = (): string => { seq += 1; return `RT${Date.now() % 1_000_000}${seq}`; };

    /** An order created through paykit and posted to the simulator's cashier (LianLian: WAITING). */
    async function atCashier(orderId: string): Promise<void> {
      const created = must(await w.paykit.payments.create(paymentInput(orderId)));
      const posted = await submitForm(created.action);
      expect(posted.status, posted.body).to.equal(200);
    }

    beforeEach(async function () {
      w = await startWorld({ signType: 'MD5', notifySignType: 'MD5' });
    });
    afterEach(async function () {
      await w.close();
    });

    it('queries the still-pending order and shows LianLian\'s verified success', async function () {
      const orderId = nextOrder();
      await atCashier(orderId);
      await w.sim.complete(orderId, 'succeeded', { notify: false });
      const handled = must(await w.paykit.payments.handleReturn('shop', returnRequest(w.sim.syncReturnBody(orderId, 'MD5'))));
      expect(handled.claimed).to.deep.include({ orderId, status: 'succeeded', amount: { amount: 4965, currency: 'CNY' }, authenticity: 'signed', providerStatus: 'SUCCESS' });
      expect(handled.queried).to.equal(true);
      expect(handled.queryError).to.equal(undefined);
      expect(handled.payment).to.deep.include({ orderId, status: 'succeeded', providerPaymentId: w.sim.ledger.get(orderId)?.oidPaybill });
      const sent = orderQueries(w);
      expect(sent).to.have.length(1);
      expect(sent[0]).to.include({ oid_partner: TEST_OID_PARTNER, no_order: orderId, dt_order: w.sim.ledger.get(orderId)?.dtOrder, sign_type: 'MD5' });
      const history = must(await w.store.history('payment', orderId));
      expect(history.map((v) => v.status)).to.deep.equal(['pending', 'succeeded']);
      expect(history[1]?.cause).to.deep.include({ source: 'query' });
    });

    it('leaves the record pending when the return claims success but LianLian still has the order unpaid', async function () {
      const orderId = nextOrder();
      await atCashier(orderId);
      expect(w.sim.ledger.get(orderId)?.status).to.equal('WAITING');
      const before = await record(w, orderId);
      // The simulator signs a SUCCESS form for any order it knows: a genuine signature on a claim
      // LianLian's own records do not back (a replayed or premature return).
      const handled = must(await w.paykit.payments.handleReturn('shop', returnRequest(w.sim.syncReturnBody(orderId, 'MD5'))));
      expect(handled.claimed.status).to.equal('succeeded');
      expect(handled.queried).to.equal(true);
      expect(handled.payment.status).to.equal('pending');
      expect(orderQueries(w)).to.have.length(1);
      expect(await record(w, orderId)).to.deep.equal(before);
      expect(must(await w.store.history('payment', orderId)).map((v) => v.status)).to.deep.equal(['pending']);
    });

    it('refuses a return whose amount was changed after signing, without querying or writing', async function () {
      const orderId = nextOrder();
      await atCashier(orderId);
      await w.sim.complete(orderId, 'succeeded', { notify: false });
      const before = await record(w, orderId);
      const tampered = w.sim.syncReturnBody(orderId, 'MD5').replace('money_order=49.65', 'money_order=0.01');
      const e = (await w.paykit.payments.handleReturn('shop', returnRequest(tampered)))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
      expect(orderQueries(w)).to.have.length(0);
      expect(await record(w, orderId)).to.deep.equal(before);
    });

    it('refuses a return without a signature, and one signed with another key', async function () {
      const orderId = nextOrder();
      await atCashier(orderId);
      await w.sim.complete(orderId, 'succeeded', { notify: false });
      const genuine = Object.fromEntries(new URLSearchParams(w.sim.syncReturnBody(orderId, 'MD5')));
      const { sign: _sign, ...unsigned } = genuine;
      const missing = (await w.paykit.payments.handleReturn('shop', returnRequest(new URLSearchParams(unsigned).toString())))._unsafeUnwrapErr();
      expect(missing.kind).to.equal('Decode');
      expect(missing.message).to.contain('sign');
      const forged = (await w.paykit.payments.handleReturn('shop', returnRequest(md5Signed(unsigned, 'not-the-merchant-key'))))._unsafeUnwrapErr();
      expect(forged.kind).to.equal('Signature');
      // The same fields signed with the real key pass: the refusals above were the signature's.
      expect(must(await w.paykit.payments.handleReturn('shop', returnRequest(md5Signed(unsigned, TEST_MD5_KEY)))).claimed.orderId).to.equal(orderId);
      expect(orderQueries(w)).to.have.length(1);
    });

    it('refuses a GET without the form, saying LianLian POSTs it', async function () {
      const e = (await w.paykit.payments.handleReturn('shop', { method: 'GET', url: '/paykit/return/shop', headers: {}, body: new Uint8Array(0) }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
      expect(e.message).to.contain('POST');
    });

    it('does not query an order the notification already settled', async function () {
      const orderId = nextOrder();
      await atCashier(orderId);
      const deliveries = await w.sim.complete(orderId, 'succeeded');
      expect(deliveries.at(-1)?.acknowledged).to.equal(true);
      const handled = must(await w.paykit.payments.handleReturn('shop', returnRequest(w.sim.syncReturnBody(orderId, 'MD5'))));
      expect(handled.queried).to.equal(false);
      expect(handled.payment.status).to.equal('succeeded');
      expect(orderQueries(w)).to.have.length(0);
    });
  });
});
