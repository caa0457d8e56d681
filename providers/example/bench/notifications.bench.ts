/**
 * An Example Pay notification (JSON, HMAC-SHA256 over the sorted fields) verified, decoded and
 * mapped by the plugin, against the floor a merchant would hand-write with no checks (strict
 * UTF-8, JSON.parse, the signing text over the documented keys in order, the same HMAC and a
 * constant-time compare). Target ≥ 0.9 of the floor; for reference, both against a bare HMAC of
 * the signing text's bytes and the compare.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { notificationsOf, ratio, type Side } from '@paykit/conformance/bench';
import type { RawHttpRequest } from '@paykit/core';
import { examplePlugin } from '../src/index.js';
import { simCstTimestamp, simSign } from '../src/simulator/index.js';

const MERCHANT = 'M100200300';
const KEY = 'example-bench-merchant-key-0123456789';
const fields: Record<string, string> = {
  merchant_id: MERCHANT, notify_id: 'N00000042', order_no: 'A1001', status: 'PAID', amount: '49.65', currency: 'CNY',
  payment_id: 'P0000000042', paid_at: simCstTimestamp(new Date(Date.UTC(2024, 0, 1, 4, 0, 0))), sign_type: 'HMAC-SHA256',
};
const sign = simSign(fields, KEY);
const body = Buffer.from(JSON.stringify({ ...fields, sign }), 'utf8');
const request: RawHttpRequest = { method: 'POST', url: '/notify/example', headers: { 'content-type': 'application/json; charset=utf-8' }, body };
const text = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');

/** Every key Example Pay signs in a notification, sorted (known beforehand, so no sort per message). */
const SIGNED_KEYS = ['amount', 'currency', 'fail_reason', 'merchant_id', 'notify_id', 'order_no', 'paid_at', 'payment_id', 'sign_type', 'status'];
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function hmacEquals(signed: string, given: string): boolean {
  const expected = createHmac('sha256', KEY).update(signed, 'utf8').digest();
  const got = Buffer.from(given, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The floor: decode, parse, the signing text over the known keys, the same HMAC and compare. No checks. */
function floorPath(raw: Uint8Array): boolean {
  const json = JSON.parse(STRICT_UTF8.decode(raw)) as Record<string, string>;
  let signed = '';
  for (const k of SIGNED_KEYS) {
    const v = json[k];
    if (v !== undefined && v !== '') signed += `${signed === '' ? '' : '&'}${k}=${v}`;
  }
  return hmacEquals(signed, json.sign ?? '');
}

const plugin: Side = {
  name: 'example notifications.verify: decode, verify (HMAC-SHA256), map to a payment report',
  setup: async () => {
    const notifications = await notificationsOf(examplePlugin, { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify/example' }, request);
    return () => notifications.verify(request);
  },
};

const floor: Side = {
  name: 'floor: strict UTF-8, JSON.parse, signing text over the documented keys, the same HMAC + timingSafeEqual (no checks, no mapping)',
  setup: () => {
    if (!floorPath(body)) throw new Error('the floor does not verify the notification');
    return () => floorPath(body);
  },
};

const bare: Side = {
  name: 'bare HMAC-SHA256 of the signing text\'s bytes + timingSafeEqual',
  setup: () => {
    const bytes = Buffer.from(text, 'utf8');
    const given = Buffer.from(sign, 'hex');
    return () => timingSafeEqual(createHmac('sha256', KEY).update(bytes).digest(), given);
  },
};

/** The notification rows of the example provider. */
export const rows = [
  ratio({ id: 'example.notification', subject: plugin, baseline: floor, target: 0.9 }),
  ratio({ id: 'example.notification.bare-verify', subject: plugin, baseline: bare }),
  ratio({ id: 'example.notification.floor-vs-bare', subject: floor, baseline: bare }),
];
