/**
 * Allinpay mobile wire messages, field by field as the spec's tables give them (name, length,
 * required). Each message is one ordered table: its order is the signing order of the interface,
 * and its io-ts codec checks every field's length and presence.
 */
import * as t from 'io-ts';

/** One wire field: name, maximum length in characters, required flag. */
export type WireField = readonly [name: string, max: number, required: boolean];

/** A message table: its fields in the spec's order. */
export type WireSpec = readonly WireField[];
/** The required fields of a table, as strings. */
export type RequiredFields<S extends WireSpec> = { readonly [E in S[number] as E[2] extends true ? E[0] : never]: string };
/** The optional fields of a table, possibly absent. */
export type OptionalFields<S extends WireSpec> = { readonly [E in S[number] as E[2] extends false ? E[0] : never]?: string };
/** The decoded record of a message table: required fields are strings, optional ones may be absent. */
export type WireOf<S extends WireSpec> = RequiredFields<S> & OptionalFields<S>;

/** Card data whose value an error must never repeat (core's error report hides `[REDACTED]`). */
const HIDDEN_FIELDS: ReadonlySet<string> = new Set(['cvv2', 'expireddate']);

/** A string of at most `max` characters; required fields must also be non-empty. */
function bounded(name: string, max: number, required: boolean): t.Type<string, string, unknown> {
  const shown = (u: unknown): unknown => (HIDDEN_FIELDS.has(name) ? '[REDACTED]' : u);
  return new t.Type<string, string, unknown>(
    `${name}(${required ? '1' : '0'}..${max})`,
    (u): u is string => typeof u === 'string' && u.length <= max,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(shown(u), c, `expected ${name} as text`);
      if (required && u.length === 0) return t.failure(u, c, `${name} is required and must not be empty`);
      if (u.length > max) return t.failure(shown(u), c, `${name} is longer than the ${max} characters the spec allows`);
      return t.success(u);
    },
    t.identity,
  );
}

/** A message table with its codec and field order. */
export interface WireMessage<S extends WireSpec> {
  /** Name for error messages. */
  readonly name: string;
  /** The fields in the spec's order. */
  readonly fields: S;
  /** Field names in order. */
  readonly order: readonly string[];
  /** Codec: required fields non-empty, every field within its length; absent optional fields stay absent. */
  readonly codec: t.Type<WireOf<S>, Record<string, string>, unknown>;
}

/**
 * Builds a {@link WireMessage} from its spec table. The codec walks the table once (it is on every
 * notification's path): unknown keys are dropped, absent optional fields stay absent.
 */
export function wireMessage<const S extends WireSpec>(name: string, fields: S): WireMessage<S> {
  const types = fields.map(([n, max, required]) => [n, bounded(n, max, required), required] as const);
  const codec = new t.Type<WireOf<S>, Record<string, string>, unknown>(
    name,
    (u): u is WireOf<S> => typeof u === 'object' && u !== null && types.every(([n, type, required]) => {
      const v = (u as Record<string, unknown>)[n];
      return v === undefined ? !required : type.is(v);
    }),
    (u, c) => {
      if (typeof u !== 'object' || u === null) return t.failure(u, c, `expected the ${name} fields`);
      const out: Record<string, string> = {};
      const errors: t.ValidationError[] = [];
      for (const [n, type, required] of types) {
        const v = (u as Record<string, unknown>)[n];
        if (v === undefined && !required) continue;
        if (type.is(v) && (!required || v !== '')) {
          out[n] = v;
          continue;
        }
        // Only a failing field pays for its context and message.
        const r = type.validate(v, [...c, { key: n, type, actual: v }]);
        if (r._tag === 'Left') errors.push(...r.left);
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as WireOf<S>);
    },
    (a) => ({ ...(a as Record<string, string>) }),
  );
  return { name, fields, order: fields.map((f) => f[0]), codec };
}

// Spec 2.1 gives no lengths for payData: the bounds below follow the notification (2.2.3) for the
// shared fields and are generous elsewhere.
/** payData (spec 2.1), in table order (the signing order). `signMsg` and `cardNo` are not signed. */
export const PayData = wireMessage('payData', [
  ['inputCharset', 1, true], ['receiveUrl', 1024, true], ['version', 10, true], ['language', 1, false],
  ['signType', 1, true], ['merchantId', 30, true], ['orderNo', 50, true], ['orderAmount', 10, true],
  ['orderCurrency', 3, true], ['orderDatetime', 14, true], ['productName', 256, true], ['ext1', 128, false],
  ['payType', 2, true], ['issuerId', 10, false], ['tradeNature', 8, false], ['signMsg', 1024, true], ['cardNo', 19, false],
] as const);

/** International-card fields sent with payData (spec 2.1, second table), in the ext1 digest order of 5.4. */
export const InternationalFields = wireMessage('internationalCard', [
  ['ship_to_country', 2, true], ['ship_to_state', 60, true], ['ship_to_city', 50, true], ['ship_to_street1', 60, true],
  ['ship_to_street2', 60, false], ['ship_to_phonenumber', 20, true], ['ship_to_postalcode', 20, true],
  ['ship_to_firstname', 30, true], ['ship_to_lastname', 30, true], ['registration_name', 30, false],
  ['registration_email', 100, false], ['registration_phone', 15, false], ['buyerid_period', 15, false],
  ['fnpay_mode', 1, false], ['bill_firstname', 30, false], ['bill_lastname', 30, false], ['expireddate', 4, false],
  ['cvv2', 3, false], ['bill_email', 100, false], ['bill_country', 2, false], ['bill_address', 200, false],
  ['bill_city', 200, false], ['bill_state', 200, false], ['bill_zip', 20, false], ['mdd07', 255, false],
  ['mdd08', 255, false], ['mdd09', 255, false], ['mdd10', 255, false], ['mdd11', 255, false], ['mdd12', 255, false],
  ['mdd13', 255, false], ['mdd14', 255, false], ['mdd15', 255, false], ['mdd16', 255, false], ['mdd17', 255, false],
  ['mdd18', 255, false],
] as const);

// Spec 2.2.3 and 3.6 give `errorCode` 10 characters, yet the codes of table 6.1 have up to 13
// (EM0001_000001): the codes win, so errorCode is bounded at 20 here.
const ERROR_CODE_MAX = 20;

/** Payment result posted to receiveUrl (spec 2.2.3) and the single order query reply (3.2). */
export const PaymentResult = wireMessage('paymentResult', [
  ['merchantId', 30, true], ['version', 10, true], ['language', 2, false], ['signType', 2, true], ['payType', 2, false],
  ['issuerId', 8, false], ['paymentOrderId', 50, true], ['orderNo', 50, true], ['orderDatetime', 14, true],
  ['orderAmount', 10, true], ['payDatetime', 14, true], ['payAmount', 10, true], ['ext1', 128, false], ['ext2', 128, false],
  ['payResult', 2, true], ['errorCode', ERROR_CODE_MAX, false], ['returnDatetime', 14, true], ['signMsg', 1024, true],
] as const);

/** Single order query v1.5 (spec 3.1). */
export const OrderQuery = wireMessage('orderQuery', [
  ['merchantId', 30, true], ['version', 10, true], ['signType', 2, true], ['orderNo', 50, true],
  ['orderDatetime', 14, true], ['queryDatetime', 14, true], ['signMsg', 1024, true],
] as const);

/** Batch order query v1.6 (spec 3.3). */
export const BatchQuery = wireMessage('batchQuery', [
  ['version', 10, true], ['merchantId', 30, true], ['beginDateTime', 14, true], ['endDateTime', 14, true],
  ['pageNo', 2, true], ['signType', 2, true], ['signMsg', 1024, true],
] as const);

/** Batch reply header line (spec 3.4): merchant, record count, page, next page Y/N. */
export const BatchHeader = wireMessage('batchHeader', [
  ['merchantId', 30, true], ['count', 3, true], ['pageNo', 2, true], ['hasNext', 1, true],
] as const);

// Spec 3.4's own example line has a 15-digit order time (201301080000000) and a date-only pay time
// (2013-01-08): the two bounds below take those, and a pay time written yyyy-MM-dd HH:mm:ss (19).
/** Batch reply detail line (spec 3.4). */
export const BatchDetail = wireMessage('batchDetail', [
  ['merchantId', 30, true], ['paymentOrderId', 50, true], ['orderNo', 50, true], ['orderDatetime', 15, true],
  ['orderAmount', 10, true], ['payDatetime', 19, true], ['payAmount', 10, true], ['ext1', 128, false],
  ['ext2', 128, false], ['payResult', 2, true],
] as const);

/** Refund v2.3 (spec 3.5). */
export const RefundApply = wireMessage('refund', [
  ['version', 4, true], ['signType', 1, true], ['merchantId', 30, true], ['orderNo', 50, true],
  ['refundAmount', 10, true], ['mchtRefundOrderNo', 50, false], ['orderDatetime', 14, true], ['signMsg', 1024, true],
] as const);

/**
 * Refund reply (spec 3.6). `errorCode` is not in the table but is in the reply's signing order
 * (specs README), so it is modelled as an optional field.
 */
export const RefundReply = wireMessage('refundReply', [
  ['merchantId', 30, true], ['version', 10, true], ['signType', 2, true], ['orderNo', 50, true],
  ['orderAmount', 10, true], ['orderDatetime', 14, true], ['refundAmount', 10, true], ['refundDatetime', 14, true],
  ['refundResult', 10, true], ['errorCode', ERROR_CODE_MAX, false], ['mchtRefundOrderNo', 50, false], ['returnDatetime', 14, true],
  ['signMsg', 1024, true],
] as const);

/** Signing order of the refund reply (specs README): `mchtRefundOrderNo` is not signed. */
export const REFUND_REPLY_SIGN_ORDER = [
  'merchantId', 'version', 'signType', 'orderNo', 'orderAmount', 'orderDatetime', 'refundAmount', 'refundDatetime',
  'refundResult', 'errorCode', 'returnDatetime',
] as const;

/** Refund status query v2.4 (spec 3.7); the table omits `signMsg`, which the request still carries. */
export const RefundQuery = wireMessage('refundQuery', [
  ['version', 4, true], ['signType', 1, true], ['merchantId', 30, true], ['orderNo', 50, true],
  ['refundAmount', 10, true], ['refundDatetime', 14, false], ['mchtRefundOrderNo', 50, false], ['signMsg', 1024, true],
] as const);

/** One `|`-separated record of the refund status query reply (spec 3.8). */
export const RefundQueryRecord = wireMessage('refundQueryRecord', [
  ['version', 4, true], ['signType', 1, true], ['merchantId', 30, true], ['orderNo', 50, true],
  ['refundAmount', 10, true], ['refundDatetime', 14, false], ['mchtRefundOrderNo', 50, false],
  ['refundResult', 10, true], ['returnDatetime', 14, true],
] as const);

/** Pre-authorisation cancel v1.8 (spec 4.1). */
export const PreAuthCancel = wireMessage('preAuthCancel', [
  ['merchantId', 30, true], ['version', 10, true], ['orderAmount', 20, true], ['currency', 3, true],
  ['orderNo', 50, true], ['orderDatetime', 14, true], ['signType', 2, true], ['signMsg', 1024, true],
] as const);

/** Pre-authorisation confirm v1.9 (spec 4.3). */
export const PreAuthConfirm = wireMessage('preAuthConfirm', [
  ['version', 10, true], ['merchantId', 30, true], ['orderAmount', 20, true], ['confirmAmount', 20, true],
  ['currency', 3, true], ['orderNo', 50, true], ['orderDatetime', 14, true], ['signType', 2, true], ['signMsg', 1024, true],
] as const);

/** Pre-authorisation cancel/confirm reply record (spec 4.2/4.4), before its signature line. */
export const PreAuthReply = wireMessage('preAuthReply', [
  ['retCode', 20, true], ['retMsg', 50, false], ['version', 4, true], ['signType', 1, true], ['merchantId', 30, true],
  ['orderNo', 50, true], ['orderDateTime', 14, true], ['orderAmount', 10, true], ['currency', 3, true],
  ['preAuthId', 30, true], ['transDateTime', 14, true],
] as const);

/** `ERRORCODE=…&ERRORMSG=…` error reply (spec 3.4, 3.8). */
export const ErrorReply = wireMessage('errorReply', [['ERRORCODE', 20, true], ['ERRORMSG', 256, false]] as const);

// Spec 2.2.2 gives the control result's fields no lengths: payOrderId is the notification's
// paymentOrderId (50), payTime a date-time "to the second" (14 digits; 19 with separators).
/** The fields both controls' results share (spec 2.2.2): amount in minor units, pay time, Allinpay's order id. */
const SyncResultCommon = t.partial({
  payAmount: t.union([t.number, bounded('payAmount', 10, false)]), payTime: bounded('payTime', 19, false), payOrderId: bounded('payOrderId', 50, false),
});

/** The iOS control's result (spec 2.2.2): `payResult` is a number 0 / 1 / -1 (checked against that list when mapped). */
export const IosSyncResult = t.intersection([t.type({ payResult: t.union([t.number, t.string]) }), SyncResultCommon], 'iosSyncResult');

/** The Android control's result (spec 2.2.2); `allinpay_pay_res` is checked against its two words when mapped. */
export const AndroidSyncResult = t.intersection([t.type({ allinpay_pay_res: t.string }), SyncResultCommon], 'androidSyncResult');

/**
 * What the merchant's app posts to paykit's return route after the control closes: paykit's own
 * envelope, not an Allinpay message. The control's result (spec 2.2.2) names no order and carries
 * no signature, so the app adds the order number it paid, and the order's currency when it is not
 * the instance's (the result's `payAmount` is in the order's minor units).
 */
export const ControlReturn = wireMessage('controlReturn', [['orderNo', 50, true], ['result', 2048, true], ['currency', 3, false]] as const);

/**
 * Splits a `|` record into the fields of a message table; undefined when it has fewer fields than
 * the table. Fields after the table's are left out here: the signature covers the whole line
 * (spec 3.4, 3.8, 4.2/4.4), so a field Allinpay adds later stays in the signed text and is not refused.
 */
export function recordOf(message: { readonly order: readonly string[] }, line: string): Record<string, string> | undefined {
  const parts = line.split('|');
  if (parts.length < message.order.length) return undefined;
  const out: Record<string, string> = {};
  message.order.forEach((name, i) => {
    const v = parts[i] ?? '';
    if (v !== '') out[name] = v;
  });
  return out;
}
