// paykit's side of a reconciliation: the instance's payments, refunds and payouts, walked page by
// page in id order (Store.listLedgerPage: each record's ledger fields, not its whole value), each
// with the day paykit places it in and whether the provider's statement of the period must show it.
import { err, ok } from 'neverthrow';
import type { Money } from '../money/money.js';
import type { PayResult, PayResultAsync } from '../errors/result.js';
import type { StoredPayment } from '../facade/stored.js';
import { ledgerFieldsOf, ledgerRowsOf, type LedgerFields, type LedgerKind, type LedgerRow } from '../ports/ledger-fields.js';
import type { IdentifiedRecord, Store } from '../ports/store.js';
import { cstDay, dashedCache, type CheckedPeriod } from './period.js';
import type { LedgerEvidence } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One record of the ledger, as reconciliation reads it: plain JSON (payouts are sorted on disk).
 * Its evidence is made by {@link evidenceOf} only for the few that differ from their line.
 */
export interface LedgerItem {
  /** What statement lines are matched on: the order number, refund number or provider order number. */
  readonly key: string;
  /** Record kind. */
  readonly kind: LedgerKind;
  /** Record id. */
  readonly id: string;
  /** Its version when read. */
  readonly version: number;
  /** What reconciliation compares of it. */
  readonly fields: LedgerFields;
  /** The day paykit places it in, when it has one. */
  readonly day: string | null;
  /** Whether its day is in the period. */
  readonly inPeriod: boolean;
  /** Whether the statement must show it: in the period and a success (paid, refunded, paid out). */
  readonly expectsLine: boolean;
}

/** Its status. */
export const statusOfItem = (i: LedgerItem): string => i.fields[1] as string;
/** Its amount, in minor units. */
export const amountOfItem = (i: LedgerItem): number => i.fields[2] as number;
/** Its currency (null in a value of another shape). */
export const currencyOfItem = (i: LedgerItem): string | null => (typeof i.fields[3] === 'string' ? i.fields[3] : null);

/** A ledger item as evidence. */
export function evidenceOf(i: LedgerItem): LedgerEvidence {
  const f = i.fields;
  const evidence: Mutable<LedgerEvidence> = {
    kind: i.kind, id: i.id, orderId: f[9] as string, instanceId: f[0] as string, status: f[1] as string, amount: { amount: f[2], currency: f[3] } as Money, version: i.version,
  };
  if (i.kind === 'payment' && f[4] !== null) evidence.refunded = { amount: f[4], currency: f[5] } as Money;
  if (typeof f[10] === 'string') evidence.providerReference = f[10];
  if (i.day !== null) evidence.day = i.day;
  return evidence;
}

/** Payment statuses that mean the money came in. */
export const PAID_PAYMENT_STATUSES: readonly string[] = ['succeeded', 'partially_refunded', 'refunded'];
/** Payout statuses that mean the money went out (a return comes after the payment). */
export const PAID_PAYOUT_STATUSES: readonly string[] = ['succeeded', 'returned'];

const inRange = (day: string | undefined, p: CheckedPeriod): boolean => day !== undefined && day >= p.from && day <= p.to;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A record as a ledger item, from its {@link LedgerFields} (undefined when it belongs to another
 * instance). Built field by field, without spreads: this runs for every record of ledgers of
 * millions. Its day: the settlement day, else (payments) when it was paid, else when it was
 * created; a refund's, when it was requested; a payout's, its settlement day, else when it was
 * requested.
 */
export function ledgerItem(kind: LedgerKind, id: string, version: number, f: LedgerFields, p: CheckedPeriod, settleDay: (d: string | undefined) => string | undefined): LedgerItem | undefined {
  if (f[0] !== p.instance) return undefined;
  const status = f[1] as string;
  const day = settleDay(text(f[6])) ?? cstDay(text(f[7])) ?? cstDay(text(f[8]));
  const inPeriod = inRange(day, p);
  const paid = kind === 'payment' ? PAID_PAYMENT_STATUSES.includes(status) : kind === 'refund' ? status === 'succeeded' : PAID_PAYOUT_STATUSES.includes(status);
  return { key: kind === 'payout' ? f[9] as string : id, kind, id, version, fields: f, day: day ?? null, inPeriod, expectsLine: inPeriod && paid };
}

/** A payment record as a ledger item (undefined when it belongs to another instance). */
export function paymentItem(r: IdentifiedRecord<StoredPayment>, p: CheckedPeriod): LedgerItem | undefined {
  return ledgerItem('payment', r.id, r.version, ledgerFieldsOf('payment', r.value), p, dashedCache());
}

/** Ledger items made at a time by {@link walkLedger}. */
const ITEMS_AT_ONCE = 256;

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
 * instance. Memory holds a few pages. A store with `listLedgerPage` gives each record's
 * {@link LedgerFields} only; another's records are read whole and their fields taken here.
 */
export async function* walkLedger(store: Store, kind: LedgerKind, p: CheckedPeriod, options: WalkOptions = {}): AsyncGenerator<PayResult<LedgerItem[]>> {
  const limit = options.pageSize ?? 2000;
  const settleDay = dashedCache();
  const pageAfter = (after: string | undefined): PayResultAsync<readonly LedgerRow[]> => {
    const query = { limit, readAhead: true, ...(after !== undefined ? { after } : {}) };
    if (typeof store.listLedgerPage === 'function') return store.listLedgerPage(kind, query);
    // A store of its own without it (paykit's stores have it).
    return store.listPage(kind, query).map((rows) => ledgerRowsOf(kind, rows));
  };
  let walked = 0;
  let next = pageAfter(undefined);
  for (;;) {
    const page = await next;
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    const rows = page.value;
    const last = rows.at(-1);
    const full = rows.length >= limit && last !== undefined;
    if (full) next = pageAfter(last.id);
    // Made a few at a time, as they are used: they then die young (see ExternalSorter.sorted).
    for (let from = 0; from < rows.length; from += ITEMS_AT_ONCE) {
      const to = Math.min(rows.length, from + ITEMS_AT_ONCE);
      const items: LedgerItem[] = [];
      for (let i = from; i < to; i += 1) {
        const r = rows[i] as LedgerRow;
        const item = ledgerItem(kind, r.id, r.version, r.fields, p, settleDay);
        if (item !== undefined) items.push(item);
      }
      walked += to - from;
      if (to === rows.length) options.onPage?.(walked);
      yield ok(items);
    }
    if (!full) return;
  }
}
