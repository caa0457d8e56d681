import type { PayResult } from '../errors/result.js';
import type { Money } from '../money/money.js';
import { decideTransition, type Attention, type TransitionOutcome, type TransitionTable } from './transitions.js';

/** Where a payment stands. */
export type PaymentStatus =
  /** Created locally; the payer has not acted yet. */
  | 'created'
  /** Waiting for the payer (at the cashier, in the mobile control). */
  | 'pending'
  /** The provider is processing it. */
  | 'processing'
  /** Paid. Final for the payer; refunds may follow. */
  | 'succeeded'
  /** Declined or failed. A success may still follow (a new attempt on the same order). */
  | 'failed'
  /** Expired or closed without payment. */
  | 'closed'
  /** Part of the paid amount was refunded. */
  | 'partially_refunded'
  /** The whole paid amount was refunded. */
  | 'refunded'
  /**
   * paykit stopped asking: the provider could not settle it within its query window or the attempt
   * cap. `attention` says why and what to do; a verified provider report still moves it on.
   */
  | 'needs_attention';

/** Every {@link PaymentStatus}. */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'created', 'pending', 'processing', 'succeeded', 'failed', 'closed', 'partially_refunded', 'refunded', 'needs_attention',
];

/**
 * Payment transitions. A failure may be followed by a success (the payer tries again on the same
 * order); a success is never followed by a failure (LianLian web spec 3.3): see {@link PAYMENT_IGNORED}.
 * A report that the order was refunded in full also settles an order whose success was never heard
 * (its notification lost, then a refund made in the provider's portal): it was paid, and all of it
 * went back. A partial refund has no such shortcut: the amount refunded would be unknown.
 */
export const PAYMENT_TRANSITIONS: TransitionTable<PaymentStatus> = {
  created: ['pending', 'processing', 'succeeded', 'failed', 'closed', 'refunded', 'needs_attention'],
  pending: ['processing', 'succeeded', 'failed', 'closed', 'refunded', 'needs_attention'],
  processing: ['succeeded', 'failed', 'closed', 'refunded', 'needs_attention'],
  failed: ['succeeded', 'closed', 'refunded'],
  closed: ['succeeded', 'refunded'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['refunded'],
  refunded: [],
  needs_attention: ['pending', 'processing', 'succeeded', 'failed', 'closed', 'refunded'],
};

/** Reports ignored rather than refused: nothing undoes a recorded success or refund. */
export const PAYMENT_IGNORED: Partial<{ readonly [K in PaymentStatus]: readonly PaymentStatus[] }> = {
  succeeded: ['created', 'pending', 'processing', 'failed', 'closed', 'needs_attention'],
  partially_refunded: ['created', 'pending', 'processing', 'failed', 'closed', 'succeeded', 'needs_attention'],
  refunded: ['created', 'pending', 'processing', 'failed', 'closed', 'succeeded', 'partially_refunded', 'needs_attention'],
  failed: ['created', 'pending', 'processing', 'needs_attention'],
  closed: ['created', 'pending', 'processing', 'failed', 'needs_attention'],
  processing: ['created', 'pending'],
  pending: ['created'],
  needs_attention: ['created'],
};

/** A payment of an order, as plain data. */
export interface Payment {
  /** The merchant's order number. */
  readonly orderId: string;
  /** The provider instance that serves it (from config). */
  readonly instanceId: string;
  /** The provider's own payment id, once known. */
  readonly providerPaymentId?: string;
  /** Amount of the order. */
  readonly amount: Money;
  /** Status. */
  readonly status: PaymentStatus;
  /** Amount refunded so far (never more than `amount`). */
  readonly refunded: Money;
  /** When the provider says it was paid. */
  readonly paidAt?: Date;
  /** Provider settlement date `YYYYMMDD`, when given. */
  readonly settleDate?: string;
  /** Provider's failure code and message, for failed payments. */
  readonly failure?: { readonly providerCode?: string; readonly message: string };
  /** Why paykit stopped settling it and what to do, while it is `needs_attention`. */
  readonly attention?: Attention;
  /** Pre-authorisation: the payment only holds the funds; capture or void it with `paykit.preauth`. */
  readonly preauth?: boolean;
  /**
   * Provider details of the payment from its verified reports (agreement number, bank, pay
   * method, payer's masked id…), keyed as the provider's docs page lists them.
   */
  readonly providerDetails?: Readonly<Record<string, string>>;
}

/** Decides what a reported payment status does to a recorded one. */
export function paymentTransition(from: PaymentStatus, to: PaymentStatus): PayResult<TransitionOutcome<PaymentStatus>> {
  return decideTransition('payment', PAYMENT_TRANSITIONS, PAYMENT_IGNORED, from, to);
}
