/** The conformance harness: the plugin against its simulator on 127.0.0.1. */
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { encodeText, type Charset, type PaymentAction, type RawHttpRequest } from '@paykit/core';
import type { ConformanceHarness, HarnessContext, HarnessFault } from '@paykit/core/simulator';
import { lianlianWebPlugin } from './plugin.js';
import { LianlianWebSimulator, SIM_ACK } from './simulator/index.js';

/** URL-encodes form fields in a charset (what a browser does for `accept-charset`). */
export function encodeForm(fields: Readonly<Record<string, string>>, charset: Charset): string {
  const enc = (s: string): string => {
    const bytes = encodeText(s, charset);
    if (bytes.isErr()) throw new Error(`cannot encode a form value in ${charset}`);
    return [...bytes.value].map((b) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  };
  return Object.entries(fields).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** Posts a redirect action's form the way the payer's browser does; resolves with status and body. */
export function submitForm(action: PaymentAction): Promise<{ status: number; body: string }> {
  if (action.kind !== 'redirect') return Promise.reject(new Error('LianLian web actions are redirects'));
  const body = encodeForm(action.fields, action.charset as Charset);
  return new Promise((resolve, reject) => {
    const req = request(action.url, { method: 'POST', headers: { 'content-type': `application/x-www-form-urlencoded; charset=${action.charset}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Test keys made once per process: the merchant's pair and LianLian's pair (1024-bit, as LianLian's). */
export const testKeys = (() => {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const lianlian = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const der = (k: typeof merchant.privateKey, type: 'pkcs8' | 'spki'): string => (type === 'pkcs8'
    ? k.export({ format: 'der', type: 'pkcs8' }) : k.export({ format: 'der', type: 'spki' })).toString('base64');
  return {
    merchantPrivate: der(merchant.privateKey, 'pkcs8'), merchantPublic: der(merchant.publicKey, 'spki'),
    lianlianPrivate: der(lianlian.privateKey, 'pkcs8'), lianlianPublic: der(lianlian.publicKey, 'spki'),
  };
})();

/** The merchant number of the integration guide's test merchant. */
export const TEST_OID_PARTNER = '201408071000001543';
/** An MD5 key for tests. */
export const TEST_MD5_KEY = 'md5-key-for-tests_2014082';

const FAULTS: { readonly [K in HarnessFault]: Parameters<LianlianWebSimulator['inject']>[0] } = {
  'timeout-after-processing': { delayMs: 2000 },
  'drop-reply-after-processing': { dropReply: true },
  'server-error': { status: 500 },
  'malformed-reply': { malformedBody: true },
  'bad-signature': { badSignature: true },
};

/**
 * The conformance harness of the LianLian web plugin: RSA-signed requests, MD5-signed notifications
 * (the merchant site's setting differs from the request's, README rule 6).
 */
export function conformanceHarness(): ConformanceHarness {
  return {
    plugin: lianlianWebPlugin,
    payOutcomes: ['succeeded', 'failed'],
    async setup(): Promise<HarnessContext> {
      const sim = await LianlianWebSimulator.start({
        oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: 'MD5',
        lianlianPrivateKey: testKeys.lianlianPrivate, merchantPublicKey: testKeys.merchantPublic,
      });
      const card = '6222020200112233445';
      return {
        options: {
          oidPartner: TEST_OID_PARTNER, signType: 'RSA', notifySignType: 'MD5', md5Key: TEST_MD5_KEY,
          privateKey: testKeys.merchantPrivate, lianlianPublicKey: testKeys.lianlianPublic,
          cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url, notifyUrl: `${sim.url}/merchant/notify`, goodsCategory: '1002',
        },
        currencies: ['CNY'],
        samplePayment: (orderId, amount) => ({
          orderId, amount, description: '测试商品',
          payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z'), cardNumber: card },
        }),
        async pay(action, outcome) {
          const reply = await submitForm(action);
          if (reply.status !== 200) throw new Error(`the simulator's cashier refused the form: ${reply.body}`);
          const { no_order: orderId } = JSON.parse(reply.body) as { no_order: string };
          await sim.complete(orderId, outcome, { notify: false });
          const order = sim.ledger.get(orderId);
          if (!order) throw new Error('the simulator lost the order');
          return { orderId, wireAmountMinor: order.amountMinor };
        },
        notification: (orderId, outcome): RawHttpRequest => ({
          method: 'POST', url: '/merchant/notify', headers: { 'content-type': 'application/json;charset=UTF-8' },
          body: Buffer.from(sim.notificationBody(orderId, outcome === 'succeeded' ? 'SUCCESS' : 'FAILURE'), 'utf8'),
        }),
        tamper: (n) => {
          const f = JSON.parse(Buffer.from(n.body).toString('utf8')) as Record<string, string>;
          f.money_order = f.money_order === '0.01' ? '0.02' : '0.01';
          return { ...n, body: Buffer.from(JSON.stringify(f), 'utf8') };
        },
        unsign: (n) => {
          const { sign: _s, ...f } = JSON.parse(Buffer.from(n.body).toString('utf8')) as Record<string, string>;
          return { ...n, body: Buffer.from(JSON.stringify(f), 'utf8') };
        },
        isAck: (body) => body === SIM_ACK,
        injectFault: (fault) => sim.inject(FAULTS[fault]),
        secrets: [TEST_MD5_KEY, testKeys.merchantPrivate, testKeys.lianlianPrivate],
        cardNumber: card,
        expectedErrorCodes: { '8901': 'not_found', '1001': 'invalid_signature', '1003': 'card_declined' },
        close: () => sim.close(),
      };
    },
  };
}
