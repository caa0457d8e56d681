import type { PayoutRequest } from '../plugin/capabilities.js';
import type { Payment } from '../domain/payment.js';
import type { Payout } from '../domain/payout.js';
import type { PreAuth } from '../domain/preauth.js';
import type { Refund } from '../domain/refund.js';
import type { Tracked } from '../protocol/tracking.js';

/** A payment as stored: the domain payment, when its order was created, and its refund reservation. */
export interface StoredPayment extends Payment, Tracked {
  /** Order creation time: the provider's order time, fixed for ever (every query and new form uses it). */
  readonly createdAt: Date;
  /** Amount reserved by refunds not failed (pending, processing, succeeded, needs attention). */
  readonly refundReserved: Payment['refunded'];
  /** When a new attempt (`payments.create`) reopened the order after it failed or closed: `resolvePending` ages it from here. */
  readonly reopenedAt?: Date;
  /** When the form paykit last handed out for it expires (its action's `expiresAt`), when the provider sets a limit. */
  readonly payableUntil?: Date;
}

/** A refund as stored. */
export interface StoredRefund extends Refund, Tracked {
  /** The instance that serves it. */
  readonly instanceId: string;
  /** When it was requested (the provider's refund time, fixed for ever). */
  readonly requestedAt: Date;
}

/** A payout as stored, with the request it is (re)sent with. */
export interface StoredPayout extends Payout, Tracked {
  /** The request, fixed at creation: every resubmission sends exactly this. */
  readonly request: PayoutRequest;
  /** How many times a request moving money (submit, confirm) was claimed for sending. */
  readonly attempts: number;
}

/** A pre-authorisation as stored. */
export interface StoredPreAuth extends PreAuth, Tracked {
  /** The instance that serves it. */
  readonly instanceId: string;
}
