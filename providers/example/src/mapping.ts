/**
 * Example Pay ↔ paykit domain: statuses, error codes and reports. Every mapping is total: a status
 * or code the provider never documented maps to a waiting status or a non-retryable provider error,
 * never to a success.
 */
import {
  formatCst, formatDecimal, parseCst, parseDecimal, PaymentErrors,
  type CodeMapping, type CurrencyCode, type Money, type PaymentError, type PaymentReport, type PaymentStatus, type PayResult,
  type RefundReport, type RefundStatus, type StatusMapping,
} from '@paykit/core';
import { err, ok } from 'neverthrow';
import type { Notification, QueryReply, RefundReply, ReturnParams } from './wire.js';

/** Fails the build when a union gains a member a `switch` does not handle. */
export function assertNever(value: never): never {
  throw new Error(`unhandled value ${String(value)}`);
}

/** Payment statuses Example Pay documents. */
export const PAYMENT_WIRE_STATUSES = ['WAITING', 'PROCESSING', 'PAID', 'FAILED', 'CLOSED'] as const;
/** One of {@link PAYMENT_WIRE_STATUSES}. */
export type ExamplePaymentStatus = (typeof PAYMENT_WIRE_STATUSES)[number];

/** Refund statuses Example Pay documents. */
export const REFUND_WIRE_STATUSES = ['REFUNDING', 'SUCCESS', 'FAIL'] as const;
/** One of {@link REFUND_WIRE_STATUSES}. */
export type ExampleRefundStatus = (typeof REFUND_WIRE_STATUSES)[number];

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Maps a wire payment status; unknown words are `processing` (ask again later), never a success. */
export function mapPaymentStatus(wire: string): PaymentStatus {
  if (!isOneOf(PAYMENT_WIRE_STATUSES, wire)) return 'processing';
  switch (wire) {
    case 'WAITING': return 'pending';
    case 'PROCESSING': return 'processing';
    case 'PAID': return 'succeeded';
    case 'FAILED': return 'failed';
    case 'CLOSED': return 'closed';
    default: return assertNever(wire);
  }
}

/** Maps a wire refund status; unknown words are `processing`, never a success. */
export function mapRefundStatus(wire: string): RefundStatus {
  if (!isOneOf(REFUND_WIRE_STATUSES, wire)) return 'processing';
  switch (wire) {
    case 'REFUNDING': return 'processing';
    case 'SUCCESS': return 'succeeded';
    case 'FAIL': return 'failed';
    default: return assertNever(wire);
  }
}

/** The payment status vocabulary, for introspection. */
export const paymentStatuses: StatusMapping<PaymentStatus> = { wire: PAYMENT_WIRE_STATUSES, map: mapPaymentStatus };
/** The refund status vocabulary, for introspection. */
export const refundStatuses: StatusMapping<RefundStatus> = { wire: REFUND_WIRE_STATUSES, map: mapRefundStatus };

/** Example Pay result codes (other than `0000`, success) and their standard meaning. */
export const ERROR_CODES: Readonly<Record<string, CodeMapping>> = {
  1001: { code: 'invalid_signature', retryable: false, category: 'merchant', description: 'signature does not verify' },
  1002: { code: 'invalid_request', retryable: false, category: 'merchant', description: 'a parameter is missing or malformed' },
  1003: { code: 'not_found', retryable: false, category: 'merchant', description: 'no such order or refund' },
  1004: { code: 'duplicate_order', retryable: false, category: 'merchant', description: 'the number was already used' },
  1005: { code: 'merchant_config', retryable: false, category: 'merchant', description: 'merchant is not enabled for this operation' },
  2001: { code: 'insufficient_funds', retryable: false, category: 'merchant', description: 'merchant balance cannot cover the refund' },
  2002: { code: 'invalid_amount', retryable: false, category: 'user', description: 'refund exceeds the refundable amount' },
  2003: { code: 'conflict', retryable: false, category: 'user', description: 'order is not paid' },
  9999: { code: 'provider_error', retryable: true, category: 'retry', description: 'system busy, try again' },
};

/** Maps any result code; an undocumented one is a non-retryable provider error. */
export function mapErrorCode(code: string): CodeMapping {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code)
    ? ERROR_CODES[code] as CodeMapping
    : { code: 'provider_error', retryable: false, category: 'provider', description: 'undocumented result code' };
}

/** The error a non-`0000` reply stands for. `1003` is `NotFound`; the rest are `ProviderRejected`. */
export function errorFromReply(code: string, message: string, operation: string): PaymentError {
  const m = mapErrorCode(code);
  const details = { code: m.code, retryable: m.retryable, providerId: 'example', providerCode: code, providerMessage: message };
  if (m.code === 'not_found') return PaymentErrors.notFound(`${operation}: Example Pay has no such record (code ${code})`, details);
  return PaymentErrors.providerRejected(`${operation}: Example Pay refused the call with code ${code} (${m.description ?? 'see the provider message'})`, details);
}

/** Writes money as Example Pay's decimal string; a value that is not a real Money is an `InvalidRequest`. */
export function toWireAmount(m: Money): PayResult<string> {
  return formatDecimal(m, 'fixed');
}

/** Reads a wire amount in the expected currency; a reply in another currency is a decode error. */
export function fromWireAmount(amount: string, currency: string, expected: CurrencyCode | undefined, path: string): PayResult<Money> {
  if (expected !== undefined && currency !== expected) return err(PaymentErrors.decode(`${path}: Example Pay answered in ${currency.slice(0, 3)}, the order is in ${expected}`, { path, providerId: 'example' }));
  return parseDecimal(amount, currency, { path }).mapErr((e) => PaymentErrors.decode(`${path}: ${e.message}`, { path, providerId: 'example' }));
}

/** `YYYYMMDDHHmmss` CST for a date. */
export const toWireTime = formatCst;

/** A payment report from a verified query reply, notification or return (in the order's currency when given). */
export function paymentReport(wire: QueryReply | Notification | ReturnParams, expected?: CurrencyCode): PayResult<PaymentReport> {
  // Early returns and plain assignments rather than map() and conditional spreads: this runs on
  // every notification, and the spreads cost more than the rest of the mapping.
  const amount = fromWireAmount(wire.amount, wire.currency, expected, 'amount');
  if (amount.isErr()) return err(amount.error);
  const status = mapPaymentStatus(wire.status);
  const report: { -readonly [K in keyof PaymentReport]: PaymentReport[K] } = { orderId: wire.order_no, status, amount: amount.value, providerStatus: wire.status };
  if (wire.payment_id !== undefined) report.providerPaymentId = wire.payment_id;
  if (wire.paid_at !== undefined) {
    const paidAt = parseCst(wire.paid_at, 'paid_at');
    if (paidAt.isErr()) return err(PaymentErrors.decode(paidAt.error.message, { path: 'paid_at' }));
    report.paidAt = paidAt.value;
  }
  if (status === 'failed') report.failure = { message: wire.fail_reason ?? 'payment failed' };
  return ok(report);
}

/** A refund report from a verified refund reply. */
export function refundReport(wire: RefundReply, expected: CurrencyCode): PayResult<RefundReport> {
  return fromWireAmount(wire.refund_amount, wire.currency, expected, 'refund_amount').map((amount) => ({
    refundId: wire.refund_no, orderId: wire.order_no, status: mapRefundStatus(wire.status), amount, providerStatus: wire.status,
    ...(wire.refund_id !== undefined ? { providerRefundId: wire.refund_id } : {}),
  }));
}
