import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';
import { addMoney, compareMoney, formatDecimal, subtractMoney, type Money } from '../money/money.js';
import { decideTransition, type Attention, type TransitionOutcome, type TransitionTable } from './transitions.js';

/** Where a refund stands. `needs_attention`: paykit stopped asking (see `attention`). */
export type RefundStatus = 'pending' | 'processing' | 'succeeded' | 'failed' | 'needs_attention';

/** Every {@link RefundStatus}. */
export const REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'processing', 'succeeded', 'failed', 'needs_attention'];

/**
 * Refund transitions. `failed → succeeded` is a correction: the provider's verified word that it
 * refunded wins over a failure paykit recorded (a refund it believed never arrived).
 */
export const REFUND_TRANSITIONS: TransitionTable<RefundStatus> = {
  pending: ['processing', 'succeeded', 'failed', 'needs_attention'],
  processing: ['succeeded', 'failed', 'needs_attention'],
  succeeded: [],
  failed: ['succeeded'],
  needs_attention: ['processing', 'succeeded', 'failed'],
};

const REFUND_IGNORED: Partial<{ readonly [K in RefundStatus]: readonly RefundStatus[] }> = {
  succeeded: ['pending', 'processing', 'failed', 'needs_attention'],
  failed: ['pending', 'processing', 'needs_attention'],
  processing: ['pending'],
  needs_attention: ['pending'],
};

/** Refund statuses that hold their amount against the payment (reserved). */
export const REFUND_RESERVING: readonly RefundStatus[] = ['pending', 'processing', 'succeeded', 'needs_attention'];

/** A refund of (part of) a payment. */
export interface Refund {
  /** The merchant's refund number, unique per merchant. */
  readonly refundId: string;
  /** The order refunded. */
  readonly orderId: string;
  /** Amount refunded. */
  readonly amount: Money;
  /** Status. */
  readonly status: RefundStatus;
  /** Provider's refund reference, once known. */
  readonly providerRefundId?: string;
  /** Why it failed, when it did. */
  readonly failure?: { readonly providerCode?: string; readonly message: string };
  /** Why paykit stopped settling it and what to do, while it is `needs_attention`. */
  readonly attention?: Attention;
}

/** Decides what a reported refund status does to a recorded one. */
export function refundTransition(from: RefundStatus, to: RefundStatus): PayResult<TransitionOutcome<RefundStatus>> {
  return decideTransition('refund', REFUND_TRANSITIONS, REFUND_IGNORED, from, to);
}

/**
 * Checks that refunding `requested` keeps the refunded total within what was paid.
 * Returns the new refunded total.
 */
export function checkRefundable(paid: Money, alreadyRefunded: Money, requested: Money): PayResult<Money> {
  return guard('checkRefundable', () => {
    if (requested.amount <= 0) return err(PaymentErrors.invalidRequest('refund amount must be greater than zero', { path: 'amount', code: 'invalid_amount' }));
    return addMoney(alreadyRefunded, requested).andThen((total) =>
      compareMoney(total, paid).andThen((c) => {
        if (c <= 0) return ok(total);
        return subtractMoney(paid, alreadyRefunded).andThen((remaining) => formatDecimal(requested).andThen((r) => formatDecimal(remaining).andThen((left) => err(PaymentErrors.conflict(
          `refund of ${r} ${requested.currency} exceeds the remaining refundable ${left} ${remaining.currency}`,
          { code: 'invalid_amount', path: 'amount' },
        )))));
      }));
  });
}
