// The daily summary file (spec 5.5/5.6), streamed detail totals, and the check of one against the
// other. Summary line: 总笔数|成功笔数|成功金额(元)|退款笔数|退款金额(负值)|撤销笔数|撤销金额(负值),
// e.g. 8|8|551.23|0|0|0|0.
import { err, ok } from 'neverthrow';
import {
  CURRENCIES, guardAsync, parseDecimal, PaymentErrors, type CurrencyCode, type Money, type PaymentError, type PayResult,
  type PayResultAsync, type StatementDiscrepancy, type StatementEntry, type StatementFile,
} from '@paykit/core';
import { statementFileKind } from './file-name.js';
import { readLines, type StatementEncoding } from './lines.js';

/** The totals a JYMXSUM file states. */
export interface StatementSummary {
  /** Settlement day the summary covers, `YYYYMMDD` (from the file name). */
  readonly settleDate: string;
  /** 总笔数. */
  readonly totalCount: number;
  /** 成功笔数. */
  readonly successCount: number;
  /** 成功金额. */
  readonly successAmount: Money;
  /** 退款笔数. */
  readonly refundCount: number;
  /** 退款金额 (zero or negative). */
  readonly refundAmount: Money;
  /** 撤销笔数. */
  readonly cancelCount: number;
  /** 撤销金额 (zero or negative). */
  readonly cancelAmount: Money;
}

/** Count and sums (in minor units, exact) of one group of lines. */
export interface GroupTotals {
  /** Lines. */
  count: number;
  /** Sum of amounts, minor units. */
  amount: bigint;
  /** Sum of fees, minor units. */
  fee: bigint;
}

/** Totals of a stream of detail lines, by kind, accumulated one entry at a time. */
export interface StatementTotals {
  /** Currency of the sums. */
  readonly currency: CurrencyCode;
  /** Successful lines (status 0: payments, and payouts in a payout file). */
  readonly success: GroupTotals;
  /** Refund lines (status 5). */
  readonly refund: GroupTotals;
  /** Per entry kind. */
  readonly byKind: Record<StatementEntry['kind'], GroupTotals>;
  /** Lines settled on each day other than the expected one (filled by the summary check). */
  readonly otherDays: Map<string, number>;
  /** Lines that failed to parse. */
  lineErrors: number;
  /** The first few line errors (at most 20), for the report. */
  readonly firstErrors: PaymentError[];
}

const group = (): GroupTotals => ({ count: 0, amount: 0n, fee: 0n });

/** Fresh, empty totals. */
export function emptyStatementTotals(currency: CurrencyCode = 'CNY'): StatementTotals {
  return {
    currency, success: group(), refund: group(),
    byKind: { payment: group(), refund: group(), payout: group(), adjustment: group() },
    otherDays: new Map(), lineErrors: 0, firstErrors: [],
  };
}

function addTo(g: GroupTotals, e: StatementEntry): void {
  g.count += 1;
  g.amount += BigInt(e.amount.amount);
  g.fee += BigInt(e.fee?.amount ?? 0);
}

/** Adds one parsed line (or its error) to the totals. Integer arithmetic only. */
export function addToStatementTotals(totals: StatementTotals, r: PayResult<StatementEntry>, settleDate?: string): void {
  if (r.isErr()) {
    totals.lineErrors += 1;
    if (totals.firstErrors.length < 20) totals.firstErrors.push(r.error);
    return;
  }
  const e = r.value;
  if (e.amount.currency !== totals.currency) {
    const line = 'line' in e ? ` (line ${String(e.line)})` : '';
    addToStatementTotals(totals, err(PaymentErrors.decode(`entry ${e.orderId.slice(0, 32)}${line} is in ${e.amount.currency}; the totals are in ${totals.currency}`)));
    return;
  }
  addTo(totals.byKind[e.kind], e);
  addTo(e.kind === 'refund' ? totals.refund : totals.success, e);
  if (settleDate !== undefined && e.settleDate !== settleDate) {
    const day = e.settleDate ?? '(none)';
    totals.otherDays.set(day, (totals.otherDays.get(day) ?? 0) + 1);
  }
}

/** Writes an exact minor-unit sum as a decimal string in its currency (`-12.50`). */
export function formatMinorSum(sum: bigint, currency: CurrencyCode): string {
  const exponent = CURRENCIES[currency].exponent;
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const frac = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${frac}` : ''}`;
}

function parseSummaryLine(text: string, lineNo: number, settleDate: string, currency: CurrencyCode): PayResult<StatementSummary> {
  const fail = (column: string, problem: string): PayResult<never> =>
    err(PaymentErrors.decode(`summary line ${lineNo}: ${column}: ${problem}`, { path: `line ${lineNo}.${column}` }));
  const cols = text.split('|').map((c) => c.trim());
  if (cols.length !== 7) return err(PaymentErrors.decode(`summary line ${lineNo}: has ${cols.length} |-separated columns; spec 5.6 has 7`, { path: `line ${lineNo}` }));
  const names = ['totalCount', 'successCount', 'successAmount', 'refundCount', 'refundAmount', 'cancelCount', 'cancelAmount'] as const;
  const counts: number[] = [];
  const amounts: Money[] = [];
  for (let i = 0; i < 7; i += 1) {
    const name = names[i] as string;
    const value = cols[i] as string;
    if (i === 0 || i === 1 || i === 3 || i === 5) {
      if (!/^\d{1,15}$/.test(value)) return fail(name, `"${value.slice(0, 20)}" is not a count`);
      counts.push(Number(value));
    } else {
      const m = parseDecimal(value, currency, { allowNegative: true, path: name });
      if (m.isErr()) return fail(name, m.error.message);
      if (i !== 2 && m.value.amount > 0) return fail(name, `must be zero or negative (spec 5.6: 负值), got "${value.slice(0, 20)}"`);
      amounts.push(m.value);
    }
  }
  const [totalCount = 0, successCount = 0, refundCount = 0, cancelCount = 0] = counts;
  const [successAmount, refundAmount, cancelAmount] = amounts as [Money, Money, Money];
  return ok({ settleDate, totalCount, successCount, successAmount, refundCount, refundAmount, cancelCount, cancelAmount });
}

/** Reads a JYMXSUM file (name per spec 5.5, one data line per spec 5.6). */
export function readStatementSummary(file: StatementFile, options: { readonly encoding?: StatementEncoding; readonly currency?: CurrencyCode } = {}): PayResultAsync<StatementSummary> {
  return guardAsync('statements.readSummary', async () => {
    const kind = statementFileKind(file?.name);
    if (kind.isErr()) return err(kind.error);
    if (kind.value.family !== 'summary') {
      return err(PaymentErrors.invalidRequest(`${file.name} is not a summary file: expected JYMXSUM_<oid_partner>_<YYYYMMDD>.txt (spec 5.5)`, { path: 'name' }));
    }
    let found: PayResult<StatementSummary> | undefined;
    for await (const line of readLines(file.content, options.encoding ?? 'auto')) {
      if (line.isErr()) return err(line.error);
      const { text, lineNo } = line.value;
      if (text.trim() === '' || /^\s*总笔数/.test(text)) continue;
      if (found !== undefined) return err(PaymentErrors.decode(`summary line ${lineNo}: a summary file has one line of totals`, { path: `line ${lineNo}` }));
      found = parseSummaryLine(text, lineNo, kind.value.from, options.currency ?? 'CNY');
      if (found.isErr()) return found;
    }
    return found ?? err(PaymentErrors.decode(`${file.name} holds no totals line (spec 5.6)`, { path: 'line 1' }));
  });
}

/** Compares stated totals with streamed detail totals; one discrepancy per differing figure. */
export function compareStatementTotals(summary: StatementSummary, totals: StatementTotals): StatementDiscrepancy[] {
  const out: StatementDiscrepancy[] = [];
  const c = totals.currency;
  const diff = (field: string, expected: string, actual: string): void => {
    if (expected !== actual) out.push({ field, expected, actual });
  };
  const money = (m: Money): string => formatMinorSum(BigInt(m.amount), m.currency);
  const lines = totals.success.count + totals.refund.count;
  diff('totalCount', String(summary.totalCount), String(lines));
  diff('successCount', String(summary.successCount), String(totals.success.count));
  diff('successAmount', money(summary.successAmount), formatMinorSum(totals.success.amount, c));
  diff('refundCount', String(summary.refundCount), String(totals.refund.count));
  diff('refundAmount', money(summary.refundAmount), formatMinorSum(totals.refund.amount, c));
  // Detail lines have no cancellation status (spec 5.2: 0 success, 5 refunded): any stated
  // cancellation has no detail line to match.
  diff('cancelCount', String(summary.cancelCount), '0');
  diff('cancelAmount', money(summary.cancelAmount), formatMinorSum(0n, c));
  const parts = summary.successCount + summary.refundCount + summary.cancelCount;
  diff('summary.totalCount', String(parts), String(summary.totalCount));
  diff('lineErrors', '0', String(totals.lineErrors));
  for (const [day, n] of totals.otherDays) out.push({ field: 'settleDate', expected: summary.settleDate, actual: `${day} (${n} lines)` });
  return out;
}

/** The outcome of checking a summary against its details. */
export interface SummaryCheck {
  /** The stated totals. */
  readonly summary: StatementSummary;
  /** The detail totals. */
  readonly totals: StatementTotals;
  /** Every difference; empty when the files agree. */
  readonly discrepancies: readonly StatementDiscrepancy[];
}

/**
 * Reads a JYMXSUM file and streams the day's detail entries (for example `parseStatement` of the
 * matching JYMX file), totals them by kind (count, amount, fee) and reports every difference as
 * {@link StatementDiscrepancy} values. Memory does not grow with the number of lines.
 *
 * @example
 * ```ts
 * const check = await checkStatementSummary(sumFile, parseStatement(jymxFile));
 * if (check.isOk() && check.value.discrepancies.length > 0) alert(check.value.discrepancies);
 * ```
 */
export function checkStatementSummary(
  summaryFile: StatementFile,
  details: AsyncIterable<PayResult<StatementEntry>>,
  options: { readonly encoding?: StatementEncoding; readonly currency?: CurrencyCode } = {},
): PayResultAsync<SummaryCheck> {
  return readStatementSummary(summaryFile, options).andThen((summary) => guardAsync('statements.checkSummary', async () => {
    const totals = emptyStatementTotals(options.currency ?? 'CNY');
    for await (const r of details) addToStatementTotals(totals, r, summary.settleDate);
    return ok({ summary, totals, discrepancies: compareStatementTotals(summary, totals) });
  }));
}
