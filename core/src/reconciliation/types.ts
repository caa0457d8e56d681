import type { StatementDiscrepancy, StatementEntryKind } from '../domain/statement.js';
import type { PaymentErrorKind, StandardCode } from '../errors/payment-error.js';
import type { Money } from '../money/money.js';

/**
 * The period a reconciliation covers, for one instance: a day `YYYY-MM-DD` or a month `YYYY-MM`,
 * in the provider's statement days (China Standard Time for the Chinese providers).
 */
export type ReconciliationPeriod =
  | { readonly instance: string; readonly date: string }
  | { readonly instance: string; readonly month: string };

/** A fee schedule: what the provider's contract says it charges per line. Money in minor units. */
export interface FeeSchedule {
  /** Percentage of the line's amount, in basis points (50 = 0.5 %). */
  readonly basisPoints: number;
  /** A fixed part added per line, in minor units (default 0). */
  readonly fixed?: number;
  /** The least fee of a line, in minor units (default 0). */
  readonly minimum?: number;
  /** How the percentage is rounded to a minor unit: `down`, `half-up` (default) or `up`. */
  readonly rounding?: 'down' | 'half-up' | 'up';
  /** A fee within this many minor units of the expected one is accepted (default 0). */
  readonly tolerance?: number;
}

/** Options of a reconciliation run. */
export interface ReconcileOptions {
  /**
   * Statement files to read instead of fetching (LianLian's JYMX, JYMXSUM and FKMX from the
   * merchant site or SFTP; a saved reply): the provider picks the period's files by name.
   */
  readonly files?: readonly import('../plugin/capabilities.js').StatementFile[];
  /**
   * Repair what a verified query can settle: for every discrepancy of kind `missing_in_paykit`
   * (with a record) or `status_mismatch`, ask the provider through `payments.query`,
   * `refunds.query` or `payouts.query`, which apply the answer by the transition rules in one
   * commit with its event. The statement itself never changes a record.
   */
  readonly repair?: boolean;
  /** The provider's fees: a line charged otherwise is a `fee` discrepancy. Unchecked when absent. */
  readonly fees?: FeeSchedule;
  /** Told how far the run got, every few seconds and at each phase (for a progress line). */
  readonly onProgress?: (progress: ReconcileProgress) => void;
  /** Provider queries in flight at once while repairing (default 4). */
  readonly concurrency?: number;
}

/** How far a run got. */
export interface ReconcileProgress {
  /** `statement` (reading and sorting lines), `ledger` (matching against the records), `repair`, `store`. */
  readonly phase: 'statement' | 'ledger' | 'repair' | 'store';
  /** Statement lines read so far. */
  readonly lines: number;
  /** Ledger records walked so far. */
  readonly records: number;
  /** Discrepancies found so far. */
  readonly discrepancies: number;
}

/** The kinds of discrepancy. */
export type DiscrepancyKind =
  /** The provider shows a success paykit has as pending, unknown, or has no record of. */
  | 'missing_in_paykit'
  /** paykit shows a success in the period that the statement lacks. */
  | 'missing_at_provider'
  /** Both know the transaction, for different amounts or currencies. */
  | 'amount_mismatch'
  /** Both know it and disagree on where it stands: paid after a recorded failure, refunded in the provider's portal, a payout returned. */
  | 'status_mismatch'
  /** A fee the contract does not explain: off the fee schedule, or a charge tied to no transaction. */
  | 'fee'
  /** The statement lists the same transaction more than once. */
  | 'duplicate_line'
  /** The statement disagrees with its own summary (totals, counts). */
  | 'summary_mismatch'
  /** A statement line that could not be read. */
  | 'unreadable_line';

/** Every {@link DiscrepancyKind}, in report order. */
export const DISCREPANCY_KINDS: readonly DiscrepancyKind[] = [
  'missing_in_paykit', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'fee', 'duplicate_line', 'summary_mismatch', 'unreadable_line',
];

/** The paykit record a discrepancy is about. */
export interface DiscrepancySubject {
  /** Record kind. */
  readonly kind: 'payment' | 'refund' | 'payout';
  /** Record id: the order number, refund number or payout id (the provider order number when paykit has no payout). */
  readonly id: string;
  /** The merchant's order number (of the payment a refund belongs to; a payout's provider order number). */
  readonly orderId: string;
}

/** A statement line as evidence: what the provider says. Dates as ISO text. */
export interface StatementLineEvidence {
  /** Line kind. */
  readonly kind: StatementEntryKind;
  /** The merchant's order number (see `StatementEntry.orderId`). */
  readonly orderId: string;
  /** Refund lines: the refund number. */
  readonly refundId?: string;
  /** The provider's transaction id. */
  readonly providerTransactionId?: string;
  /** Amount (negative for refunds and returned payouts). */
  readonly amount: Money;
  /** Fee. */
  readonly fee?: Money;
  /** The statement day `YYYY-MM-DD` (settlement day, or the day it happened). */
  readonly day?: string;
  /** When it happened, ISO 8601. */
  readonly occurredAt?: string;
  /** The provider's status text. */
  readonly providerStatus?: string;
  /** Where the line is: its file and line number, or the API call. */
  readonly source?: string;
  /** Line number in the file. */
  readonly line?: number;
}

/** A paykit record as evidence: what paykit recorded. */
export interface LedgerEvidence {
  /** Record kind. */
  readonly kind: 'payment' | 'refund' | 'payout';
  /** Record id. */
  readonly id: string;
  /** The merchant's order number (a refund's payment; a payout's provider order number). */
  readonly orderId: string;
  /** The instance that serves it. */
  readonly instanceId: string;
  /** Its status. */
  readonly status: string;
  /** Its amount. */
  readonly amount: Money;
  /** Payments: refunded so far. */
  readonly refunded?: Money;
  /** The provider's reference (payment, refund or payout id), when known. */
  readonly providerReference?: string;
  /** The day paykit places it in, `YYYY-MM-DD` (settlement day, else when it was paid, requested or created). */
  readonly day?: string;
  /** The record's version when it was read. */
  readonly version: number;
}

/** What a repair did. */
export type RepairOutcome =
  /** The verified query changed the record and the discrepancy is gone. */
  | { readonly outcome: 'repaired'; readonly operation: string; readonly before: string; readonly after: string }
  /** The provider answered, and its answer does not settle the discrepancy: a person must look. */
  | { readonly outcome: 'unchanged'; readonly operation: string; readonly status: string }
  /** The query failed (the record is as it was). */
  | { readonly outcome: 'failed'; readonly operation: string; readonly error: { readonly kind: PaymentErrorKind; readonly code: StandardCode; readonly message: string } };

/** Where a discrepancy stands. */
export type DiscrepancyState =
  /** Found and not dealt with. */
  | 'open'
  /** A verified query settled it in this run. */
  | 'repaired'
  /** A person marked it resolved, with a note. */
  | 'resolved';

/** How a discrepancy compares with the previous run of the same period. */
export type DiscrepancyChange = 'new' | 'unchanged' | 'reopened' | 'changed';

/** What every discrepancy carries. */
export interface DiscrepancyBase {
  /** Stable id: the same discrepancy has the same id in every run of the period. */
  readonly id: string;
  /** The record it is about, when there is one. */
  readonly subject?: DiscrepancySubject;
  /** The statement day it belongs to, `YYYY-MM-DD`. */
  readonly day?: string;
  /** What is wrong, in a sentence. */
  readonly message: string;
  /** What to do about it, in a sentence. */
  readonly action: string;
  /** Whether `repair` can settle it with a verified query. */
  readonly repairable: boolean;
  /** What the repair did, when one ran. */
  readonly repair?: RepairOutcome;
  /** Where it stands. */
  readonly state: DiscrepancyState;
  /** Since the previous run of the period. */
  readonly change: DiscrepancyChange;
  /** The run that first found it. */
  readonly firstSeenRun: number;
  /** The note it was resolved with, and when. */
  readonly resolution?: { readonly note: string; readonly at: string };
}

/** The provider shows a success that paykit has as pending or unknown, or has no record of. */
export interface MissingInPaykit extends DiscrepancyBase {
  readonly kind: 'missing_in_paykit';
  /** The line. */
  readonly statement: StatementLineEvidence;
  /** paykit's record, when it has one (pending, unknown…). */
  readonly paykit?: LedgerEvidence;
}

/** paykit shows a success in the period that the statement lacks. */
export interface MissingAtProvider extends DiscrepancyBase {
  readonly kind: 'missing_at_provider';
  /** paykit's record. */
  readonly paykit: LedgerEvidence;
}

/** Both know the transaction, for different amounts or currencies. */
export interface AmountMismatch extends DiscrepancyBase {
  readonly kind: 'amount_mismatch';
  /** The line. */
  readonly statement: StatementLineEvidence;
  /** paykit's record. */
  readonly paykit: LedgerEvidence;
}

/** Why the two sides disagree on status. */
export type StatusMismatchReason =
  /** The provider shows it paid; paykit recorded it failed or closed. */
  | 'paid_after_failure'
  /** The provider shows a refund of the order that paykit did not make (made in the provider's portal). */
  | 'refunded_at_provider'
  /** The provider shows the refund done; paykit recorded it failed. */
  | 'refund_after_failure'
  /** The provider shows the payout's money returned; paykit has it otherwise. */
  | 'payout_returned';

/** Both know the transaction and disagree on where it stands. */
export interface StatusMismatch extends DiscrepancyBase {
  readonly kind: 'status_mismatch';
  /** Why. */
  readonly reason: StatusMismatchReason;
  /** The line. */
  readonly statement: StatementLineEvidence;
  /** paykit's record. */
  readonly paykit: LedgerEvidence;
}

/** A fee the contract does not explain. */
export interface FeeDiscrepancy extends DiscrepancyBase {
  readonly kind: 'fee';
  /** The line. */
  readonly statement: StatementLineEvidence;
  /** The fee the schedule gives for the line (absent for a charge tied to no transaction). */
  readonly expectedFee?: Money;
}

/** The statement lists the same transaction more than once. */
export interface DuplicateLine extends DiscrepancyBase {
  readonly kind: 'duplicate_line';
  /** The lines (the first 20). */
  readonly statement: StatementLineEvidence;
  /** Every line of the transaction, the first included (up to 20). */
  readonly lines: readonly StatementLineEvidence[];
  /** How many lines in all. */
  readonly count: number;
  /** paykit's record, when it has one. */
  readonly paykit?: LedgerEvidence;
}

/** The statement disagrees with its own summary. */
export interface SummaryMismatch extends DiscrepancyBase {
  readonly kind: 'summary_mismatch';
  /** The summary checked (file, page). */
  readonly source: string;
  /** The figure that differs. */
  readonly difference: StatementDiscrepancy;
}

/** A statement line that could not be read. */
export interface UnreadableLine extends DiscrepancyBase {
  readonly kind: 'unreadable_line';
  /** Where (`line 12.money_order`). */
  readonly path: string;
  /** Why, as the parser says it. */
  readonly error: string;
}

/** A difference between the statement and paykit's records, with the evidence of both sides. */
export type Discrepancy =
  | MissingInPaykit | MissingAtProvider | AmountMismatch | StatusMismatch | FeeDiscrepancy | DuplicateLine | SummaryMismatch | UnreadableLine;

/** Sums of a group of statement lines, in minor units. */
export interface LineTotals {
  /** Lines. */
  readonly count: number;
  /** Sum of amounts (signed). */
  readonly amount: number;
  /** Sum of fees (signed). */
  readonly fee: number;
}

/** The totals of one day in one currency. */
export interface DayTotals {
  /** `YYYY-MM-DD`, or `unknown` for lines without a day. */
  readonly day: string;
  /** Currency of every sum. */
  readonly currency: string;
  /**
   * What the statement says. By line kind (`byKind`), the lines' amounts and fees as the statement
   * writes them (refunds negative; payouts and adjustments such as a withdrawal positive). For the
   * whole day, `amount` is what moved the merchant's balance (payments and refunds as written,
   * payouts and adjustments subtracted: money out is negative, a returned payout positive), `fee`
   * the fees, and `net` the net settlement, `amount − fee`.
   */
  readonly statement: LineTotals & { readonly net: number; readonly byKind: { readonly [K in StatementEntryKind]: LineTotals } };
  /**
   * What paykit recorded for the day: successes (paid payments, refunds done, payouts paid). By
   * kind as a statement writes them (refunds negative); `amount` as the statement's day amount
   * (refunds and payouts subtracted).
   */
  readonly paykit: { readonly count: number; readonly amount: number; readonly byKind: { readonly payment: LineTotals; readonly refund: LineTotals; readonly payout: LineTotals } };
}

/** Counts of a run. */
export interface ReconciliationCounts {
  /** Statement lines read (of the period; lines of other days are counted in `outsidePeriod`). */
  readonly statementLines: number;
  /** Statement lines whose day is outside the period (not matched). */
  readonly outsidePeriod: number;
  /** paykit records of the instance walked. */
  readonly recordsWalked: number;
  /** paykit records of the instance in the period. */
  readonly recordsInPeriod: number;
  /** Lines and records that agree. */
  readonly matched: number;
  /** Discrepancies found (listed or not). */
  readonly discrepancies: number;
  /** Of them, still open. */
  readonly open: number;
  /** Repaired by a verified query in this run. */
  readonly repaired: number;
  /** Resolved by a person. */
  readonly resolved: number;
  /** Discrepancies by kind. */
  readonly byKind: { readonly [K in DiscrepancyKind]: number };
}

/** What changed since the previous run of the period. */
export interface ReconciliationChanges {
  /** The previous run's number, when there was one. */
  readonly previousRun?: number;
  /** Discrepancies this run found that the previous did not. */
  readonly new: readonly string[];
  /** Discrepancies found before that came back after being gone. */
  readonly reopened: readonly string[];
  /**
   * Discrepancies found again with other figures (another amount, count, fee or status): a
   * resolved one among them is open again, since its note was about what it said before.
   */
  readonly changed: readonly string[];
  /** Discrepancies the previous run had open that this one no longer finds (fixed since). */
  readonly fixed: readonly { readonly id: string; readonly kind: DiscrepancyKind; readonly subject?: DiscrepancySubject; readonly message: string }[];
  /** Discrepancies found again, as before. */
  readonly unchanged: number;
}

/** The report of one reconciliation run. */
export interface ReconciliationReport {
  /** The instance. */
  readonly instance: string;
  /** Its plugin. */
  readonly providerId: string;
  /** The period: a day or a month, and its first and last day (`YYYY-MM-DD`). */
  readonly period: { readonly kind: 'day' | 'month'; readonly value: string; readonly from: string; readonly to: string };
  /** The run's number in the period (1, 2, …). */
  readonly run: number;
  /** When it started and ended (ISO 8601). */
  readonly startedAt: string;
  /** When it ended. */
  readonly finishedAt: string;
  /** Whether it repaired. */
  readonly repair: boolean;
  /** Where the statement came from (files, API calls). */
  readonly sources: readonly string[];
  /** Counts. */
  readonly counts: ReconciliationCounts;
  /** Totals per day and currency, statement and paykit side by side. */
  readonly days: readonly DayTotals[];
  /** The provider's checks of its statement against itself (each difference is also a `summary_mismatch`). */
  readonly selfChecks: readonly { readonly source: string; readonly agrees: boolean }[];
  /** The discrepancies (the first {@link MAX_LISTED_DISCREPANCIES}). */
  readonly discrepancies: readonly Discrepancy[];
  /** Discrepancies found beyond the listed ones (counted, not listed). */
  readonly unlisted: number;
  /** What changed since the previous run. */
  readonly changes: ReconciliationChanges;
  /** True when no discrepancy is open. */
  readonly clean: boolean;
}

/** The most discrepancies a run lists and stores; more are counted (a sign the statement is not this instance's). */
export const MAX_LISTED_DISCREPANCIES = 10_000;

/** A reconciliation report in a few lines, for logs and demos. */
export interface ReconciliationDigest {
  /** `shop 2026-12-01, run 1`. */
  readonly run: string;
  /** Whether nothing is open. */
  readonly clean: boolean;
  /** `12 lines, 11 matched, 3 discrepancies (1 repaired, 2 open)`. */
  readonly counts: string;
  /** One line per discrepancy: kind, what it is about, where it stands. */
  readonly discrepancies: readonly string[];
}

/** The digest of a report (see {@link ReconciliationDigest}). */
export function reconciliationDigest(report: ReconciliationReport): ReconciliationDigest {
  try {
    return digestOf(report);
  } catch {
    return { run: 'not a reconciliation report', clean: false, counts: '', discrepancies: [] };
  }
}

function digestOf(report: ReconciliationReport): ReconciliationDigest {
  const c = report.counts;
  return {
    run: `${report.instance} ${report.period.value}, run ${report.run}`,
    clean: report.clean,
    counts: `${c.statementLines} lines, ${c.matched} matched, ${c.discrepancies} discrepancies (${c.repaired} repaired, ${c.resolved} resolved, ${c.open} open)`,
    discrepancies: report.discrepancies.map((d) => {
      const on = d.subject !== undefined ? `${d.subject.kind} ${d.subject.id}` : d.kind === 'summary_mismatch' ? d.source : d.kind === 'unreadable_line' ? d.path : 'statement' in d ? d.statement.orderId : '';
      const repair = d.repair === undefined ? '' : d.repair.outcome === 'repaired' ? ` (${d.repair.operation}: ${d.repair.before} → ${d.repair.after})` : ` (${d.repair.operation}: ${d.repair.outcome})`;
      return `${d.kind} ${on}: ${d.state}${repair}`;
    }),
  };
}
