import * as t from 'io-ts';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import type { PaymentStatus } from '../domain/payment.js';
import type { PayoutStatus } from '../domain/payout.js';
import type { RefundStatus } from '../domain/refund.js';
import type { PaymentError, PaymentErrorKind, StandardCode } from '../errors/payment-error.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { Money } from '../money/money.js';
import type { PaymentOps } from './payments.js';
import type { PayoutOps } from './payouts.js';
import type { RefundOps } from './refunds.js';
import type { StoredPayment, StoredPayout, StoredRefund } from './stored.js';

/** Which records a scan looks at. */
export type PendingKind = 'payments' | 'refunds' | 'payouts';

/** Every {@link PendingKind}, in the order a scan reports them when they are equally old. */
export const PENDING_KINDS: readonly PendingKind[] = ['payments', 'refunds', 'payouts'];

/** The facade operation a scan settles a record with. */
export type SettleOperation = 'payments.query' | 'refunds.query' | 'payouts.resolve' | 'payouts.query';

/** Payment statuses whose outcome is not known yet: the payer or the provider has not finished. */
export const PENDING_PAYMENT_STATUSES: readonly PaymentStatus[] = ['created', 'pending', 'processing'];
/** Refund statuses still waiting for the provider. */
export const PENDING_REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'processing'];
/** Payout statuses of unknown outcome: settled by query, resent with the same order number only when the provider has no record. */
export const UNKNOWN_PAYOUT_STATUSES: readonly PayoutStatus[] = ['created', 'unknown'];
/**
 * Payout statuses the provider is still working on: settled by query, never resent. A payout
 * `held_for_review` waits for the merchant's confirm, not for the provider, so a scan leaves it.
 */
export const IN_FLIGHT_PAYOUT_STATUSES: readonly PayoutStatus[] = ['accepted', 'processing'];

/** Options of `paykit.resolvePending`. */
export interface ResolvePendingOptions {
  /** Only records older than this many milliseconds (by the injected clock); default 10 minutes. */
  readonly olderThan?: number;
  /** Which kinds of record to scan; default all of {@link PENDING_KINDS}. */
  readonly kinds?: readonly PendingKind[];
  /** Check at most this many records, oldest first; default no limit. */
  readonly limit?: number;
  /** Provider calls in flight at once; default 4. */
  readonly concurrency?: number;
  /**
   * Closes a payment its provider has no record of (a `NotFound` from the provider) once it is at
   * least this many milliseconds old: the payer never reached the provider's cashier. Off by
   * default: such a payment is then reported `failed` on every scan. A success that arrives later
   * still applies (`closed → succeeded`), so closing loses nothing; pick an age past the longest
   * time a payer may take to open the cashier (LianLian's `valid_order`, for one).
   */
  readonly closeNotFoundAfter?: number;
}

/** The default age below which a record is left alone: its own call may still be in flight. */
export const DEFAULT_OLDER_THAN_MS = 10 * 60 * 1000;
/** The default number of records settled at once. */
export const DEFAULT_PENDING_CONCURRENCY = 4;

/** What happened to one record. */
export type PendingOutcome =
  /** The provider's answer gave the record a final status. */
  | 'settled'
  /** The provider answered (or the outcome is still unknown): the record is not final yet. */
  | 'still_pending'
  /** Settling it failed with an error; the record is as the error left it. */
  | 'failed'
  /** Its instance cannot do the operation (`Unsupported`): nothing was asked. */
  | 'skipped';

/** One record a scan checked. */
export interface PendingEntry {
  /** Payment, refund or payout. */
  readonly kind: PendingKind;
  /** The merchant's order number, refund number or payout id. */
  readonly id: string;
  /** The instance that serves it. */
  readonly instanceId: string;
  /** The operation the scan called. */
  readonly operation: SettleOperation;
  /** Status when the scan found it. */
  readonly before: string;
  /** Status after the operation, when it returned one. */
  readonly after?: string;
  /** What happened. */
  readonly outcome: PendingOutcome;
  /** The typed error, when the operation returned one. */
  readonly error?: { readonly kind: PaymentErrorKind; readonly code: StandardCode; readonly message: string };
}

/** Counts of a scan. */
export interface PendingTotals {
  /** Records checked (every entry). */
  readonly checked: number;
  /** Entries now final. */
  readonly settled: number;
  /** Entries still not final (including an outcome that stayed unknown). */
  readonly stillPending: number;
  /** Entries whose operation failed. */
  readonly failed: number;
  /** Entries whose instance cannot do the operation. */
  readonly skipped: number;
  /** Eligible records left unchecked because of `limit`. */
  readonly remaining: number;
}

/** What `paykit.resolvePending` did, record by record, oldest first. */
export interface PendingReport {
  /** One entry per checked record. */
  readonly entries: readonly PendingEntry[];
  /** Counts. */
  readonly totals: PendingTotals;
}

/** What a scan needs from paykit: the store, the clock and the facade operations that settle records. */
export interface PendingResolverContext {
  /** The store scanned. */
  readonly store: Store;
  /** Where "now" comes from. */
  readonly clock: Clock;
  /** Payment queries, and applying a close. */
  readonly payments: Pick<PaymentOps, 'query' | 'apply'>;
  /** Refund queries. */
  readonly refunds: Pick<RefundOps, 'query'>;
  /** Payout resolution and queries. */
  readonly payouts: Pick<PayoutOps, 'resolve' | 'query'>;
}

const WholeMs = (name: string, min: number) => new t.Type<number, number, unknown>(
  name,
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= min ? t.success(u) : t.failure(u, c, `expected a whole number ≥ ${min}`)),
  t.identity,
);

const OptionsCodec = t.partial({
  olderThan: WholeMs('milliseconds', 0),
  kinds: t.array(t.keyof({ payments: null, refunds: null, payouts: null })),
  limit: WholeMs('count', 1),
  concurrency: WholeMs('count', 1),
  closeNotFoundAfter: WholeMs('milliseconds', 0),
});

/** A record found by the scan, with the operation that settles it and its age reference. */
interface Candidate {
  readonly kind: PendingKind;
  readonly id: string;
  readonly instanceId: string;
  readonly status: string;
  readonly operation: SettleOperation;
  /** Milliseconds since the epoch, or undefined when the record carries no usable time. */
  readonly since: number | undefined;
  /** A payment's amount (a close is reported with it). */
  readonly amount?: Money;
}

/** Epoch milliseconds of a stored time (a Date, or its JSON string from a store that lost the type). */
function epochOf(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

function listCandidates(ctx: PendingResolverContext, kind: PendingKind): PayResultAsync<readonly Candidate[]> {
  const { store } = ctx;
  switch (kind) {
    case 'payments':
      return store.list<StoredPayment>('payment', { statuses: PENDING_PAYMENT_STATUSES }).map((rs) => rs.map(({ value: p }) => ({
        kind, id: p.orderId, instanceId: p.instanceId, status: p.status, operation: 'payments.query' as const, since: epochOf(p.createdAt), amount: p.amount,
      })));
    case 'refunds':
      return store.list<StoredRefund>('refund', { statuses: PENDING_REFUND_STATUSES }).map((rs) => rs.map(({ value: r }) => ({
        kind, id: r.refundId, instanceId: r.instanceId, status: r.status, operation: 'refunds.query' as const, since: epochOf(r.requestedAt),
      })));
    case 'payouts':
      return store.list<StoredPayout>('payout', { statuses: [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES] }).map((rs) => rs.map(({ value: p }) => ({
        kind, id: p.payoutId, instanceId: p.instanceId, status: p.status,
        operation: (UNKNOWN_PAYOUT_STATUSES as readonly string[]).includes(p.status) ? 'payouts.resolve' as const : 'payouts.query' as const,
        since: epochOf(p.request?.createdAt),
      })));
  }
}

/** Whether a status, reported after the operation, is one the scan would still pick up (or a payout on hold). */
function stillOpen(kind: PendingKind, status: string): boolean {
  const open: readonly string[] = kind === 'payments' ? PENDING_PAYMENT_STATUSES
    : kind === 'refunds' ? PENDING_REFUND_STATUSES
      : [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES, 'held_for_review'];
  return open.includes(status);
}

function settleOne(ctx: PendingResolverContext, c: Candidate): PayResultAsync<{ readonly status: string }> {
  switch (c.operation) {
    case 'payments.query': return ctx.payments.query(c.id);
    case 'refunds.query': return ctx.refunds.query(c.id);
    case 'payouts.resolve': return ctx.payouts.resolve(c.id);
    case 'payouts.query': return ctx.payouts.query(c.id);
  }
}

/**
 * Whether a failed payment query says the provider has no record of a payment old enough to close
 * (`closeBefore`: epoch ms, undefined when closing is off).
 */
function closable(c: Candidate, e: PaymentError, closeBefore: number | undefined): boolean {
  return closeBefore !== undefined && c.kind === 'payments' && c.amount !== undefined && c.since !== undefined && c.since <= closeBefore
    && e.kind === 'NotFound' && e.providerId !== undefined;
}

/** Settles one record; never fails: an error becomes the entry's outcome. */
async function entryFor(ctx: PendingResolverContext, c: Candidate, closeBefore: number | undefined): Promise<PendingEntry> {
  const base = { kind: c.kind, id: c.id, instanceId: c.instanceId, operation: c.operation, before: c.status };
  const result = await guardAsync(c.operation, () => settleOne(ctx, c));
  if (result.isOk()) {
    const after = result.value.status;
    return { ...base, after, outcome: stillOpen(c.kind, after) ? 'still_pending' : 'settled' };
  }
  const e: PaymentError = result.error;
  if (closable(c, e, closeBefore)) {
    // The provider has no record of it and it is old enough: the payer never got there. Closed by
    // the transition table like any report, so a record that moved meanwhile is left as it is.
    const closed = await guardAsync('payments.apply', () => ctx.payments.apply({ orderId: c.id, status: 'closed', amount: c.amount as Money }));
    if (closed.isOk()) return { ...base, after: closed.value.status, outcome: stillOpen(c.kind, closed.value.status) ? 'still_pending' : 'settled' };
    return { ...base, outcome: 'failed', error: { kind: closed.error.kind, code: closed.error.code, message: closed.error.message } };
  }
  // Unsupported: the instance (or its provider) has no such operation, so there is nothing to ask.
  // OutcomeUnknown: the record stays as it is and the next scan asks again.
  const outcome: PendingOutcome = e.kind === 'Unsupported' ? 'skipped' : e.kind === 'OutcomeUnknown' ? 'still_pending' : 'failed';
  return { ...base, outcome, error: { kind: e.kind, code: e.code, message: e.message } };
}

/** Runs `work` over `items` with at most `concurrency` at once; results keep the items' order. */
async function mapPool<A, B>(items: readonly A[], concurrency: number, work: (item: A) => Promise<B>): Promise<B[]> {
  const out: B[] = new Array<B>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await work(items[i] as A);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

function totalsOf(entries: readonly PendingEntry[], remaining: number): PendingTotals {
  const count = (o: PendingOutcome) => entries.filter((e) => e.outcome === o).length;
  return { checked: entries.length, settled: count('settled'), stillPending: count('still_pending'), failed: count('failed'), skipped: count('skipped'), remaining };
}

/**
 * Scans the store for payments, refunds and payouts whose outcome is unknown or stale and settles
 * each through the facade operation that owns it, so every transition follows the domain tables and
 * a success is never undone: `payments.query`, `refunds.query`, `payouts.resolve` for a payout of
 * unknown outcome (resent with the same order number only when the provider has no record of it),
 * `payouts.query` for one in flight. A record younger than `olderThan` is left alone (its own call
 * may still be running). One record's error never stops the others: it is reported in its entry.
 * Fails as a whole only on invalid options or a store that cannot be listed.
 *
 * @example
 * ```ts
 * const report = await resolvePending(paykit, { olderThan: 15 * 60_000, kinds: ['payouts'] });
 * if (report.isOk() && report.value.totals.failed > 0) alert(report.value.entries);
 * ```
 */
export function resolvePending(ctx: PendingResolverContext, options: ResolvePendingOptions = {}): PayResultAsync<PendingReport> {
  return guardAsync('resolvePending', () => {
    const valid = decodeWith(OptionsCodec, options ?? {}, 'resolvePending.options');
    if (valid.isErr()) return errAsync(valid.error);
    const o = valid.value;
    const olderThan = o.olderThan ?? DEFAULT_OLDER_THAN_MS;
    const kinds = PENDING_KINDS.filter((k) => (o.kinds ?? PENDING_KINDS).includes(k));
    const cutoff = ctx.clock.now().getTime() - olderThan;
    return ResultAsync.combine(kinds.map((k) => listCandidates(ctx, k))).andThen((lists) => {
      // A record without a usable time is checked: better one query too many than a record never settled.
      const due = lists.flat().filter((c) => c.since === undefined || c.since <= cutoff);
      const ordered = [...due].sort((a, b) => (a.since ?? 0) - (b.since ?? 0));
      const picked = o.limit === undefined ? ordered : ordered.slice(0, o.limit);
      const closeBefore = o.closeNotFoundAfter === undefined ? undefined : ctx.clock.now().getTime() - o.closeNotFoundAfter;
      const run = mapPool(picked, o.concurrency ?? DEFAULT_PENDING_CONCURRENCY, (c) => entryFor(ctx, c, closeBefore));
      return ResultAsync.fromSafePromise(run).andThen((entries) => okAsync({ entries, totals: totalsOf(entries, ordered.length - picked.length) }));
    });
  });
}
