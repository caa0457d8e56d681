// paykit's side of a reconciliation: the instance's payments, refunds and payouts, walked page by
// page in id order (Store.listPage), each with the day paykit places it in and whether the
// provider's statement of the period must show it.
import { err, ok } from 'neverthrow';
import type { PayResult } from '../errors/result.js';
import type { StoredPayment, StoredPayout, StoredRefund } from '../facade/stored.js';
import type { IdentifiedRecord, Store } from '../ports/store.js';
import { cstDay, dashedCache, type CheckedPeriod } from './period.js';
import type { LedgerEvidence } from './types.js';

/** One record of the ledger, as reconciliation reads it. */
export interface LedgerItem {
  /** What statement lines are matched on: the order number, refund number or provider order number. */
  readonly key: string;
  /** The record as evidence. */
  readonly evidence: LedgerEvidence;
  /** Whether its day is in the period. */
  readonly inPeriod: boolean;
  /** Whether the statement must show it: in the period and a success (paid, refunded, paid out). */
  readonly expectsLine: boolean;
}

/** Payment statuses that mean the money came in. */
export const PAID_PAYMENT_STATUSES: readonly string[] = ['succeeded', 'partially_refunded', 'refunded'];
/** Payout statuses that mean the money went out (a return comes after the payment). */
export const PAID_PAYOUT_STATUSES: readonly string[] = ['succeeded', 'returned'];

/** The ledger kinds reconciliation matches, in the order it walks them. */
export type LedgerKind = 'payment' | 'refund' | 'payout';

const inRange = (day: string | undefined, p: CheckedPeriod): boolean => day !== undefined && day >= p.from && day <= p.to;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const settleDay = dashedCache();

// Built field by field, without spreads: these run for every record of ledgers of millions.

/** A payment record as a ledger item (undefined when it belongs to another instance). */
export function paymentItem(r: IdentifiedRecord<StoredPayment>, p: CheckedPeriod): LedgerItem | undefined {
  const v = r.value;
  if (v.instanceId !== p.instance) return undefined;
  const day = settleDay(v.settleDate) ?? cstDay(v.paidAt) ?? cstDay(v.createdAt);
  const inPeriod = inRange(day, p);
  const evidence: Mutable<LedgerEvidence> = { kind: 'payment', id: r.id, orderId: v.orderId, instanceId: v.instanceId, status: v.status, amount: v.amount, refunded: v.refunded, version: r.version };
  if (v.providerPaymentId !== undefined) evidence.providerReference = v.providerPaymentId;
  if (day !== undefined) evidence.day = day;
  return { key: r.id, evidence, inPeriod, expectsLine: inPeriod && PAID_PAYMENT_STATUSES.includes(v.status) };
}

/** A refund record as a ledger item (undefined when it belongs to another instance). */
export function refundItem(r: IdentifiedRecord<StoredRefund>, p: CheckedPeriod): LedgerItem | undefined {
  const v = r.value;
  if (v.instanceId !== p.instance) return undefined;
  const day = cstDay(v.requestedAt);
  const inPeriod = inRange(day, p);
  const evidence: Mutable<LedgerEvidence> = { kind: 'refund', id: r.id, orderId: v.orderId, instanceId: v.instanceId, status: v.status, amount: v.amount, version: r.version };
  if (v.providerRefundId !== undefined) evidence.providerReference = v.providerRefundId;
  if (day !== undefined) evidence.day = day;
  return { key: r.id, evidence, inPeriod, expectsLine: inPeriod && v.status === 'succeeded' };
}

/** A payout record as a ledger item, keyed by its provider order number (undefined for another instance). */
export function payoutItem(r: IdentifiedRecord<StoredPayout>, p: CheckedPeriod): LedgerItem | undefined {
  const v = r.value;
  if (v.instanceId !== p.instance) return undefined;
  const day = settleDay(v.settleDate) ?? cstDay(v.request?.createdAt);
  const inPeriod = inRange(day, p);
  const evidence: Mutable<LedgerEvidence> = { kind: 'payout', id: r.id, orderId: v.providerOrderId, instanceId: v.instanceId, status: v.status, amount: v.amount, version: r.version };
  if (v.providerPayoutId !== undefined) evidence.providerReference = v.providerPayoutId;
  if (day !== undefined) evidence.day = day;
  return { key: v.providerOrderId, evidence, inPeriod, expectsLine: inPeriod && PAID_PAYOUT_STATUSES.includes(v.status) };
}

/** Options of {@link walkLedger}. */
export interface WalkOptions {
  /** Records per page (default 2 000). */
  readonly pageSize?: number;
  /** Told after each page how many records were walked. */
  readonly onPage?: (walked: number) => void;
}

/**
 * Walks one kind of record of the store in id order, a page at a time (the next page is asked for
 * while this one is matched, and the store may read it ahead), as ledger items of the period's
 * instance. Memory holds a few pages.
 */
export async function* walkLedger<T>(
  store: Store, kind: LedgerKind, toItem: (r: IdentifiedRecord<T>) => LedgerItem | undefined, options: WalkOptions = {},
): AsyncGenerator<PayResult<LedgerItem[]>> {
  const limit = options.pageSize ?? 2000;
  let walked = 0;
  let next = store.listPage<T>(kind, { limit, readAhead: true });
  for (;;) {
    const page = await next;
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    const rows = page.value;
    const last = rows.at(-1);
    const full = rows.length >= limit && last !== undefined;
    if (full) next = store.listPage<T>(kind, { after: last.id, limit, readAhead: true });
    const items: LedgerItem[] = [];
    for (const r of rows) {
      const item = toItem(r);
      if (item !== undefined) items.push(item);
    }
    walked += rows.length;
    options.onPage?.(walked);
    yield ok(items);
    if (!full) return;
  }
}
