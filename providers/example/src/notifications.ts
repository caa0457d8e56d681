/** Example Pay payment notifications: decoded and verified from the raw bytes, pure. */
import { inject, injectable } from 'inversify';
import {
  decodeWith, PaymentErrors, type HttpReply, type NotificationsCapability, type PaymentError,
  type PayResult, type RawHttpRequest, type VerifiedNotification,
} from '@paykit/core';
import { err } from 'neverthrow';
import { ExampleConfig, type ExampleOptions } from './config.js';
import { paymentReport } from './mapping.js';
import { verifyFields } from './signer.js';
import { ACK_BODY, NACK_BODY, Notification, parseFlatJson } from './wire.js';

/** The acknowledgement Example Pay waits for: HTTP 200 with exactly `SUCCESS`. */
export const ACK: HttpReply = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: ACK_BODY };
/** The reply that makes Example Pay deliver again. */
export const NACK: HttpReply = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: NACK_BODY };

/**
 * Verifies a raw notification with the merchant key: JSON content type, flat string fields, a
 * valid signature, every field within its length, the right merchant. Pure: no I/O.
 */
export function verifyNotification(request: RawHttpRequest, options: Pick<ExampleOptions, 'key' | 'merchantId'>): PayResult<VerifiedNotification> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    return err(PaymentErrors.decode(`notification has content type "${type.slice(0, 40)}"; Example Pay posts application/json: pass the request's own headers`, { providerId: 'example' }));
  }
  return parseFlatJson(request.body, 'notification')
    .andThen((fields) => verifyFields(fields, options.key, 'notification').map(() => fields))
    .andThen((fields) => decodeWith(Notification, fields, 'notification', 'reply'))
    .andThen((wire) => {
      if (wire.merchant_id !== options.merchantId) {
        return err(PaymentErrors.decode(`notification is for merchant ${wire.merchant_id}, this instance is ${options.merchantId}: check the instance's notify URL`, { providerId: 'example' }));
      }
      return paymentReport(wire).map((report) => ({
        event: { type: 'payment' as const, report },
        // The same event on every redelivery, whatever notify_id the provider puts on each attempt.
        eventKey: `${wire.order_no}:${wire.status}:${wire.payment_id ?? ''}`,
        ack: ACK,
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
