/** Example Pay payment notifications and the payer's return: decoded and verified from the raw request, pure. */
import { inject, injectable } from 'inversify';
import {
  decodeWith, guard, PaymentErrors, type HttpReply, type NotificationsCapability, type PaymentError,
  type PayResult, type RawHttpRequest, type ReturnClaim, type VerifiedNotification,
} from '@paykit/core';
import { err, ok } from 'neverthrow';
import { ExampleConfig, type ExampleOptions } from './config.js';
import { paymentReport } from './mapping.js';
import { verifyFields } from './signer.js';
import { ACK_BODY, NACK_BODY, Notification, parseFlatJson, ReturnParams, type WireFields } from './wire.js';

/** The acknowledgement Example Pay waits for: HTTP 200 with exactly `SUCCESS`. */
export const ACK: HttpReply = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: ACK_BODY };
/** The reply that makes Example Pay deliver again. */
export const NACK: HttpReply = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: NACK_BODY };

/**
 * Verifies a raw notification with the merchant key: JSON content type, flat string fields, a
 * valid signature, every field within its length, the right merchant. Pure: no I/O.
 */
export function verifyNotification(request: RawHttpRequest, options: Pick<ExampleOptions, 'key' | 'merchantId'>): PayResult<VerifiedNotification> {
  return guard('example.verifyNotification', () => {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      return err(PaymentErrors.decode(`notification has content type "${type.slice(0, 40)}"; Example Pay posts application/json: pass the request's own headers`, { providerId: 'example' }));
    }
    // Straight-line early returns rather than a chain of closures: this runs on every notification.
    const fields = parseFlatJson(request.body, 'notification');
    if (fields.isErr()) return err(fields.error);
    const verified = verifyFields(fields.value, options.key, 'notification');
    if (verified.isErr()) return err(verified.error);
    const wire = decodeWith(Notification, fields.value, 'notification', 'reply');
    if (wire.isErr()) return err(wire.error);
    const w = wire.value;
    if (w.merchant_id !== options.merchantId) {
      return err(PaymentErrors.decode(`notification is for merchant ${w.merchant_id}, this instance is ${options.merchantId}: check the instance's notify URL`, { providerId: 'example' }));
    }
    const report = paymentReport(w);
    if (report.isErr()) return err(report.error);
    return ok({
      event: { type: 'payment' as const, report: report.value },
      // The same event on every redelivery, whatever notify_id the provider puts on each attempt.
      eventKey: `${w.order_no}:${w.status}:${w.payment_id ?? ''}`,
      ack: ACK,
    });
  });
}

/** Longest return URL read (Example Pay's parameters and a merchant's own take well under 2 KiB). */
const MAX_RETURN_URL = 8 * 1024;

/** The query parameters of a request URL (path and query) as flat fields; a repeated name is refused. */
function queryFields(url: string): PayResult<WireFields> {
  const start = url.indexOf('?');
  if (start < 0) {
    return err(PaymentErrors.decode('the return URL has no query string: Example Pay redirects the browser to return_url with its signed result in the query; pass the URL with its query', { providerId: 'example' }));
  }
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(url.slice(start + 1).split('#')[0])) {
    if (Object.prototype.hasOwnProperty.call(out, name)) return err(PaymentErrors.decode(`the return URL repeats the parameter ${name.slice(0, 32)}`, { providerId: 'example', path: name.slice(0, 32) }));
    out[name] = value;
  }
  return ok(out);
}

/**
 * Verifies the payer's return: the redirect to `return_url` whose query string carries Example
 * Pay's result, signed over every parameter but `sign` (the merchant's own ones included), for this
 * merchant. Pure: no I/O. A claim only: `payments.handleReturn` queries before showing a payment.
 */
export function verifyReturnRequest(request: RawHttpRequest, options: Pick<ExampleOptions, 'key' | 'merchantId'>): PayResult<ReturnClaim> {
  return guard('example.verifyReturn', () => verifyReturnUrl(String(request.url), options));
}

function verifyReturnUrl(url: string, options: Pick<ExampleOptions, 'key' | 'merchantId'>): PayResult<ReturnClaim> {
  if (url.length > MAX_RETURN_URL) return err(PaymentErrors.decode(`the return URL is ${url.length} characters; Example Pay's are under ${MAX_RETURN_URL}`, { providerId: 'example' }));
  return queryFields(url)
    .andThen((fields) => verifyFields(fields, options.key, 'return').map(() => fields))
    .andThen((fields) => decodeWith(ReturnParams, fields, 'return', 'reply'))
    .andThen((wire) => {
      if (wire.merchant_id !== options.merchantId) {
        return err(PaymentErrors.decode(`return is for merchant ${wire.merchant_id}, this instance is ${options.merchantId}: check the instance's return URL`, { providerId: 'example' }));
      }
      return paymentReport(wire).map((report): ReturnClaim => ({
        orderId: report.orderId, status: report.status, amount: report.amount, authenticity: 'signed',
        ...(report.providerPaymentId !== undefined ? { providerPaymentId: report.providerPaymentId } : {}),
        ...(report.providerStatus !== undefined ? { providerStatus: report.providerStatus } : {}),
      }));
    });
}

/** The notifications capability of an instance. */
@injectable()
export class ExampleNotifications implements NotificationsCapability {
  readonly #options: ExampleOptions;

  /** Built by the container. */
  constructor(@inject(ExampleConfig) options: ExampleOptions) {
    this.#options = options;
  }

  /** Decodes and verifies a raw inbound request. */
  verify(request: RawHttpRequest): PayResult<VerifiedNotification> {
    return verifyNotification(request, this.#options);
  }

  /** `FAIL` with HTTP 500: Example Pay delivers again. */
  reject(_error: PaymentError): HttpReply {
    return NACK;
  }
}
