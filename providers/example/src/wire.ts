/**
 * Example Pay API v1, exactly as it goes over the wire. Every field is modelled with its length and
 * whether it is required; nothing outside this provider imports these types.
 *
 * Protocol summary (the whole "spec" of Example Pay):
 * - All messages are flat string maps signed with HMAC-SHA256 (see `signer.ts`) in `sign`, with
 *   `sign_type` = `HMAC-SHA256`.
 * - Amounts are decimal strings in the currency's major unit (`"49.65"` CNY, `"4965"` JPY).
 * - Payment: the payer's browser posts the {@link PayForm} to `{baseUrl}/pay`.
 * - Queries and refunds: JSON `POST` to `{baseUrl}/query`, `/refund`, `/refund-query`; replies are JSON.
 * - Notifications: JSON `POST` to the merchant's `notify_url`; the merchant answers `SUCCESS`.
 * - Return: after paying (or failing) at the cashier, the payer's browser is redirected (`GET`) to
 *   `return_url` with the {@link ReturnParams} added to its query string; the signature covers
 *   every query parameter but `sign`, the merchant's own parameters of `return_url` included.
 * - Statement: JSON `POST` to `{baseUrl}/statement` with a day (`YYYYMMDD`, China Standard Time) and
 *   a page number; the signed reply holds up to 500 lines in `lines` (see {@link StatementLine}),
 *   how many in `count`, and `has_more` `Y` while another page follows.
 */
import { parseJsonObject, PaymentErrors, type PayResult } from '@paykit/core';
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';

/** A string of `min`–`max` characters, optionally matching a pattern (named in messages). */
export function bounded(name: string, min: number, max: number, pattern?: RegExp): t.Type<string, string, unknown> {
  const what = `${name} of ${min}-${max} characters${pattern ? ` matching ${String(pattern)}` : ''}`;
  return new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && u.length >= min && u.length <= max && (pattern?.test(u) ?? true),
    (u, c) => (typeof u === 'string' && u.length >= min && u.length <= max && (pattern?.test(u) ?? true)
      ? t.success(u) : t.failure(u, c, `expected ${what}`)),
    t.identity,
  );
}

/** `merchant_id`: 1–32 letters and digits. */
export const MerchantId = bounded('merchant_id', 1, 32, /^[A-Za-z0-9]+$/);
/** An order, refund or notification number: 1–64 printable ASCII characters. */
export const WireReference = bounded('reference', 1, 64, /^[\x21-\x7e]+$/);
/** A decimal amount string: digits with an optional fraction, at most 16 characters. */
export const WireAmount = bounded('amount', 1, 16, /^\d+(\.\d+)?$/);
/** ISO 4217 alphabetic currency code. */
export const WireCurrency = bounded('currency', 3, 3, /^[A-Z]{3}$/);
/** `YYYYMMDDHHmmss` in China Standard Time. */
export const WireTimestamp = bounded('timestamp', 14, 14, /^\d{14}$/);
/** The signature: 64 lower-case hex digits. */
export const WireSign = bounded('sign', 64, 64, /^[0-9a-f]{64}$/);
/** The signature algorithm; only one exists. */
export const WireSignType = t.literal('HMAC-SHA256');
/** Result code: four digits, `0000` is success. */
export const WireCode = bounded('code', 4, 4, /^\d{4}$/);
/** Free text up to 256 characters. */
export const WireMessage = bounded('message', 0, 256);
/** A status word as the provider sends it (mapped in `mapping.ts`; unknown words stay pending). */
export const WireStatus = bounded('status', 1, 32);
/** A URL up to 256 characters. */
export const WireUrl = bounded('url', 1, 256, /^https?:\/\/\S+$/);

/** The cashier form the payer's browser posts to `/pay`. */
export const PayForm = t.intersection([
  t.type({
    merchant_id: MerchantId, order_no: WireReference, amount: WireAmount, currency: WireCurrency,
    subject: bounded('subject', 1, 128), notify_url: WireUrl, created_at: WireTimestamp,
    sign_type: WireSignType, sign: WireSign,
  }),
  t.partial({ return_url: WireUrl, valid_minutes: bounded('valid_minutes', 1, 5, /^\d+$/) }),
], 'PayForm');
/** {@link PayForm} as data. */
export type PayForm = t.TypeOf<typeof PayForm>;

/** `POST /query`. */
export const QueryRequest = t.type({ merchant_id: MerchantId, order_no: WireReference, sign_type: WireSignType, sign: WireSign }, 'QueryRequest');
/** {@link QueryRequest} as data. */
export type QueryRequest = t.TypeOf<typeof QueryRequest>;

/** Fields every reply carries. */
export const ReplyHead = t.type({ code: WireCode, message: WireMessage, sign_type: WireSignType, sign: WireSign }, 'ReplyHead');

/** A successful `/query` reply (code `0000`). */
export const QueryReply = t.intersection([
  ReplyHead,
  t.type({ merchant_id: MerchantId, order_no: WireReference, status: WireStatus, amount: WireAmount, currency: WireCurrency }),
  t.partial({ payment_id: bounded('payment_id', 1, 32), paid_at: WireTimestamp, fail_reason: WireMessage }),
], 'QueryReply');
/** {@link QueryReply} as data. */
export type QueryReply = t.TypeOf<typeof QueryReply>;

/** `POST /refund`. */
export const RefundRequestWire = t.type({
  merchant_id: MerchantId, order_no: WireReference, refund_no: WireReference, refund_amount: WireAmount,
  currency: WireCurrency, sign_type: WireSignType, sign: WireSign,
}, 'RefundRequest');
/** {@link RefundRequestWire} as data. */
export type RefundRequestWire = t.TypeOf<typeof RefundRequestWire>;

/** `POST /refund-query`. */
export const RefundQueryRequest = t.type({ merchant_id: MerchantId, refund_no: WireReference, sign_type: WireSignType, sign: WireSign }, 'RefundQueryRequest');
/** {@link RefundQueryRequest} as data. */
export type RefundQueryRequest = t.TypeOf<typeof RefundQueryRequest>;

/** A successful `/refund` or `/refund-query` reply. */
export const RefundReply = t.intersection([
  ReplyHead,
  t.type({ order_no: WireReference, refund_no: WireReference, status: WireStatus, refund_amount: WireAmount, currency: WireCurrency }),
  t.partial({ refund_id: bounded('refund_id', 1, 32) }),
], 'RefundReply');
/** {@link RefundReply} as data. */
export type RefundReply = t.TypeOf<typeof RefundReply>;

/** The payment result notification posted to `notify_url`. */
export const Notification = t.intersection([
  t.type({
    merchant_id: MerchantId, notify_id: bounded('notify_id', 1, 32), order_no: WireReference, status: WireStatus,
    amount: WireAmount, currency: WireCurrency, sign_type: WireSignType, sign: WireSign,
  }),
  t.partial({ payment_id: bounded('payment_id', 1, 32), paid_at: WireTimestamp, fail_reason: WireMessage }),
], 'Notification');
/** {@link Notification} as data. */
export type Notification = t.TypeOf<typeof Notification>;

/**
 * The result Example Pay adds to `return_url`'s query string when it redirects the payer's browser
 * back. Parameters of the merchant's own `return_url` travel with it, signed too, and are kept.
 */
export const ReturnParams = t.intersection([
  t.type({
    merchant_id: MerchantId, order_no: WireReference, status: WireStatus, amount: WireAmount, currency: WireCurrency,
    sign_type: WireSignType, sign: WireSign,
  }),
  t.partial({ payment_id: bounded('payment_id', 1, 32), paid_at: WireTimestamp, fail_reason: WireMessage }),
], 'ReturnParams');
/** {@link ReturnParams} as data. */
export type ReturnParams = t.TypeOf<typeof ReturnParams>;

/** The exact acknowledgement body that stops redelivery. */
export const ACK_BODY = 'SUCCESS';
/** The body that asks for redelivery. */
export const NACK_BODY = 'FAIL';

/** Currencies Example Pay settles. */
export const WIRE_CURRENCIES = ['CNY', 'USD', 'JPY'] as const;

/** Largest body Example Pay sends (replies and notifications are a few hundred bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** A received message as flat string fields (every Example Pay message is one JSON object of strings). */
export type WireFields = Readonly<Record<string, string>>;

const WORDING = { providerId: 'example', hint: 'pass the raw body exactly as received' } as const;

/** The flat string fields of a JSON body; decode errors say what was wrong, quoting at most the first 24 characters of a body that is not JSON. */
export function parseFlatJson(body: Uint8Array, what: string): PayResult<WireFields> {
  if (body.length === 0) return err(PaymentErrors.decode(`${what} is empty: Example Pay sends a JSON object`, { providerId: 'example' }));
  if (body.length > MAX_BODY_BYTES) return err(PaymentErrors.decode(`${what} is ${body.length} bytes; Example Pay messages are under ${MAX_BODY_BYTES}`, { providerId: 'example' }));
  const json = parseJsonObject(body, what, WORDING);
  if (json.isErr()) return err(json.error);
  // JSON.parse makes own enumerable keys only, so for-in sees exactly them (no key array is made).
  for (const k in json.value) {
    if (typeof json.value[k] !== 'string') return err(PaymentErrors.decode(`${what}: field ${k.slice(0, 32)} is not a string`, { providerId: 'example', path: k.slice(0, 32) }));
  }
  return ok(json.value as WireFields);
}

/** `POST /statement`: one page of a day's statement. */
export const StatementRequest = t.type({
  merchant_id: MerchantId, date: bounded('date', 8, 8, /^\d{8}$/), page: bounded('page', 1, 3, /^[1-9]\d{0,2}$/),
  sign_type: WireSignType, sign: WireSign,
}, 'StatementRequest');
/** {@link StatementRequest} as data. */
export type StatementRequest = t.TypeOf<typeof StatementRequest>;

/** Lines a statement page holds at most. */
export const STATEMENT_PAGE_LINES = 500;

/** A successful `/statement` reply: a page of the day's lines, newline-separated. */
export const StatementReply = t.intersection([
  ReplyHead,
  t.type({
    merchant_id: MerchantId, date: bounded('date', 8, 8, /^\d{8}$/), page: bounded('page', 1, 3, /^[1-9]\d{0,2}$/),
    has_more: t.keyof({ Y: null, N: null }), count: bounded('count', 1, 3, /^\d{1,3}$/), lines: bounded('lines', 0, 60_000),
  }),
], 'StatementReply');
/** {@link StatementReply} as data. */
export type StatementReply = t.TypeOf<typeof StatementReply>;

/** What a statement line records: a payment, a refund, or a fee charged on its own. */
export const STATEMENT_LINE_TYPES = ['PAYMENT', 'REFUND', 'FEE'] as const;

/** A signed decimal amount (statement lines: negative for refunds). */
export const WireSignedAmount = bounded('amount', 1, 17, /^-?\d+(\.\d+)?$/);

/**
 * One statement line, `|`-separated: `type|order_no|refund_no|payment_id|amount|currency|fee|time`.
 * A refund line carries the refunded order and its refund number, a negative amount and the fee
 * given back (negative); a `FEE` line charges a fee (in `fee`, amount `0.00`) tied to no order, its
 * reference in `order_no`. `time` is when it happened, `YYYYMMDDHHmmss` China Standard Time.
 */
export const StatementLine = t.type({
  type: t.keyof({ PAYMENT: null, REFUND: null, FEE: null }), order_no: WireReference, refund_no: bounded('refund_no', 0, 64, /^[\x21-\x7e]*$/),
  payment_id: bounded('payment_id', 0, 32), amount: WireSignedAmount, currency: WireCurrency, fee: WireSignedAmount, time: WireTimestamp,
}, 'StatementLine');
/** {@link StatementLine} as data. */
export type StatementLine = t.TypeOf<typeof StatementLine>;

/** The field names of a statement line, in their order. */
export const STATEMENT_LINE_FIELDS = ['type', 'order_no', 'refund_no', 'payment_id', 'amount', 'currency', 'fee', 'time'] as const;
