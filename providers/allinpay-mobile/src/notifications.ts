/**
 * Payment results: the form Allinpay posts to receiveUrl (spec 2.2.3) and the single order query
 * reply that has the same fields (3.2). Decoded, then verified, then mapped; nothing is trusted before.
 */
import { inject, injectable } from 'inversify';
import { err, ok } from 'neverthrow';
import {
  decodeText, decodeWith, parseCst, PaymentErrors, Tokens, type CurrencyCode, type HttpReply,
  type NotificationsCapability, type PaymentError, type PaymentReport, type PayResult, type RawHttpRequest,
  toPaymentError, type VerifiedNotification,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { PROVIDER_ID } from './http.js';
import { notificationCurrency, paymentStatuses, wireAmount } from './mapping.js';
import { signSource, verifyCertificateSignature, verifyMd5SignMsg } from './signer.js';
import { PaymentResult, type WireOf } from './wire.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const PAYMENT_RESULT_SIGN_ORDER = PaymentResult.order.filter((n) => n !== 'signMsg');
/** The names of a posted payment result, in the order Allinpay sends them (spec 2.2.3). */
const FORM_NAMES = PaymentResult.order;

/** A decoded and verified payment result. */
export interface VerifiedPaymentResult {
  /** The wire fields. */
  readonly wire: WireOf<typeof PaymentResult.fields>;
  /** The domain report. */
  readonly report: PaymentReport;
  /** The exact text whose signature was checked. */
  readonly signedText: string;
}

/**
 * Decodes, verifies and maps payment-result fields. signType `0`: uppercase MD5 over the fields in
 * the spec's order + `&key=`; signType `1`: SHA1withRSA over that string with Allinpay's certificate.
 */
export function verifyPaymentResult(fields: Readonly<Record<string, string>>, settings: AllinpaySettings, currency: CurrencyCode): PayResult<VerifiedPaymentResult> {
  // Straight-line on purpose: this runs for every notification and order query (bench row
  // "verify certificate-signed notification"), so no intermediate Result chains.
  const decoded = decodeWith(PaymentResult.codec, fields, 'paymentResult', 'reply');
  if (decoded.isErr()) return err(decoded.error);
  const wire = decoded.value;
  if (wire.signType !== settings.signType) {
    return err(PaymentErrors.signature(`payment result has signType ${wire.signType.slice(0, 2)} but this instance is configured for signType ${settings.signType}: check the instance's signType`, { providerId: PROVIDER_ID }));
  }
  if (wire.signType === '1' && settings.certificate === undefined) {
    return err(PaymentErrors.invalidConfig('a certificate-signed payment result needs Allinpay\'s certificate: set "certificate"', { providerId: PROVIDER_ID, path: 'certificate' }));
  }
  const source = signSource(wire, PAYMENT_RESULT_SIGN_ORDER);
  const valid = wire.signType === '1' && settings.certificate !== undefined
    ? verifyCertificateSignature(source, settings.certificate, wire.signMsg)
    : verifyMd5SignMsg(source, settings.md5Key, wire.signMsg);
  if (!valid) {
    return err(PaymentErrors.signature(`payment result for order ${wire.orderNo} failed signature verification (signType ${wire.signType}): check the MD5 key or certificate, and pass the raw body`, { providerId: PROVIDER_ID }));
  }
  if (wire.merchantId !== settings.merchantId) {
    return err(PaymentErrors.signature(`payment result is for merchant ${wire.merchantId}, not ${settings.merchantId}`, { providerId: PROVIDER_ID }));
  }
  const orderAmount = wireAmount(wire.orderAmount, currency, 'orderAmount');
  if (orderAmount.isErr()) return err(orderAmount.error);
  const amount = orderAmount.value;
  let status = paymentStatuses.map(wire.payResult);
  // Spec 2.2.3: payAmount is what the payer actually paid, always in CNY fen. A CNY order paid with
  // another sum is not taken as paid: it is recorded for a person (needs_attention), whether paykit
  // knows the order or learns of it here. For another currency payAmount is only kept as a detail.
  let attention: PaymentReport['attention'];
  if (status === 'succeeded' && currency === 'CNY' && wire.payAmount !== wire.orderAmount) {
    const paid = wireAmount(wire.payAmount, 'CNY', 'payAmount');
    if (paid.isErr()) return err(paid.error);
    if (paid.value.amount !== amount.amount) {
      const at = parseCst(wire.payDatetime, 'payDatetime');
      status = 'needs_attention';
      attention = {
        reason: `Allinpay says the payer of order ${wire.orderNo} paid ${paid.value.amount} CNY fen (payAmount) for an order of ${amount.amount}`,
        action: 'check the order on Allinpay\'s merchant site before shipping: refund the payer or settle the difference, then record what was done',
        since: at.isOk() ? at.value : new Date(0),
      };
    }
  }
  // Optional members are added by assignment, not by spreading conditional object literals: one
  // object instead of three per notification.
  const report: Mutable<PaymentReport> = {
    orderId: wire.orderNo, status, amount, providerPaymentId: wire.paymentOrderId, providerStatus: wire.payResult,
    providerDetails: { payAmount: wire.payAmount },
  };
  if (attention !== undefined) report.attention = attention;
  // Spec 3.1/3.5/4.1/4.3: later queries, refunds and pre-authorisation calls must name the
  // order's own time; an order first learnt of from this result keeps it.
  const orderedAt = parseCst(wire.orderDatetime, 'orderDatetime');
  if (orderedAt.isOk()) report.orderedAt = orderedAt.value;
  if (status === 'succeeded') {
    const paidAt = parseCst(wire.payDatetime, 'payDatetime');
    if (paidAt.isOk()) report.paidAt = paidAt.value;
  } else if (wire.errorCode !== undefined) {
    report.failure = { providerCode: wire.errorCode, message: `Allinpay error ${wire.errorCode}` };
  }
  return ok({ wire, report, signedText: source });
}

/**
 * Parses an `application/x-www-form-urlencoded` body (spec 2.2.3): `+` is a space and `%XX` a
 * UTF-8 byte, except in `signMsg`, where a `+` (or a space) is restored to the base64 `+` it was.
 * Names are taken as sent (not decoded); a pair without a name or without `=` is skipped; when a
 * name repeats, its last value wins. A broken %-escape or an empty body is a `Decode` error.
 */
export function parseNotificationForm(body: Uint8Array): PayResult<Record<string, string>> {
  // Strict UTF-8 (raw non-ASCII bytes must be valid; a form body is normally ASCII, other
  // characters arriving %-escaped and checked by decodeURIComponent).
  const decoded = decodeText(body, 'UTF-8');
  if (decoded.isErr()) return err(decoded.error);
  const text = decoded.value;
  const form = text.trim();
  const n = form.length;
  if (n === 0) return err(PaymentErrors.decode('the notification body is empty: pass the raw form body Allinpay posted'));
  const out: Record<string, string> = {};
  // One pass over the text, `name=value` pairs between `&`s. The next `=`, `%` and `+` are found
  // once for the whole text and reused until passed (not searched again in every value): most
  // values hold none of them, and a body of many pairs without `=` stays linear.
  let eq = -1;
  let pct = -1;
  let plus = -1;
  let expected = 0;
  for (let start = 0; start < n;) {
    let end = form.indexOf('&', start);
    if (end === -1) end = n;
    // The names Allinpay sends are matched against the table's own strings, in table order: a
    // sliced name would be hashed and looked up again by every `out[name] =` store.
    let name: string | undefined;
    for (let i = expected; i < FORM_NAMES.length; i += 1) {
      const known = FORM_NAMES[i] as string;
      if (form.charCodeAt(start + known.length) === 61 /* = */ && form.startsWith(known, start)) {
        name = known;
        expected = i + 1;
        break;
      }
    }
    if (name !== undefined) {
      eq = start + name.length;
    } else {
      if (eq < start) eq = indexAfter(form, '=', start);
      if (eq <= start || eq >= end) { // no name, or no `=`: skipped
        start = end + 1;
        continue;
      }
      name = form.slice(start, eq);
    }
    const from = eq + 1;
    if (pct < from) pct = indexAfter(form, '%', from);
    if (plus < from) plus = indexAfter(form, '+', from);
    let value: string | undefined;
    if (name === 'signMsg') {
      // Base64 holds no spaces (spec 2.2.3, specs README): a `+` sent unescaped stays a `+`, and
      // a space that reached us (raw or `%20`) is a `+` decoded too early.
      value = pct < end ? percentDecode(form, from, end, pct) : form.slice(from, end);
      if (value !== undefined && value.includes(' ')) value = value.replace(/ /g, '+');
    } else if (plus < end) {
      const spaced = form.slice(from, end).replace(/\+/g, ' ');
      value = pct < end ? percentDecode(spaced, 0, spaced.length, spaced.indexOf('%')) : spaced;
    } else {
      value = pct < end ? percentDecode(form, from, end, pct) : form.slice(from, end);
    }
    if (value === undefined) return err(PaymentErrors.decode(`the notification body is not a valid form: the value of ${name.slice(0, 30)} has a broken %-escape`));
    out[name] = value;
    start = end + 1;
  }
  return ok(out);
}

/** The index of `search` in `text` at or after `from`, or `text.length` when there is none. */
function indexAfter(text: string, search: string, from: number): number {
  const i = text.indexOf(search, from);
  return i === -1 ? text.length : i;
}

/**
 * `%XX` decoding of `text[from, to)`, whose first `%` is at `first`; undefined for a broken escape.
 * Escapes of ASCII bytes (all a base64 `signMsg` has: `%2B`, `%2F`, `%3D`) are decoded in place, by
 * slices between the escapes; a value with any other escape goes to decodeURIComponent, which checks its UTF-8.
 */
function percentDecode(text: string, from: number, to: number, first: number): string | undefined {
  let out = '';
  let done = from;
  for (let i = first; i !== -1 && i < to; i = text.indexOf('%', done)) {
    const hi = i + 2 < to ? hexDigit(text.charCodeAt(i + 1)) : -1;
    const lo = hexDigit(text.charCodeAt(i + 2));
    if (hi < 0 || hi > 7 || lo < 0) return utf8PercentDecode(text.slice(from, to));
    out += text.slice(done, i) + String.fromCharCode(hi * 16 + lo);
    done = i + 3;
  }
  return out + text.slice(done, to);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

function utf8PercentDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The acknowledgement Allinpay needs: any successful HTTP reply stops its retries (spec 2.2.1). */
export const ALLINPAY_ACK: HttpReply = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' };

/** Allinpay payment notifications. */
@injectable()
export class AllinpayNotifications implements NotificationsCapability {
  readonly #settings: AllinpaySettings;

  /** @param options the instance options. */
  constructor(@inject(Tokens.InstanceConfig) options: unknown) {
    this.#settings = settingsOf(options as AllinpayOptions);
  }

  /** Decodes and verifies a posted payment result. */
  verify(request: RawHttpRequest): PayResult<VerifiedNotification> {
    // Straight-line in one try/catch instead of guard() around andThen/map closures: this is the
    // bench row's whole path. Anything thrown still becomes a typed Internal error, as guard() does.
    try {
      const fields = parseNotificationForm(request.body);
      if (fields.isErr()) return err(fields.error);
      const settings = this.#settings;
      // The order's currency rides on the address Allinpay posted to (the notification has none).
      const currency = notificationCurrency(request.url, settings.currency);
      if (currency.isErr()) return err(currency.error);
      const verified = verifyPaymentResult(fields.value, settings, currency.value);
      if (verified.isErr()) return err(verified.error);
      const { wire, report } = verified.value;
      return ok({
        event: { type: 'payment', report },
        eventKey: `payment:${wire.orderNo}:${wire.paymentOrderId}:${wire.payResult}`,
        ack: ALLINPAY_ACK,
      });
    } catch (e) {
      return err(toPaymentError(e, 'allinpay-mobile.notifications.verify'));
    }
  }

  /** A non-2xx reply: Allinpay treats it as a failed delivery and sends again (up to 3 times). */
  reject(error: PaymentError): HttpReply {
    return { status: error.kind === 'Signature' || error.kind === 'Decode' ? 400 : 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'fail' };
  }
}
