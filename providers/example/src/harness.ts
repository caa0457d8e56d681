/** The conformance harness of Example Pay: its simulator, configured for `describeProviderConformance`. */
import { randomBytes } from 'node:crypto';
import type { ConformanceHarness, Fault, HarnessFault } from '@paykit/core/simulator';
import type { RawHttpRequest } from '@paykit/core';
import { examplePlugin } from './plugin.js';
import { ExampleSimulator } from './simulator/index.js';

/** A card number the harness puts in every payment: it may appear only masked. */
const CARD = '6222021234567890123';
const MERCHANT = 'M100200';

/** Each harness fault as a simulator fault on the endpoint it concerns. */
const FAULTS: Readonly<Record<HarnessFault, Fault>> = {
  // The refund is recorded, then the reply is held far past the kit's 300 ms transport timeout.
  'timeout-after-processing': { path: '/refund', delayMs: 1500 },
  'drop-reply-after-processing': { path: '/refund', dropReply: true },
  'server-error': { path: '/query', status: 500 },
  'malformed-reply': { path: '/query', malformedBody: true },
  'bad-signature': { path: '/query', badSignature: true },
};

function request(body: string, contentType = 'application/json; charset=utf-8'): RawHttpRequest {
  return { method: 'POST', url: '/notify/example', headers: { 'content-type': contentType }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

function fieldsOf(n: RawHttpRequest): Record<string, string> {
  return JSON.parse(Buffer.from(n.body).toString('utf8')) as Record<string, string>;
}

/**
 * The harness `describeProviderConformance` runs Example Pay with: a fresh simulator and a random
 * key per group; refunds are the money-moving call.
 *
 * @example
 * ```ts
 * describeProviderConformance(conformanceHarness());
 * ```
 */
export function conformanceHarness(): ConformanceHarness {
  return {
    plugin: examplePlugin,
    payOutcomes: ['succeeded', 'failed'],
    async setup() {
      const key = `exk_${randomBytes(12).toString('hex')}`;
      const sim = await ExampleSimulator.start({ merchantId: MERCHANT, key, autoNotify: false });
      return {
        options: { merchantId: MERCHANT, key, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify/example', timeoutMs: 5000 },
        currencies: ['CNY', 'USD', 'JPY'],
        maxAmountMinor: 99_999_999_999,
        secrets: [key],
        cardNumber: CARD,
        expectedErrorCodes: { 1001: 'invalid_signature', 1003: 'not_found', 2002: 'invalid_amount', 9999: 'provider_error' },
        samplePayment: (orderId, amount) => ({
          orderId, amount, description: 'Conformance tea',
          payer: { id: 'user-1', ip: '127.0.0.1', cardNumber: CARD, name: 'Test Payer' },
        }),
        pay: (action, outcome) => sim.pay(action, outcome),
        notification: (orderId, outcome) => request(sim.notificationBody(orderId, outcome)),
        tamper(n) {
          const f = fieldsOf(n);
          // One more major unit, same signature.
          const amount = f.amount ?? '0';
          const dot = amount.indexOf('.');
          const whole = dot < 0 ? amount : amount.slice(0, dot);
          return request(JSON.stringify({ ...f, amount: `${BigInt(whole) + 1n}${dot < 0 ? '' : amount.slice(dot)}` }));
        },
        unsign(n) {
          const { sign: _sign, ...rest } = fieldsOf(n);
          return request(JSON.stringify(rest));
        },
        isAck: (body) => body === 'SUCCESS',
        injectFault: (fault) => sim.inject(FAULTS[fault]),
        moneyMovingCall: (paykit, orderId) => paykit.payments.get(orderId).andThen((p) =>
          paykit.refunds.create({ refundId: `RF${orderId}`.slice(0, 64), orderId, amount: { amount: 1, currency: p.amount.currency } })),
        close: () => sim.close(),
      };
    },
  };
}
