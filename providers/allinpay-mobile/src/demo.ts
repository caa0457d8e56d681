import { createPaykit, formatPaymentError, reconciliationDigest, type DemoContext, type DemoReporter, type Paykit, type PaymentError, type ProviderDemo } from '@paykit/core';
import { allinpayMobilePlugin } from './plugin.js';
import { AllinpaySimulator } from './simulator/simulator.js';
import { LoopbackTransport } from '@paykit/core/simulator';

const US_SHOPPER = {
  ship_to_country: 'US', ship_to_state: 'IL', ship_to_city: 'Chicago', ship_to_street1: '1 Main St', ship_to_phonenumber: '312-5550100',
  ship_to_postalcode: '60601', ship_to_firstname: 'Ada', ship_to_lastname: 'Lovelace',
};

function fail(e: PaymentError): never {
  throw new Error(formatPaymentError(e));
}

async function run(reporter: DemoReporter, context?: DemoContext): Promise<void> {
  const sim = await AllinpaySimulator.start({ md5Key: 'demo-md5-key' });
  try {
    const built = await createPaykit({
      instances: { app: { plugin: 'allinpay-mobile', options: {
        merchantId: sim.merchantId, md5Key: 'env:ALLINPAY_MD5_KEY', signType: '1', certificate: sim.certificatePem,
        environment: 'test', baseUrl: sim.url, receiveUrl: 'http://127.0.0.1:9/allinpay/notify',
      } } },
    }, { plugins: [allinpayMobilePlugin], transport: new LoopbackTransport(), env: { ALLINPAY_MD5_KEY: sim.md5Key }, store: context?.store });
    if (built.isErr()) fail(built.error);
    const paykit: Paykit = built.value;

    reporter.section('Allinpay mobile: a ¥10.00 payment through the control');
    const created = await paykit.payments.create({ orderId: `NOM${Date.now()}`, amount: { amount: 1000, currency: 'CNY' }, description: '笔记本电脑' });
    if (created.isErr()) fail(created.error);
    const { action, payment } = created.value;
    if (action.kind !== 'sdk') throw new Error('expected an SDK action');
    reporter.step(`payData for the control (mode ${action.mode ?? '?'})`, JSON.parse(action.payload));
    sim.pay(action.payload, 'succeeded', false);
    reporter.step('the payer paid in the control; Allinpay posts the result to receiveUrl', Object.fromEntries(new URLSearchParams(sim.notificationBody(payment.orderId))));
    const handled = await paykit.notifications.handle('app', {
      method: 'POST', url: '/allinpay/notify', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Uint8Array(Buffer.from(sim.notificationBody(payment.orderId))),
    });
    if (handled.isErr()) fail(handled.error);
    reporter.step(`notification verified with the certificate; acknowledged with HTTP ${handled.value.reply.status} "${handled.value.reply.body}"`, handled.value.event);
    const queried = await paykit.payments.query(payment.orderId);
    if (queried.isErr()) fail(queried.error);
    reporter.step('order query v1.5 agrees', queried.value);

    reporter.section('Allinpay mobile: a partial refund and its status');
    const refund = await paykit.refunds.create({ refundId: `RF${Date.now()}`, orderId: payment.orderId, amount: { amount: 300, currency: 'CNY' } });
    if (refund.isErr()) fail(refund.error);
    reporter.step('refund v2.3 of ¥3.00 accepted (refundResult 20)', refund.value);
    const status = await paykit.refunds.query(refund.value.refundId);
    if (status.isErr()) fail(status.error);
    reporter.step('refund status query v2.4 (TKSUCC0006: refunded)', status.value);
    const tooMuch = await paykit.refunds.create({ refundId: `RF${Date.now()}X`, orderId: payment.orderId, amount: { amount: 800, currency: 'CNY' } });
    reporter.step('a further ¥8.00 refund is refused locally', tooMuch.isErr() ? formatPaymentError(tooMuch.error) : tooMuch.value);

    reporter.section('Allinpay mobile: an international-card pre-authorisation, confirmed');
    const auth = await paykit.payments.create({
      orderId: `INT${Date.now()}`, amount: { amount: 5000, currency: 'USD' }, description: 'Hotel deposit', preauth: true,
      extra: { payType: '30', issuerId: 'visa', tradeNature: 'SERVICES', international: US_SHOPPER },
    });
    if (auth.isErr()) fail(auth.error);
    if (auth.value.action.kind !== 'sdk') throw new Error('expected an SDK action');
    reporter.step('payData with payType 30 and the 5.4 ext1 digest', JSON.parse(auth.value.action.payload));
    sim.pay(auth.value.action.payload, 'succeeded', false);
    const authorised = await paykit.payments.query(auth.value.payment.orderId);
    if (authorised.isErr()) fail(authorised.error);
    reporter.step('authorised $50.00', authorised.value);
    const captured = await paykit.preauth.capture({ orderId: auth.value.payment.orderId, amount: { amount: 4200, currency: 'USD' } });
    if (captured.isErr()) fail(captured.error);
    reporter.step('pre-auth confirm v1.9 of $42.00 (retCode 0000)', captured.value);

    reporter.section("Allinpay mobile: the day reconciled (batch query v1.6 and refund queries v2.4)");
    const lost = await paykit.payments.create({ orderId: `NOMLOST${Date.now()}`, amount: { amount: 2000, currency: 'CNY' }, description: '鼠标' });
    if (lost.isErr()) fail(lost.error);
    if (lost.value.action.kind !== 'sdk') throw new Error('expected an SDK action');
    sim.pay(lost.value.action.payload, 'succeeded', false);
    reporter.step(`order ${lost.value.payment.orderId} was paid, but its notification never arrived: paykit has it pending`);
    const unheard = await paykit.refunds.create({ refundId: `RF${Date.now()}U`, orderId: payment.orderId, amount: { amount: 200, currency: 'CNY' } });
    if (unheard.isErr()) fail(unheard.error);
    reporter.step(`refund ${unheard.value.refundId} was accepted (refundResult 20) and done since; paykit never asked again`, unheard.value.status);
    sim.batchFaults.push({ kind: 'duplicate', orderNo: payment.orderId }, { kind: 'extra', orderNo: `NOMGHOST${Date.now()}`, amount: 1500, day: sim.orders.get(payment.orderId)?.payDatetime.slice(0, 8) ?? '' });
    reporter.step(`the batch query lists ${payment.orderId} twice and an order this app never made`);
    const payDay = sim.orders.get(payment.orderId)?.payDatetime ?? '';
    const date = `${payDay.slice(0, 4)}-${payDay.slice(4, 6)}-${payDay.slice(6, 8)}`;
    const report = await paykit.reconcile({ instance: 'app', date }, { repair: true });
    if (report.isErr()) fail(report.error);
    reporter.step(`reconciled ${date}, repairing by verified queries (paykit reconcile --repair)`, reconciliationDigest(report.value));
    context?.reconciled?.(report.value);
  } finally {
    await sim.close();
  }
}

/**
 * The `paykit demo` scenario of the Allinpay mobile plugin: payment, partial refund + status,
 * pre-auth confirm, then the day reconciled from the batch query and refund queries (a lost
 * notification, a refund never heard of, a duplicated line and an unknown order put into it).
 * Records go to `context.store` when given (order ids starting with `NOM` and `INT`, refund ids with
 * `RF`), else to an in-memory store.
 */
export const allinpayMobileDemo: ProviderDemo = {
  title: 'Allinpay mobile payment control',
  run,
};
