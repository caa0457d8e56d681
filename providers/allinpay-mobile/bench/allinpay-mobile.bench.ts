/**
 * An Allinpay payment result notification (form-encoded, signType 1: SHA1withRSA with Allinpay's
 * certificate, spec 2.2.3 and 5.3) verified, decoded and mapped by the plugin, against the floor a
 * merchant would hand-write with no checks (URLSearchParams, the source string in the spec's
 * order, the same node:crypto verify). Target ≥ 0.9 of the floor; for reference, both against a
 * bare verify of the source string's bytes.
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { notificationsOf, ratio, sharedFile, type Side } from '@paykit/conformance/bench';
import type { RawHttpRequest } from '@paykit/core';
import { allinpayMobilePlugin } from '../src/index.js';
import { LoopbackTransport } from '@paykit/core/simulator';
import { AllinpaySimulator, simSource, SIM_ORDERS } from '../src/simulator/index.js';

const MD5_KEY = 'bench-key';

interface Fixture { readonly merchantId: string; readonly certificatePem: string; readonly body: string }

/** A notification the simulator signed, with its certificate, made once per run: the same bytes in every process. */
async function fixture(): Promise<Fixture & { key: KeyObject; request: RawHttpRequest }> {
  const path = await sharedFile('allinpay-notification.json', async () => {
    const sim = await AllinpaySimulator.start({ md5Key: MD5_KEY });
    try {
      const payData = {
        inputCharset: '1', receiveUrl: 'http://127.0.0.1:9/n', version: 'v1.0', signType: '1', merchantId: sim.merchantId, orderNo: 'BENCH1',
        orderAmount: '4965', orderCurrency: '156', orderDatetime: '20240101120000', productName: 'tea', payType: '0',
      };
      const signMsg = allinpayMobilePlugin.tools?.sign(payData, { md5Key: MD5_KEY })._unsafeUnwrap().signature ?? '';
      sim.pay(JSON.stringify({ ...payData, signMsg }), 'succeeded', false);
      const made: Fixture = { merchantId: sim.merchantId, certificatePem: sim.certificatePem, body: new URLSearchParams(sim.paymentResult('BENCH1')).toString() };
      return Buffer.from(JSON.stringify(made), 'utf8');
    } finally {
      await sim.close();
    }
  });
  const f = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  const request: RawHttpRequest = { method: 'POST', url: '/n', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array(Buffer.from(f.body, 'utf8')) };
  return { ...f, key: createPublicKey(f.certificatePem), request };
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const ORDER = SIM_ORDERS.paymentResult;

/** The floor: parse the form, the source string of its non-empty fields in the spec's order, the same verify. No checks. */
function floorPath(body: Uint8Array, key: KeyObject): boolean {
  const form = new URLSearchParams(STRICT_UTF8.decode(body));
  let text = '';
  for (const k of ORDER) {
    const v = form.get(k);
    if (v !== null && v !== '') text += `${text === '' ? '' : '&'}${k}=${v}`;
  }
  return createVerify('RSA-SHA1').update(text, 'utf8').verify(key, form.get('signMsg') ?? '', 'base64');
}

const plugin: Side = {
  name: 'allinpay-mobile notifications.verify: form decode, verify (certificate SHA1withRSA), map to a payment report',
  setup: async () => {
    const f = await fixture();
    const notifications = await notificationsOf(allinpayMobilePlugin, {
      merchantId: f.merchantId, md5Key: MD5_KEY, signType: '1', certificate: f.certificatePem, environment: 'test',
      baseUrl: 'http://127.0.0.1:9', receiveUrl: 'http://127.0.0.1:9/n',
    }, f.request);
    return () => notifications.verify(f.request);
  },
};

const floor: Side = {
  name: 'floor: strict UTF-8, URLSearchParams, source string in the spec\'s order, the same RSA-SHA1 verify (no checks, no mapping)',
  setup: async () => {
    const f = await fixture();
    if (!floorPath(f.request.body, f.key)) throw new Error('the floor does not verify the notification');
    return () => floorPath(f.request.body, f.key);
  },
};

const bare: Side = {
  name: 'bare node:crypto RSA-SHA1 verify of the source string\'s bytes',
  setup: async () => {
    const f = await fixture();
    const fields = Object.fromEntries(new URLSearchParams(f.body));
    const text = Buffer.from(simSource(fields, ORDER), 'utf8');
    const sig = fields.signMsg ?? '';
    return () => createVerify('RSA-SHA1').update(text).verify(f.key, sig, 'base64');
  },
};

/** The rows of allinpay-mobile. */
export const rows = [
  ratio({ id: 'allinpay-mobile.notification', subject: plugin, baseline: floor, target: 0.9 }),
  ratio({ id: 'allinpay-mobile.notification.bare-verify', subject: plugin, baseline: bare }),
  ratio({ id: 'allinpay-mobile.notification.floor-vs-bare', subject: floor, baseline: bare }),
];
