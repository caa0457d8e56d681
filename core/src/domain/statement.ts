import type { Money } from '../money/money.js';

/** What a statement line records. */
export type StatementEntryKind = 'payment' | 'refund' | 'payout' | 'adjustment';

/** One line of a provider statement, in minor units. Refund lines are negative. */
export interface StatementEntry {
  /** Line kind. */
  readonly kind: StatementEntryKind;
  /** The merchant's order number. */
  readonly orderId: string;
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
