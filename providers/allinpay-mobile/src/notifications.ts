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
  return decodeWith(PaymentResult.codec, fields, 'paymentResult', 'reply').andThen((wire) => {
    const source = signSource(wire, PAYMENT_RESULT_SIGN_ORDER);
    if (wire.signType !== settings.signType) {
      return err(PaymentErrors.signature(`payment result has signType ${wire.signType.slice(0, 2)} but this instance is configured for signType ${settings.signType}: check the instance's signType`, { providerId: PROVIDER_ID }));
    }
    if (wire.signType === '1' && settings.certificate === undefined) {
      return err(PaymentErrors.invalidConfig('a certificate-signed payment result needs Allinpay\'s certificate: set "certificate"', { providerId: PROVIDER_ID, path: 'certificate' }));
    }
    const valid = wire.signType === '1' && settings.certificate !== undefined
      ? verifyCertificateSignature(source, settings.certificate, wire.signMsg)
      : verifyMd5SignMsg(source, settings.md5Key, wire.signMsg);
    if (!valid) {
      return err(PaymentErrors.signature(`payment result for order ${wire.orderNo} failed signature verification (signType ${wire.signType}): check the MD5 key or certificate, and pass the raw body`, { providerId: PROVIDER_ID }));
    }
    if (wire.merchantId !== settings.merchantId) {
      return err(PaymentErrors.signature(`payment result is for merchant ${wire.merchantId}, not ${settings.merchantId}`, { providerId: PROVIDER_ID }));
    }
    return wireAmount(wire.orderAmount, currency, 'orderAmount').map((amount) => {
      const status = paymentStatuses.map(wire.payResult);
      const paidAt = parseCst(wire.payDatetime, 'payDatetime');
      const report: PaymentReport = {
        orderId: wire.orderNo, status, amount, providerPaymentId: wire.paymentOrderId, providerStatus: wire.payResult,
        ...(status === 'succeeded' && paidAt.isOk() ? { paidAt: paidAt.value } : {}),
        ...(status !== 'succeeded' && wire.errorCode !== undefined ? { failure: { providerCode: wire.errorCode, message: `Allinpay error ${wire.errorCode}` } } : {}),
      };
      return { wire, report, signedText: source };
    });
  });
}

/** Parses an `application/x-www-form-urlencoded` body; `+` that form decoding made a space in `signMsg` is restored. */
export function parseNotificationForm(body: Uint8Array): PayResult<Record<string, string>> {
  // A form body is ASCII (other characters arrive %-escaped and are checked by decodeURIComponent);
  // only a body with raw non-ASCII bytes goes through the strict UTF-8 decoder.
  const text = isAscii(body) ? ok(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')) : decodeText(body, 'UTF-8');
  return text.andThen((text) => {
    const trimmed = text.trim();
    if (trimmed === '') return err(PaymentErrors.decode('the notification body is empty: pass the raw form body Allinpay posted'));
    const out: Record<string, string> = {};
    for (const pair of trimmed.split('&')) {
      const i = pair.indexOf('=');
      if (i <= 0) continue;
      const value = formDecode(pair.slice(i + 1));
      if (value === undefined) return err(PaymentErrors.decode('the notification body is not a valid form: a value has a broken %-escape'));
      out[pair.slice(0, i)] = value;
    }
    // Spec 2.2.3 / README: base64 `signMsg` holds no spaces; a space is a `+` that was form-decoded.
    if (out.signMsg !== undefined) out.signMsg = out.signMsg.replace(/ /g, '+');
    return ok(out);
  });
}

/** Decodes one form value (`+` is a space, `%XX` a UTF-8 byte); undefined for a broken escape. */
function formDecode(raw: string): string | undefined {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
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
