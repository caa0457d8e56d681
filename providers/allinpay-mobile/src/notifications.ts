/**
 * Payment results: the form Allinpay posts to receiveUrl (spec 2.2.3) and the single order query
 * reply that has the same fields (3.2). Decoded, then verified, then mapped; nothing is trusted before.
 */
import { isAscii } from 'node:buffer';
import { inject, injectable } from 'inversify';
import { err, ok } from 'neverthrow';
import {
  decodeText, decodeWith, guard, parseCst, PaymentErrors, Tokens, type CurrencyCode, type HttpReply,
  type NotificationsCapability, type PaymentError, type PaymentReport, type PayResult, type RawHttpRequest,
  type VerifiedNotification,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { PROVIDER_ID } from './http.js';
import { paymentStatuses, wireAmount } from './mapping.js';
import { signSource, verifyCertificateSignature, verifyMd5SignMsg } from './signer.js';
import { PaymentResult, type WireOf } from './wire.js';

const PAYMENT_RESULT_SIGN_ORDER = PaymentResult.order.filter((n) => n !== 'signMsg');

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
  const amount = wireAmount(wire.orderAmount, currency, 'orderAmount');
  if (amount.isErr()) return err(amount.error);
  const status = paymentStatuses.map(wire.payResult);
  const paidAt = status === 'succeeded' ? parseCst(wire.payDatetime, 'payDatetime') : undefined;
  const report: PaymentReport = {
    orderId: wire.orderNo, status, amount: amount.value, providerPaymentId: wire.paymentOrderId, providerStatus: wire.payResult,
    ...(paidAt?.isOk() === true ? { paidAt: paidAt.value } : {}),
    ...(status !== 'succeeded' && wire.errorCode !== undefined ? { failure: { providerCode: wire.errorCode, message: `Allinpay error ${wire.errorCode}` } } : {}),
  };
  return ok({ wire, report, signedText: source });
}

/**
 * Parses an `application/x-www-form-urlencoded` body (spec 2.2.3): `+` is a space and `%XX` a
 * UTF-8 byte, except in `signMsg`, where a `+` (or a space) is restored to the base64 `+` it was.
 */
export function parseNotificationForm(body: Uint8Array): PayResult<Record<string, string>> {
  // A form body is ASCII (other characters arrive %-escaped and are checked by decodeURIComponent);
  // only a body with raw non-ASCII bytes goes through the strict UTF-8 decoder.
  const decoded = isAscii(body) ? ok(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')) : decodeText(body, 'UTF-8');
  if (decoded.isErr()) return err(decoded.error);
  const form = decoded.value.trim();
  if (form === '') return err(PaymentErrors.decode('the notification body is empty: pass the raw form body Allinpay posted'));
  const out: Record<string, string> = {};
  // One pass over the text, `name=value` pairs between `&`s; a pair without a name is skipped.
  for (let start = 0; start < form.length;) {
    const amp = form.indexOf('&', start);
    const end = amp === -1 ? form.length : amp;
    const eq = form.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = form.slice(start, eq);
      const value = name === 'signMsg' ? signMsgDecode(form.slice(eq + 1, end)) : formDecode(form.slice(eq + 1, end));
      if (value === undefined) return err(PaymentErrors.decode(`the notification body is not a valid form: the value of ${name.slice(0, 30)} has a broken %-escape`));
      out[name] = value;
    }
    start = end + 1;
  }
  return ok(out);
}

/** Decodes one form value (`+` is a space, `%XX` a UTF-8 byte); undefined for a broken escape. */
function formDecode(raw: string): string | undefined {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  return spaced.includes('%') ? percentDecode(spaced) : spaced;
}

/**
 * Decodes `signMsg`. Base64 holds no spaces (spec 2.2.3, specs README): a `+` sent unescaped stays
 * a `+` instead of becoming a space, and a space that reached us (`%20`) is a `+` decoded too early.
 */
function signMsgDecode(raw: string): string | undefined {
  const decoded = raw.includes('%') ? percentDecode(raw) : raw;
  return decoded !== undefined && decoded.includes(' ') ? decoded.replace(/ /g, '+') : decoded;
}

/**
 * `%XX` decoding. Escapes of ASCII bytes (all a base64 `signMsg` has: `%2B`, `%2F`, `%3D`) are
 * decoded in place; a value with any other escape goes to decodeURIComponent, which checks its UTF-8.
 */
function percentDecode(raw: string): string | undefined {
  let out = '';
  let done = 0;
  for (let i = raw.indexOf('%'); i !== -1; i = raw.indexOf('%', done)) {
    const hi = hexDigit(raw.charCodeAt(i + 1));
    const lo = hexDigit(raw.charCodeAt(i + 2));
    if (hi < 0 || hi > 7 || lo < 0) return utf8PercentDecode(raw);
    out += raw.slice(done, i) + String.fromCharCode(hi * 16 + lo);
    done = i + 3;
  }
  return out + raw.slice(done);
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
    return guard('allinpay-mobile.notifications.verify', () => parseNotificationForm(request.body)
      .andThen((fields) => verifyPaymentResult(fields, this.#settings, this.#settings.currency))
      .map(({ wire, report }) => ({
        event: { type: 'payment' as const, report },
        eventKey: `payment:${wire.orderNo}:${wire.paymentOrderId}:${wire.payResult}`,
        ack: ALLINPAY_ACK,
      })));
  }

  /** A non-2xx reply: Allinpay treats it as a failed delivery and sends again (up to 3 times). */
  reject(error: PaymentError): HttpReply {
    return { status: error.kind === 'Signature' || error.kind === 'Decode' ? 400 : 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'fail' };
  }
}
