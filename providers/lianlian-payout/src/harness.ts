/** The conformance harness: the simulator plus an instance configured against it, for `@paykit/conformance`. */
import { generateKeyPairSync } from 'node:crypto';
import type { ConformanceHarness, HarnessContext, HarnessFault } from '@paykit/core/simulator';
import type { CreatePaymentInput, RawHttpRequest } from '@paykit/core';
import { lianlianPayoutPlugin } from './plugin.js';
import { isAck, LianlianPayoutSimulator } from './simulator/index.js';

const OID_PARTNER = '201606221000921503';
const CARD = '6216261234567890018';
const APPLY = '/paymentapi/payment.htm';

function notificationRequest(body: string): RawHttpRequest {
  return { method: 'POST', url: '/notify/payout', headers: { 'content-type': 'application/json;charset=utf-8' }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

function edit(n: RawHttpRequest, change: (fields: Record<string, unknown>) => Record<string, unknown>): RawHttpRequest {
  const fields = JSON.parse(Buffer.from(n.body).toString('utf8')) as Record<string, unknown>;
  return notificationRequest(JSON.stringify(change(fields)));
}

/**
 * The harness `describeProviderConformance` runs against. The plugin moves money by payout, so the
 * money-moving call is a payout; it takes no payments, so `samplePayment` is only ever refused
 * (Unsupported) and `pay` rejects.
 *
 * @example
 * ```ts
 * describeProviderConformance(conformanceHarness());
 * ```
 */
export function conformanceHarness(): ConformanceHarness {
  return {
    plugin: lianlianPayoutPlugin,
    async setup(): Promise<HarnessContext> {
      const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const privatePem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const sim = await LianlianPayoutSimulator.start({ oidPartner: OID_PARTNER, merchantPublicKey: merchant.publicKey, lateReplyMs: 1500 });
      return {
        options: { oidPartner: OID_PARTNER, privateKey: privatePem, lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl, notifyUrl: 'http://127.0.0.1:9/notify/payout' },
        currencies: ['CNY'],
        samplePayment: (orderId, amount): CreatePaymentInput => ({ orderId, amount, description: 'not supported by a payout plugin' }),
        pay: () => Promise.reject(new Error('lianlian-payout takes no payments')),
        notification: (orderId, outcome) => notificationRequest(sim.orders.has(orderId)
          ? sim.notification(orderId, outcome === 'succeeded' ? 'SUCCESS' : 'FAILURE')
          : JSON.stringify(sim.sign({ oid_partner: OID_PARTNER, sign_type: 'RSA', no_order: orderId, dt_order: '20240301090000', money_order: '49.65', result_pay: outcome === 'succeeded' ? 'SUCCESS' : 'FAILURE' }))),
        tamper: (n) => edit(n, (f) => ({ ...f, money_order: '99999.99' })),
        unsign: (n) => edit(n, (f) => Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'sign'))),
        isAck,
        injectFault(fault: HarnessFault): void {
          switch (fault) {
            case 'timeout-after-processing': sim.server.inject({ path: APPLY, delayMs: 1500 }); break;
            case 'drop-reply-after-processing': sim.server.inject({ path: APPLY, dropReply: true }); break;
            case 'server-error': sim.server.inject({ status: 500 }); break;
            case 'malformed-reply': sim.server.inject({ malformedBody: true }); break;
            case 'bad-signature': sim.server.inject({ badSignature: true }); break;
            default: fault satisfies never;
          }
        },
        moneyMovingCall: (paykit, orderId) => paykit.payouts.submit({
          payoutId: orderId, amount: { amount: 4965, currency: 'CNY' }, description: 'conformance payout',
          account: { type: 'private', accountNumber: CARD, accountName: '张三' },
        }),
        queryCall: (paykit, reference) => paykit.payouts.query(reference),
        secrets: [privatePem, privatePem.replace(/-----[A-Z ]+-----|\s+/g, '')],
        cardNumber: CARD,
        expectedErrorCodes: { '4005': 'permission_denied', '8901': 'not_found', '9999': 'outcome_unknown', '4002': 'suspected_duplicate', '4003': 'invalid_account', '4004': 'suspected_duplicate' },
        close: () => sim.close(),
      };
    },
  };
}
