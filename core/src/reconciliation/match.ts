// The merge-join of a reconciliation: the statement's lines sorted by (kind, key) against the
// ledger's records walked in the same order, one group of lines with the same key at a time.
// Provider-agnostic: it knows statement entries and paykit's records, nothing of any provider.
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import type { PayResult, PayResultAsync } from '../errors/result.js';
import type { StatementEntryKind } from '../domain/statement.js';
import type { Money } from '../money/money.js';
import { compareUtf8, type SortItem } from './external-sort.js';
import { discrepancyId, lineName, lineWhere, moneyText, recordName, repairCall, type DiscrepancyDraft } from './describe.js';
import { amountOfItem, currencyOfItem, evidenceOf, PAID_PAYMENT_STATUSES, PAID_PAYOUT_STATUSES, statusOfItem, type LedgerItem } from './ledger.js';
import type { DayTotals, DiscrepancyKind, FeeSchedule, LedgerEvidence, LineTotals, StatementLineEvidence } from './types.js';
import { DISCREPANCY_KINDS } from './types.js';
import { inCurrencyOf, unpackLine, type PackedLine } from './packed-line.js';

/** Sort rank of each line kind: the order the matcher takes them in (ledger kinds first). */
export const RANK: { readonly [K in StatementEntryKind]: number } = { payment: 0, refund: 1, payout: 2, adjustment: 3 };

/** The key a refund line without a refund number sorts under: it never equals a record id. */
export const NO_REFUND_NUMBER = '\u0000';

/** What the matcher reads. */
export interface MatchInput {
  /** The statement's lines, sorted by (rank, key), in batches. */
  readonly statement: AsyncIterable<readonly SortItem<PackedLine>[]>;
  /** The ledger of each matched kind, sorted by key, in pages. */
  readonly ledger: { readonly [K in 'payment' | 'refund' | 'payout']: () => AsyncIterable<PayResult<readonly LedgerItem[]>> };
  /** The instance's payment of an order (for a refund paykit never made). */
  readonly payment: (orderId: string) => PayResultAsync<LedgerItem | undefined>;
  /** The fee schedule, when fees are checked. */
  readonly fees?: FeeSchedule;
  /** Told of each discrepancy as it is found. */
  readonly emit: (d: DiscrepancyDraft) => void;
  /** Told after each batch of lines or records. */
  readonly onProgress?: (lines: number, records: number) => void;
}

/** What the matcher counted. */
export interface MatchResult {
  /** Lines and records that agree. */
  readonly matched: number;
  /** Statement lines matched. */
  readonly lines: number;
  /** The instance's records walked. */
  readonly recordsWalked: number;
  /** Of them, in the period. */
  readonly recordsInPeriod: number;
  /** Totals per day and currency. */
  readonly days: DayTotals[];
}

// Sums are kept as numbers while they are safe integers (always, in practice), and move to
// bigint only past 2^53: exact either way, and no bigint arithmetic per line in the common case.
type Sum = number | bigint;
type MutableTotals = { count: number; amount: Sum; fee: Sum };
const newTotals = (): MutableTotals => ({ count: 0, amount: 0, fee: 0 });

function add(a: Sum, b: number): Sum {
  if (typeof a === 'number') {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
    return BigInt(a) + BigInt(b);
  }
  return a + BigInt(b);
}

function addSums(a: Sum, b: Sum): bigint {
  return BigInt(a) + BigInt(b);
}

interface DayAccumulator {
  readonly day: string;
  readonly currency: string;
  readonly statement: { [K in StatementEntryKind]: MutableTotals };
  readonly paykit: { payment: MutableTotals; refund: MutableTotals; payout: MutableTotals };
}

/** Totals per day and currency, added up exactly and checked to fit a safe integer at the end. */
export class DayTotalsBook {
  readonly #days = new Map<string, DayAccumulator>();
  #last: DayAccumulator | undefined;

  #at(day: string | undefined, currency: string): DayAccumulator {
    const d = day ?? 'unknown';
    // Lines and records come by key, not by day: most follow one of the same day and currency.
    const last = this.#last;
    if (last !== undefined && last.day === d && last.currency === currency) return last;
    const k = `${d}|${currency}`;
    let a = this.#days.get(k);
    if (a === undefined) {
      a = {
        day: d, currency,
        statement: { payment: newTotals(), refund: newTotals(), payout: newTotals(), adjustment: newTotals() },
        paykit: { payment: newTotals(), refund: newTotals(), payout: newTotals() },
      };
      this.#days.set(k, a);
    }
    this.#last = a;
    return a;
  }

  /** Adds a statement line. */
  line(l: PackedLine): void {
    const t = this.#at(l[8] ?? undefined, l[3]).statement[l[0]];
    t.count += 1;
    t.amount = add(t.amount, l[2]);
    if (l[6] === null) return;
    // A fee charged in another currency (a foreign-currency line settled in CNY) counts in that
    // currency's totals, never added to amounts of another.
    const f = l[7] === null || l[7] === l[3] ? t : this.#at(l[8] ?? undefined, l[7]).statement[l[0]];
    f.fee = add(f.fee, l[6]);
  }

  /** Adds a record paykit counts as done in the period (by kind as a statement writes it: refunds negative). */
  record(r: LedgerItem): void {
    const t = this.#at(r.day ?? undefined, currencyOfItem(r) ?? '?').paykit[r.kind];
    t.count += 1;
    t.amount = add(t.amount, r.kind === 'refund' ? -amountOfItem(r) : amountOfItem(r));
  }

  /** The totals, days in order; `Internal` if a sum does not fit a safe integer. */
  result(): PayResult<DayTotals[]> {
    const safe = (n: bigint): number | undefined => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined);
    const out: DayTotals[] = [];
    for (const a of [...this.#days.values()].sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : x.currency < y.currency ? -1 : 1))) {
      const sum = (ts: readonly MutableTotals[]): { count: number; amount: bigint; fee: bigint } => {
        const total = { count: 0, amount: 0n, fee: 0n };
        for (const t of ts) {
          total.count += t.count;
          total.amount = addSums(total.amount, t.amount);
          total.fee = addSums(total.fee, t.fee);
        }
        return total;
      };
      const conv = (t: { count: number; amount: Sum; fee: Sum }): LineTotals | undefined => {
        const amount = safe(BigInt(t.amount));
        const fee = safe(BigInt(t.fee));
        return amount === undefined || fee === undefined ? undefined : { count: t.count, amount, fee };
      };
      const s = a.statement;
      const whole = sum([s.payment, s.refund, s.payout, s.adjustment]);
      // The day's amount is what moved the merchant's balance: payment lines in, refund lines
      // (negative) out; payout and adjustment lines are written positive for money that left it.
      const moved = (t: { payment: MutableTotals; refund: MutableTotals }, out: readonly MutableTotals[]): bigint =>
        out.reduce((acc, o) => acc - BigInt(o.amount), addSums(t.payment.amount, t.refund.amount));
      const dayAmount = moved(s, [s.payout, s.adjustment]);
      const all = conv({ count: whole.count, amount: dayAmount, fee: whole.fee });
      const pk = sum([a.paykit.payment, a.paykit.refund, a.paykit.payout]);
      const parts = [conv(s.payment), conv(s.refund), conv(s.payout), conv(s.adjustment), conv(a.paykit.payment), conv(a.paykit.refund), conv(a.paykit.payout)];
      const pkAmount = safe(moved(a.paykit, [a.paykit.payout]));
      const net = safe(dayAmount - whole.fee);
      if (all === undefined || pkAmount === undefined || net === undefined || parts.some((p) => p === undefined)) {
        return err(PaymentErrors.internal(`the totals of ${a.day} in ${a.currency} do not fit a safe integer of minor units`));
      }
      const [payment, refund, payout, adjustment, pPayment, pRefund, pPayout] = parts as LineTotals[];
      out.push({
        day: a.day, currency: a.currency,
        statement: { ...all, net, byKind: { payment: payment as LineTotals, refund: refund as LineTotals, payout: payout as LineTotals, adjustment: adjustment as LineTotals } },
        paykit: { count: pk.count, amount: pkAmount, byKind: { payment: pPayment as LineTotals, refund: pRefund as LineTotals, payout: pPayout as LineTotals } },
      });
    }
    return ok(out);
  }
}

/** The fee a schedule gives for a line of `amount` minor units (its absolute value). */
export function expectedFee(amount: number, fees: FeeSchedule): number {
  const base = BigInt(Math.abs(amount)) * BigInt(fees.basisPoints);
  const q = base / 10000n;
  const r = base % 10000n;
  const rounding = fees.rounding ?? 'half-up';
  const pct = rounding === 'down' ? q : rounding === 'up' ? (r > 0n ? q + 1n : q) : (r * 2n >= 10000n ? q + 1n : q);
  const fee = Number(pct) + (fees.fixed ?? 0);
  return Math.max(fee, fees.minimum ?? 0);
}

/** A cursor over batches from an async iterable: peek at the next item, take it. */
class Cursor<T> {
  readonly #it: AsyncIterator<readonly T[]>;
  #buf: readonly T[] = [];
  #i = 0;
  #done = false;

  constructor(source: AsyncIterable<readonly T[]>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** The next item without taking it; undefined at the end. */
  async peek(): Promise<T | undefined> {
    while (this.#i >= this.#buf.length) {
      if (this.#done) return undefined;
      const r = await this.#it.next();
      if (r.done === true) {
        this.#done = true;
        return undefined;
      }
      this.#buf = r.value;
      this.#i = 0;
    }
    return this.#buf[this.#i];
  }

  /** The next item when it is already read (`null` when a read is needed). */
  peekReady(): T | undefined | null {
    if (this.#i < this.#buf.length) return this.#buf[this.#i];
    return this.#done ? undefined : null;
  }

  /** Takes the item {@link Cursor.peek} returned. */
  take(): void {
    this.#i += 1;
  }

  /** Stops reading (the source's `finally` runs). */
  async close(): Promise<void> {
    if (!this.#done) await this.#it.return?.();
    this.#done = true;
  }
}

/** Unwraps ledger pages, keeping the first error. */
async function* pages(source: AsyncIterable<PayResult<readonly LedgerItem[]>>, failure: { error?: PaymentError }): AsyncGenerator<readonly LedgerItem[]> {
  for await (const page of source) {
    if (page.isErr()) {
      failure.error = page.error;
      return;
    }
    yield page.value;
  }
}

/** The lines of one key: the first few kept, all counted. */
interface Group {
  readonly rank: number;
  readonly key: string;
  readonly lines: StatementLineEvidence[];
  count: number;
}

/** The lines of one key as read: the first few kept packed, all counted. */
interface PackedGroup {
  readonly rank: number;
  readonly key: string;
  readonly lines: PackedLine[];
  count: number;
}

/**
 * Whether a group of one line agrees with its record without a closer look: same amount and
 * currency, a status that means done, a fee on the schedule. Most groups do; only the others are
 * unpacked into evidence and evaluated.
 */
function agrees(kind: 'payment' | 'refund' | 'payout', g: PackedGroup, record: LedgerItem | undefined, fees: FeeSchedule | undefined): boolean {
  if (g.count !== 1 || record === undefined) return false;
  const l = g.lines[0] as PackedLine;
  if (l[3] !== currencyOfItem(record) || Math.abs(l[2]) !== amountOfItem(record)) return false;
  const status = statusOfItem(record);
  if (kind === 'payment' ? !PAID_PAYMENT_STATUSES.includes(status) : kind === 'refund' ? status !== 'succeeded' : l[2] < 0 || !PAID_PAYOUT_STATUSES.includes(status)) return false;
  if (fees === undefined || l[6] === null) return true;
  return (l[7] ?? l[3]) === l[3] && Math.abs(Math.abs(l[6]) - expectedFee(l[2], fees)) <= (fees.tolerance ?? 0);
}

function unpackGroup(g: PackedGroup): Group {
  return { rank: g.rank, key: g.key, lines: g.lines.map(unpackLine), count: g.count };
}

const KEEP = 20;

const absEq = (a: Money, b: Money): boolean => a.currency === b.currency && Math.abs(a.amount) === Math.abs(b.amount);

/** A line's amount as paykit would record it (positive). */
const positive = (m: Money): Money => ({ amount: Math.abs(m.amount), currency: m.currency });

/**
 * Matches the sorted statement against the ledger. Each discrepancy goes to `emit` as it is
 * found; the result counts what agreed and totals each day. Memory holds a batch of lines, a
 * page of records and one group of lines with the same key.
 */
export async function matchStatement(input: MatchInput): Promise<PayResult<MatchResult>> {
  const book = new DayTotalsBook();
  const statement = new Cursor(input.statement);
  const counts = { matched: 0, lines: 0, walked: 0, inPeriod: 0 };
  const failure: { error?: PaymentError } = {};
  const emit = input.emit;
  const progress = (): void => input.onProgress?.(counts.lines, counts.walked);

  // Adds the lines of the group's key that are already read; false when more must be read first.
  const collect = (g: PackedGroup, currency: string | undefined): boolean => {
    for (;;) {
      const s = statement.peekReady();
      if (s === null) return false;
      if (s === undefined || s.rank !== g.rank || s.key !== g.key) return true;
      statement.take();
      g.count += 1;
      counts.lines += 1;
      const line = currency === undefined ? s.value : inCurrencyOf(s.value, currency);
      book.line(line);
      if (g.lines.length < KEEP) g.lines.push(line);
    }
  };
  // The lines of a key. `record`: the record they match, whose currency a line that states none
  // is read in. A promise only when a batch must be read: a million lines are a million groups.
  const takeGroup = (rank: number, key: string, record?: LedgerItem): PackedGroup | Promise<PackedGroup> => {
    const g: PackedGroup = { rank, key, lines: [], count: 0 };
    // A record without a currency (a value of another shape) gives none to the lines.
    const currency = record === undefined ? undefined : currencyOfItem(record) ?? undefined;
    if (collect(g, currency)) return g;
    return (async () => {
      for (;;) {
        progress();
        await statement.peek();
        if (collect(g, currency)) return g;
      }
    })();
  };

  for (const kind of ['payment', 'refund', 'payout'] as const) {
    const rank = RANK[kind];
    const ledger = new Cursor(pages(input.ledger[kind](), failure));
    try {
      for (;;) {
        let s = statement.peekReady();
        if (s === null) s = await statement.peek();
        const line = s !== undefined && s.rank === rank ? s : undefined;
        let l = ledger.peekReady();
        if (l === null) {
          progress();
          l = await ledger.peek();
        }
        if (failure.error !== undefined) return err(failure.error);
        if (line === undefined && l === undefined) break;
        const c = line === undefined ? 1 : l === undefined ? -1 : compareUtf8(line.key, l.key);
        let record: LedgerItem | undefined;
        if (c >= 0 && l !== undefined) {
          ledger.take();
          record = l;
          counts.walked += 1;
          if (l.inPeriod) counts.inPeriod += 1;
          if (l.expectsLine) book.record(l);
        }
        if (c > 0) {
          if (record?.expectsLine === true) emit(missingAtProvider(evidenceOf(record)));
          continue;
        }
        const taken = takeGroup(rank, (line as SortItem<PackedLine>).key, record);
        const packed = taken instanceof Promise ? await taken : taken;
        if (agrees(kind, packed, record, input.fees)) {
          counts.matched += 1;
          continue;
        }
        const group = unpackGroup(packed);
        const before = { n: 0 };
        const counting = (d: DiscrepancyDraft): void => {
          before.n += 1;
          emit(d);
        };
        if (kind === 'payment') evaluatePayment(group, record, input.fees, counting);
        else if (kind === 'payout') evaluatePayout(group, record, input.fees, counting);
        else {
          const r = await evaluateRefund(group, record, input, counting);
          if (r.isErr()) return err(r.error);
        }
        if (before.n === 0) counts.matched += 1;
      }
    } finally {
      await ledger.close();
    }
  }
  // Adjustments (and any rank the ledger has no kind for): no record to match; duplicates and fees.
  for (;;) {
    const s = await statement.peek();
    if (s === undefined) break;
    const group = unpackGroup(await takeGroup(s.rank, s.key));
    const before = { n: 0 };
    evaluateAdjustment(group, (d) => {
      before.n += 1;
      emit(d);
    });
    if (before.n === 0) counts.matched += 1;
  }
  await statement.close();
  progress();
  return book.result().map((days) => ({ matched: counts.matched, lines: counts.lines, recordsWalked: counts.walked, recordsInPeriod: counts.inPeriod, days }));
}

function subjectOf(r: LedgerEvidence): { readonly kind: 'payment' | 'refund' | 'payout'; readonly id: string; readonly orderId: string } {
  return { kind: r.kind, id: r.id, orderId: r.orderId };
}

function missingAtProvider(r: LedgerEvidence): DiscrepancyDraft {
  const done = r.kind === 'payment' ? 'paid' : r.kind === 'refund' ? 'refunded' : 'paid out';
  return {
    kind: 'missing_at_provider', id: discrepancyId('missing_at_provider', r.kind, r.id), subject: subjectOf(r), ...(r.day !== undefined ? { day: r.day } : {}),
    paykit: r, repairable: false,
    message: `paykit shows ${recordName(r)} ${done} (${moneyText(r.amount)}, ${r.status}) on ${r.day ?? 'an unknown day'}; the provider's statement of the period does not list it`,
    action: 'Ask the provider (a query, its merchant site) whether it went through and on which day it settles; paykit never undoes a success on a statement\'s word',
  };
}

function duplicate(g: Group, variant: string, lines: readonly StatementLineEvidence[], count: number, record: LedgerItem | undefined, subject: DiscrepancyDraft['subject']): DiscrepancyDraft {
  const first = lines[0] as StatementLineEvidence;
  return {
    kind: 'duplicate_line', id: discrepancyId('duplicate_line', String(g.rank), g.key, variant), ...(subject ? { subject } : {}), ...(first.day !== undefined ? { day: first.day } : {}),
    statement: first, lines, count, ...(record ? { paykit: evidenceOf(record) } : {}), repairable: false,
    message: `The statement lists ${lineName(first)} ${count} times (${moneyText(first.amount)} each)`,
    action: 'Ask the provider for a corrected statement, and count the transaction once: one payment, refund or payout is one line',
  };
}

function noRecord(line: StatementLineEvidence, subject: DiscrepancyDraft['subject']): DiscrepancyDraft {
  return {
    kind: 'missing_in_paykit', id: discrepancyId('missing_in_paykit', line.kind, line.kind === 'refund' ? line.refundId ?? `order ${line.orderId}` : line.orderId),
    ...(subject ? { subject } : {}), ...(line.day !== undefined ? { day: line.day } : {}), statement: line, repairable: false,
    message: `The provider shows ${lineName(line)} (${moneyText(line.amount)})${lineWhere(line)} that paykit has no record of`,
    action: 'Find where it came from (another system, the provider\'s merchant site); paykit does not create records from an unsigned statement',
  };
}

function amountMismatch(line: StatementLineEvidence, r: LedgerEvidence, variant: string): DiscrepancyDraft {
  return {
    kind: 'amount_mismatch', id: discrepancyId('amount_mismatch', r.kind, r.id, variant), subject: subjectOf(r), ...(line.day !== undefined ? { day: line.day } : {}),
    statement: line, paykit: r, repairable: false,
    message: `The provider lists ${lineName(line)} at ${moneyText(positive(line.amount))}${lineWhere(line)}; paykit recorded ${moneyText(r.amount)}`,
    action: 'Ask the provider which amount moved; paykit never applies a provider report whose amount differs from the recorded one',
  };
}

function missingInPaykit(line: StatementLineEvidence, r: LedgerEvidence, variant: string): DiscrepancyDraft {
  const shows = line.kind === 'refund' ? 'refunded' : line.kind === 'payout' ? 'paid out' : 'paid';
  return {
    kind: 'missing_in_paykit', id: discrepancyId('missing_in_paykit', r.kind, r.id, variant), subject: subjectOf(r), ...(line.day !== undefined ? { day: line.day } : {}),
    statement: line, paykit: r, repairable: true,
    message: `The provider shows ${recordName(r)} ${shows} (${moneyText(positive(line.amount))})${lineWhere(line)}; paykit has it ${r.status}: its notification was probably lost`,
    action: `Repair it (reconcile --repair, or ${repairCall(r)}): a verified query records the provider's answer`,
  };
}

function statusMismatch(line: StatementLineEvidence, r: LedgerEvidence, reason: 'paid_after_failure' | 'refunded_at_provider' | 'refund_after_failure' | 'payout_returned', variant: string): DiscrepancyDraft {
  const message = {
    paid_after_failure: `The provider shows ${lineName(line)} ${line.kind === 'payout' ? 'paid out' : 'paid'} (${moneyText(positive(line.amount))})${lineWhere(line)}; paykit recorded it ${r.status}`,
    refunded_at_provider: `The provider shows ${lineName(line)} (${moneyText(positive(line.amount))})${lineWhere(line)}, a refund paykit did not make (made in the provider's merchant site?); paykit has the payment ${r.status}, ${moneyText(r.refunded)} refunded`,
    refund_after_failure: `The provider shows ${lineName(line)} done (${moneyText(positive(line.amount))})${lineWhere(line)}; paykit recorded it ${r.status}`,
    payout_returned: `The provider shows the money of ${recordName(r)} returned (${moneyText(line.amount)})${lineWhere(line)}; paykit has it ${r.status}`,
  }[reason];
  const action = reason === 'refunded_at_provider'
    ? `Repair it (reconcile --repair, or ${repairCall(r)}): the provider's verified answer records a refund of the whole order; a partial refund made elsewhere needs a person to record it`
    : `Repair it (reconcile --repair, or ${repairCall(r)}): the provider's verified answer is applied by the transition rules (a correction is kept in the history)`;
  return {
    kind: 'status_mismatch', id: discrepancyId('status_mismatch', r.kind, r.id, reason, variant), subject: subjectOf(r), ...(line.day !== undefined ? { day: line.day } : {}),
    reason, statement: line, paykit: r, repairable: true, message, action,
  };
}

function feeCheck(line: StatementLineEvidence, fees: FeeSchedule | undefined, variant: string, subject: DiscrepancyDraft['subject'], emit: (d: DiscrepancyDraft) => void): void {
  if (fees === undefined || line.fee === undefined) return;
  const expected = expectedFee(line.amount.amount, fees);
  if (line.fee.currency === line.amount.currency && Math.abs(Math.abs(line.fee.amount) - expected) <= (fees.tolerance ?? 0)) return;
  const expectedFeeMoney = { amount: expected, currency: line.amount.currency } as Money;
  emit({
    kind: 'fee', id: discrepancyId('fee', line.kind, line.kind === 'refund' ? line.refundId ?? line.orderId : line.orderId, variant), ...(subject ? { subject } : {}),
    ...(line.day !== undefined ? { day: line.day } : {}), statement: line, expectedFee: expectedFeeMoney, repairable: false,
    message: `The provider charged ${moneyText(positive(line.fee))} on ${lineName(line)} (${moneyText(positive(line.amount))})${lineWhere(line)}; the fee schedule gives ${moneyText(expectedFeeMoney)}`,
    action: 'Check the fee against the contract with the provider, and claim the difference or correct the fee schedule',
  });
}

function evaluatePayment(g: Group, record: LedgerItem | undefined, fees: FeeSchedule | undefined, emit: (d: DiscrepancyDraft) => void): void {
  const line = g.lines[0] as StatementLineEvidence;
  const subject = record ? subjectOf(evidenceOf(record)) : { kind: 'payment' as const, id: line.orderId, orderId: line.orderId };
  if (g.count > 1) emit(duplicate(g, 'paid', g.lines, g.count, record, subject));
  if (record === undefined) {
    feeCheck(line, fees, 'paid', subject, emit);
    emit(noRecord(line, subject));
    return;
  }
  const r = evidenceOf(record);
  // A line at another amount is the discrepancy; its fee, on an amount that is wrong, is not another.
  if (!absEq(line.amount, r.amount)) {
    emit(amountMismatch(line, r, 'paid'));
    return;
  }
  feeCheck(line, fees, 'paid', subject, emit);
  if (PAID_PAYMENT_STATUSES.includes(r.status)) return;
  emit(r.status === 'failed' || r.status === 'closed' ? statusMismatch(line, r, 'paid_after_failure', 'paid') : missingInPaykit(line, r, 'paid'));
}

function evaluatePayout(g: Group, record: LedgerItem | undefined, fees: FeeSchedule | undefined, emit: (d: DiscrepancyDraft) => void): void {
  const paid = g.lines.filter((l) => l.amount.amount >= 0);
  const returned = g.lines.filter((l) => l.amount.amount < 0);
  // Only the first lines are kept: counts of each variant among those beyond them are not known,
  // so every line past the kept ones counts as another of the first line's variant.
  const extra = g.count - g.lines.length;
  const first = g.lines[0] as StatementLineEvidence;
  const paidCount = paid.length + (first.amount.amount >= 0 ? extra : 0);
  const returnCount = returned.length + (first.amount.amount < 0 ? extra : 0);
  const orderId = first.orderId;
  const subject = record ? subjectOf(evidenceOf(record)) : { kind: 'payout' as const, id: orderId, orderId };
  if (paidCount > 1) emit(duplicate(g, 'paid', paid, paidCount, record, subject));
  if (returnCount > 1) emit(duplicate(g, 'returned', returned, returnCount, record, subject));
  const p = paid[0];
  const ret = returned[0];
  if (record === undefined) {
    if (p) feeCheck(p, fees, 'paid', subject, emit);
    if (ret) feeCheck(ret, fees, 'returned', subject, emit);
    emit(noRecord(first, subject));
    return;
  }
  const r = evidenceOf(record);
  if (p) {
    if (!absEq(p.amount, r.amount)) emit(amountMismatch(p, r, 'paid'));
    else {
      feeCheck(p, fees, 'paid', subject, emit);
      if (!PAID_PAYOUT_STATUSES.includes(r.status)) {
        emit(r.status === 'failed' || r.status === 'closed' ? statusMismatch(p, r, 'paid_after_failure', 'paid') : missingInPaykit(p, r, 'paid'));
      }
    }
  }
  if (ret) {
    if (!absEq(ret.amount, r.amount)) emit(amountMismatch(ret, r, 'returned'));
    else {
      feeCheck(ret, fees, 'returned', subject, emit);
      if (r.status !== 'returned') emit(statusMismatch(ret, r, 'payout_returned', 'returned'));
    }
  }
}

async function evaluateRefund(g: Group, record: LedgerItem | undefined, input: MatchInput, emit: (d: DiscrepancyDraft) => void): Promise<PayResult<void>> {
  const line = g.lines[0] as StatementLineEvidence;
  const refundKey = line.refundId ?? `order ${line.orderId}`;
  let subject: DiscrepancyDraft['subject'] = record ? subjectOf(evidenceOf(record)) : { kind: 'refund', id: refundKey, orderId: line.orderId };
  let payment: LedgerItem | undefined;
  if (record === undefined) {
    const found = await input.payment(line.orderId);
    if (found.isErr()) return err(found.error);
    payment = found.value;
    if (payment) subject = subjectOf(evidenceOf(payment));
  }
  if (g.count > 1) emit(duplicate(g, 'refunded', g.lines, g.count, record ?? payment, subject));
  if (record === undefined || absEq(line.amount, evidenceOf(record).amount)) feeCheck(line, input.fees, 'refunded', subject, emit);
  if (record === undefined) {
    // A refund paykit did not make: made in the provider's merchant site. The payment shows it
    // once a verified report says the whole order was refunded.
    if (payment === undefined) emit(noRecord(line, subject));
    else if (evidenceOf(payment).status !== 'refunded') emit(statusMismatch(line, evidenceOf(payment), 'refunded_at_provider', refundKey));
    return ok(undefined);
  }
  const r = evidenceOf(record);
  if (!absEq(line.amount, r.amount)) emit(amountMismatch(line, r, 'refunded'));
  else if (r.status === 'failed') emit(statusMismatch(line, r, 'refund_after_failure', 'refunded'));
  else if (r.status !== 'succeeded') emit(missingInPaykit(line, r, 'refunded'));
  return ok(undefined);
}

function evaluateAdjustment(g: Group, emit: (d: DiscrepancyDraft) => void): void {
  const line = g.lines[0] as StatementLineEvidence;
  if (g.count > 1) emit(duplicate(g, 'adjustment', g.lines, g.count, undefined, undefined));
  // A fee on a movement of the merchant's own balance (a withdrawal) is the movement's, totalled
  // with it; only a charge on its own (a line that moves nothing but a fee) needs explaining.
  if (line.fee === undefined || line.fee.amount === 0 || line.amount.amount !== 0) return;
  emit({
    kind: 'fee', id: discrepancyId('fee', 'adjustment', line.orderId), ...(line.day !== undefined ? { day: line.day } : {}), statement: line, repairable: false,
    message: `The provider charged a fee of ${moneyText(positive(line.fee))} (${line.orderId})${lineWhere(line)} tied to no payment, refund or payout`,
    action: 'Check the charge against the contract with the provider; claim it back if nothing explains it',
  });
}

/** Zero counts of every discrepancy kind. */
export function emptyKindCounts(): { [K in DiscrepancyKind]: number } {
  return Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as { [K in DiscrepancyKind]: number };
}
