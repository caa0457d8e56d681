import type { StandardCode } from '../errors/payment-error.js';
import type { PayResult } from '../errors/result.js';
import type { Money } from '../money/money.js';
import { decideTransition, type Attention, type TransitionOutcome, type TransitionTable } from './transitions.js';

/** Where a payout stands. */
export type PayoutStatus =
  /** Recorded locally, not yet sent. */
  | 'created'
  /** Sent; the reply never came or said "query first". Resolve it by query before anything else. */
  | 'unknown'
  /** The provider accepted the order. */
  | 'accepted'
  /** Held for the merchant's review (suspected duplicate, name/card mismatch); needs a confirm. */
  | 'held_for_review'
  /** Being paid out. */
  | 'processing'
  /** Paid to the beneficiary. */
  | 'succeeded'
  /** Failed; no money moved. */
  | 'failed'
  /** Closed without paying (review not confirmed, cancelled before payment). */
  | 'closed'
  /** Paid, then returned by the beneficiary's bank. */
  | 'returned'
  /** paykit stopped asking (attempt cap, query window): see `attention`. A verified report still moves it on. */
  | 'needs_attention';

/** Every {@link PayoutStatus}. */
export const PAYOUT_STATUSES: readonly PayoutStatus[] = [
  'created', 'unknown', 'accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'returned', 'needs_attention',
];

/**
 * Payout transitions: accepted → held for review → processing → succeeded | failed | closed;
 * succeeded → returned. `failed`/`closed` → `succeeded`/`returned` are corrections: the provider's
 * verified word that it paid wins over a failure recorded before (the beneficiary was paid).
 */
export const PAYOUT_TRANSITIONS: TransitionTable<PayoutStatus> = {
  created: ['unknown', 'accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'returned', 'needs_attention'],
  // `returned` straight from an in-flight state: a query can answer CANCEL (paid, then returned)
  // when the success itself was never reported to us.
  unknown: ['accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'returned', 'needs_attention'],
  accepted: ['held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'returned', 'needs_attention'],
  held_for_review: ['accepted', 'processing', 'succeeded', 'failed', 'closed', 'returned', 'needs_attention'],
  processing: ['succeeded', 'failed', 'closed', 'returned', 'needs_attention'],
  succeeded: ['returned'],
  failed: ['succeeded', 'returned'],
  closed: ['succeeded', 'returned'],
  returned: [],
  needs_attention: ['accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'returned'],
};

const PAYOUT_IGNORED: Partial<{ readonly [K in PayoutStatus]: readonly PayoutStatus[] }> = {
  succeeded: ['created', 'unknown', 'accepted', 'held_for_review', 'processing', 'failed', 'closed', 'needs_attention'],
  returned: ['created', 'unknown', 'accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed', 'needs_attention'],
  failed: ['created', 'unknown', 'accepted', 'held_for_review', 'processing', 'closed', 'needs_attention'],
  closed: ['created', 'unknown', 'accepted', 'held_for_review', 'processing', 'failed', 'needs_attention'],
  processing: ['created', 'unknown', 'accepted', 'held_for_review'],
  accepted: ['created', 'unknown'],
  held_for_review: ['created', 'unknown'],
  unknown: ['created'],
  needs_attention: ['created', 'unknown'],
};

/** The beneficiary account of a payout. Card numbers are masked in every log line. */
export interface PayoutAccount {
  /** Private (personal) or corporate account. */
  readonly type: 'private' | 'corporate';
  /** Card or account number. */
  readonly accountNumber: string;
  /** Account holder's name. */
  readonly accountName: string;
  /** Bank name, when known. */
  readonly bankName?: string;
  /** Provider bank code, needed for corporate accounts. */
  readonly bankCode?: string;
  /** Branch clearing number (prcptcd). */
  readonly branchCode?: string;
  /** City code of the branch. */
  readonly cityCode?: string;
  /** Branch name. */
  readonly branchName?: string;
}

/** Why a payout failed or is held. */
export interface PayoutReason {
  /** The provider's code, verbatim. */
  readonly providerCode?: string;
  /** The standard code it maps to (`suspected_duplicate` for a hold that needs an explicit confirm). */
  readonly code?: StandardCode;
  /** The provider's message. */
  readonly message: string;
}

/** A payout to a beneficiary, as plain data. */
export interface Payout {
  /** The merchant's payout id. */
  readonly payoutId: string;
  /** The provider order number this payout is sent under, for ever. */
  readonly providerOrderId: string;
  /** The provider instance that serves it. */
  readonly instanceId: string;
  /** Amount. */
  readonly amount: Money;
  /** Status. */
  readonly status: PayoutStatus;
  /** The code to confirm a held payout with. */
  readonly confirmCode?: string;
  /** The provider's payout bill id, once known. */
  readonly providerPayoutId?: string;
  /** Why it failed or is held, in the provider's words, with the standard code it maps to. */
  readonly reason?: PayoutReason;
  /** Provider settlement date `YYYYMMDD`. */
  readonly settleDate?: string;
  /** Why paykit stopped settling it and what to do, while it is `needs_attention`. */
  readonly attention?: Attention;
}

/** Decides what a reported payout status does to a recorded one. */
export function payoutTransition(from: PayoutStatus, to: PayoutStatus): PayResult<TransitionOutcome<PayoutStatus>> {
  return decideTransition('payout', PAYOUT_TRANSITIONS, PAYOUT_IGNORED, from, to);
}
