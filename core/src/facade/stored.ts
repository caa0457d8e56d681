import type { PayoutRequest } from '../plugin/capabilities.js';
import type { Payment } from '../domain/payment.js';
import type { Payout } from '../domain/payout.js';
import type { PreAuth } from '../domain/preauth.js';
import type { Refund } from '../domain/refund.js';

/** A payment as stored: the domain payment and when its order was created. */
export interface StoredPayment extends Payment {
  /** Order creation time (providers need it for queries and refunds). */
  readonly createdAt: Date;
  /** Amount reserved by refunds not yet failed (pending + succeeded). */
  readonly refundReserved: Payment['refunded'];
}

/** A refund as stored. */
export interface StoredRefund extends Refund {
  /** The instance that serves it. */
  readonly instanceId: string;
  /** When it was requested. */
  readonly requestedAt: Date;
}

/** A payout as stored, with the request it is (re)sent with. */
export interface StoredPayout extends Payout {
  /** The request, fixed at creation: every resubmission sends exactly this. */
  readonly request: PayoutRequest;
  /** How many times it was sent. */
  readonly attempts: number;
}

/** A pre-authorisation as stored. */
export interface StoredPreAuth extends PreAuth {
  /** The instance that serves it. */
  readonly instanceId: string;
}
