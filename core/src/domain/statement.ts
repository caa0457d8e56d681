import type { Money } from '../money/money.js';

/**
 * What a statement line records: a payment taken, a refund given, a payout sent, or an adjustment
 * (a charge or movement of the merchant's balance not tied to one of paykit's records: a service
 * fee, a settlement to the merchant's own account).
 */
export type StatementEntryKind = 'payment' | 'refund' | 'payout' | 'adjustment';

/**
 * One line of a provider statement, in minor units. Payment and payout lines are positive; refund
 * lines are negative, and so is a payout line that gives a payout's money back (the beneficiary's
 * bank returned it). An adjustment is positive when money left the merchant's balance (a
 * withdrawal, a charge) and negative when it came in.
 */
export interface StatementEntry {
  /** Line kind. */
  readonly kind: StatementEntryKind;
  /**
   * The merchant's order number: the paid order (payment lines), the refunded order (refund
   * lines), the provider order number of the payout (payout lines).
   */
  readonly orderId: string;
  /** Refund lines: the merchant's refund number (reconciliation matches refunds by it). */
  readonly refundId?: string;
  /** The line's number in its file, when it comes from a file (1-based). */
  readonly line?: number;
  /** Where the line comes from (its file's name, the API call), for reports. */
  readonly source?: string;
  /**
   * `false` when the statement states no currency for the line (Allinpay's batch query): `amount`
   * is then in the instance's configured currency as a guess, and reconciliation matches the line
   * on its amount alone, in the currency of the record it belongs to.
   */
  readonly currencyStated?: boolean;
  /** The provider's transaction id. */
  readonly providerTransactionId?: string;
  /** Amount; negative for refunds. */
  readonly amount: Money;
  /** Fee charged by the provider; negative when returned with a refund. */
  readonly fee?: Money;
  /** Settlement date `YYYYMMDD`. */
  readonly settleDate?: string;
  /** When the transaction happened. */
  readonly occurredAt?: Date;
  /** Provider's status text or code for the line. */
  readonly providerStatus?: string;
  /** Provider product and method (e.g. "debit card quick pay"). */
  readonly product?: string;
  /** Payment method. */
  readonly method?: string;
  /** Order info text. */
  readonly description?: string;
}

/** A difference found while checking a statement's totals against its lines. */
export interface StatementDiscrepancy {
  /** What was compared (e.g. `count`, `amount`, `fee`). */
  readonly field: string;
  /** What the summary says. */
  readonly expected: string;
  /** What the lines add up to. */
  readonly actual: string;
}

/** A provider statement for a period. */
export interface Statement {
  /** The provider plugin id. */
  readonly providerId: string;
  /** First day covered, `YYYYMMDD`. */
  readonly from: string;
  /** Last day covered, `YYYYMMDD`. */
  readonly to: string;
  /** Lines. */
  readonly entries: readonly StatementEntry[];
  /** Differences between stated totals and the lines; empty when they agree. */
  readonly discrepancies: readonly StatementDiscrepancy[];
}
