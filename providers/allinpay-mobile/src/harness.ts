import { postOnce, type ConformanceHarness, type Fault, type HarnessFault } from '@paykit/core/simulator';
import { allinpayMobilePlugin } from './plugin.js';
import { AllinpaySimulator } from './simulator/simulator.js';

const FAULTS: Readonly<Record<HarnessFault, Fault>> = {
  'timeout-after-processing': { delayMs: 2500 },
  'drop-reply-after-processing': { dropReply: true },
  'server-error': { status: 500 },
  'malformed-reply': { malformedBody: true },
  'bad-signature': { badSignature: true },
};

const MD5_KEY = 'harness-Md5-Key-allinpay';

/**
 * The conformance harness: the Allinpay simulator on 127.0.0.1 and an instance configured against
 * it (signType 1: requests MD5-signed, replies and notifications signed with the simulator's certificate).
 *
 * @example
 * ```ts
 * describeProviderConformance(conformanceHarness());
 * ```
 */
export function conformanceHarness(): ConformanceHarness {
  return {
    plugin: allinpayMobilePlugin,
    payOutcomes: ['succeeded', 'pending'],
    async setup() {
      const sim = await AllinpaySimulator.start({ md5Key: MD5_KEY });
      const form = (fields: Record<string, string>): Uint8Array => new Uint8Array(Buffer.from(new URLSearchParams(fields).toString(), 'utf8'));
      const fieldsOf = (body: Uint8Array): Record<string, string> => Object.fromEntries(new URLSearchParams(Buffer.from(body).toString('utf8')));
      return {
        options: {
          merchantId: sim.merchantId, md5Key: 'env:ALLINPAY_MD5_KEY', signType: '1', certificate: sim.certificatePem,
          environment: 'test', baseUrl: sim.url, receiveUrl: 'http://127.0.0.1:9/allinpay/notify',
        },
        deps: { env: { ALLINPAY_MD5_KEY: MD5_KEY } },
        currencies: ['CNY', 'USD', 'HKD', 'JPY', 'EUR', 'MYR'],
        maxAmountMinor: 9_999_999_999,
        samplePayment: (orderId, amount) => ({
          orderId, amount, description: '笔记本电脑', ...(amount.currency !== 'CNY' ? { extra: { tradeNature: 'GOODS' } } : {}),
        }),
        async pay(action, outcome) {
          if (action.kind !== 'sdk') throw new Error('Allinpay mobile payments are SDK actions');
          const r = await postOnce(`${sim.url}/sim/pay`, JSON.stringify({ payData: action.payload, outcome }), 'application/json');
          if (r === undefined || r.status !== 200) throw new Error(`simulator refused the payData: ${r?.body ?? 'no reply'}`);
          const { orderNo, orderAmount } = JSON.parse(r.body) as { orderNo: string; orderAmount: number };
          return { orderId: orderNo, wireAmountMinor: orderAmount };
        },
        notification: (orderId, outcome) => {
          // Posted where Allinpay posts it: the order's receiveUrl, query included (it names a currency other than CNY).
          const target = new URL(sim.orders.get(orderId)?.payData.receiveUrl ?? 'http://127.0.0.1:9/allinpay/notify');
          return {
            method: 'POST', url: `${target.pathname}${target.search}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form(sim.paymentResult(orderId, outcome)),
          };
        },
        tamper: (n) => {
          const f = fieldsOf(n.body);
          f.orderAmount = String(Number(f.orderAmount ?? '0') + 1);
          return { ...n, body: form(f) };
        },
        unsign: (n) => {
          const { signMsg: _dropped, ...rest } = fieldsOf(n.body);
          return { ...n, body: form(rest) };
        },
        isAck: (body) => body === 'success',
        injectFault: (fault) => { sim.server.inject(FAULTS[fault]); },
        moneyMovingCall: (paykit, paidOrderId) => paykit.payments.get(paidOrderId).andThen((p) =>
          paykit.refunds.create({ refundId: `R-${paidOrderId}`.slice(0, 50), orderId: paidOrderId, amount: { amount: 1, currency: p.amount.currency } })),
        secrets: [MD5_KEY],
        expectedErrorCodes: { ZF10020: 'invalid_signature', EM0001_000009: 'invalid_card', EM0001_000030: 'limit_exceeded', ZF30005: 'merchant_config', '011': 'not_found' },
        close: () => sim.close(),
      };
    },
  };
}
