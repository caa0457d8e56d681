/** Payout result notifications: verify, map, acknowledge exactly (README; old spec section 3.3). */
import { inject, injectable } from 'inversify';
import { err, ok } from 'neverthrow';
import {
  decodeWith, guard, parseDecimal, PaymentErrors, Tokens, type HttpReply, type Money, type NotificationsCapability, type PaymentError,
  type PayoutReport, type PayResult, type RawHttpRequest, type VerifiedNotification,
} from '@paykit/core';
import type { LianlianPayoutOptions } from './config.js';
import { payoutStatusOf } from './mapping.js';
import { decodeWithoutUnsigned, parseJsonObject } from './replies.js';
import { verifyNotificationFields, type NotificationKeys } from './signer.js';
import { PayoutNotification } from './wire.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The exact acknowledgement that stops LianLian's retries (every 2 minutes, 30 times). */
export const ACK_BODY = '{"ret_code":"0000","ret_msg":"交易成功"}';

/** The acknowledgement as a reply, the same object for every verified notification. */
const ACK_REPLY: HttpReply = Object.freeze({ status: 200, headers: Object.freeze({ 'content-type': 'application/json;charset=utf-8' }), body: ACK_BODY });

/** A verified payout notification in domain terms, with the key identifying its redeliveries. */
export interface VerifiedPayoutNotification {
  /** The payout report; always with the amount LianLian reports (`money_order`, in fen), to compare with the record. */
  readonly report: PayoutReport & { readonly amount: Money };
  /** `no_order:result_pay:oid_paybill`: the same for every redelivery of one event. */
  readonly eventKey: string;
  /** The decoded wire fields. */
  readonly fields: PayoutNotification;
}

/**
 * Verifies a raw notification body: JSON, signature (RSA with LianLian's key, or MD5 when the
 * instance says the merchant site signs notifications with MD5), every field decoded (an optional
 * one sent empty or as `null` read as absent), addressed to this merchant, money parsed exactly. Pure.
 *
 * @example
 * ```ts
 * const v = verifyPayoutNotification(rawBody, { oidPartner, lianlianPublicKey });
 * const m = verifyPayoutNotification(rawBody, { oidPartner, notifySignType: 'MD5', notifyMd5Key: new Secret(key) });
 * ```
 */
export function verifyPayoutNotification(body: Uint8Array, o: NotificationKeys & { readonly oidPartner: string }): PayResult<VerifiedPayoutNotification> {
  return guard('lianlian-payout.verifyPayoutNotification', () => {
    const what = 'payout notification';
    // Straight-line early returns rather than a chain of closures: this runs on every notification.
    const fields = parseJsonObject(body, what);
    if (fields.isErr()) return err(fields.error);
    const verified = verifyNotificationFields(fields.value, o, what);
    if (verified.isErr()) return err(verified.error);
    let decoded = decodeWith(PayoutNotification, fields.value, what, 'reply');
    // Only a notification the codec refused is read again, without optional fields sent empty
    // (README signing rule 1: not signed, so absent; a FAILURE has no settle_date).
    if (decoded.isErr()) decoded = decodeWithoutUnsigned(PayoutNotification, fields.value, what, decoded.error);
    if (decoded.isErr()) return err(decoded.error);
    const n = decoded.value;
    if (n.oid_partner !== o.oidPartner) return err(PaymentErrors.decode(`${what} is for merchant ${n.oid_partner}, not ${o.oidPartner}`));
    const amount = parseDecimal(n.money_order, 'CNY', { path: 'money_order' });
    if (amount.isErr()) return err(PaymentErrors.decode(amount.error.message, { path: 'money_order' }));
    const status = payoutStatusOf(n.result_pay);
    // Built field by field rather than with conditional spreads: this runs on every notification.
    const report: Mutable<PayoutReport & { readonly amount: Money }> = { providerOrderId: n.no_order, status, amount: amount.value, providerStatus: n.result_pay };
    if (n.oid_paybill !== undefined) report.providerPayoutId = n.oid_paybill;
    if (n.settle_date !== undefined) report.settleDate = n.settle_date;
    // Guide 十: on a failed payout, info_order carries the reason.
    if (status === 'failed' || status === 'closed' || status === 'returned') report.reason = { providerCode: n.result_pay, message: n.info_order ?? n.result_pay };
    return ok({ report, eventKey: `${n.no_order}:${n.result_pay}:${n.oid_paybill ?? ''}`, fields: n });
  });
}

/** Payout notifications, bound to `Tokens.Notifications`. */
@injectable()
export class LianlianPayoutNotifications implements NotificationsCapability {
  readonly #o: LianlianPayoutOptions;

  /** Built by the container. */
  constructor(@inject(Tokens.InstanceConfig) options: unknown) {
    this.#o = options as LianlianPayoutOptions;
  }

  /** Verifies a raw inbound notification. */
  verify(request: RawHttpRequest): PayResult<VerifiedNotification> {
    return guard('lianlian-payout.notification', () => {
      if (request.method.toUpperCase() !== 'POST') return err(PaymentErrors.decode(`payout notifications are POSTed, got ${request.method.slice(0, 8)}`));
      return verifyPayoutNotification(request.body, this.#o).map((v) => ({
        event: { type: 'payout' as const, report: v.report },
        eventKey: v.eventKey,
        ack: ACK_REPLY,
      }));
    });
  }

  /** A reply that is not the acknowledgement, so LianLian delivers the notification again. */
  reject(error: PaymentError): HttpReply {
    return { status: 400, headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify({ ret_code: '9999', ret_msg: `not accepted: ${error.code}` }) };
  }
}
