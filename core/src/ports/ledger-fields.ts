// What reconciliation reads of a payment, refund or payout record: a few fields of its value, in a
// fixed order. A store may keep them beside the record (the SQL store computes them in the
// database on every write) and give them by `Store.listLedgerPage`, so that a walk of a million
// records does not read and parse a million whole values; `ledgerFieldsOf` is what they must equal.

/** The record kinds reconciliation matches with statement lines. */
export type LedgerKind = 'payment' | 'refund' | 'payout';

/**
 * The fields of a record reconciliation compares, in this order. A field the record lacks is
 * `null`; a time is the ISO 8601 text of a `Date` (anything else in its place is `null`). By kind:
 *
 * | field | payment | refund | payout |
 * | --- | --- | --- | --- |
 * | `at` | `paidAt` | `requestedAt` | `request.createdAt` |
 * | `createdAt` | `createdAt` | null | null |
 * | `orderId` | `orderId` | `orderId` (its payment's) | `providerOrderId` |
 * | `reference` | `providerPaymentId` | `providerRefundId` | `providerPayoutId` |
 * | `refunded`, `refundedCurrency` | `refunded` | null | null |
 * | `settleDate` | `settleDate` | null | `settleDate` |
 */
export type LedgerFields = readonly [
  instanceId: unknown, status: unknown, amount: unknown, currency: unknown, refunded: unknown, refundedCurrency: unknown,
  settleDate: unknown, at: unknown, createdAt: unknown, orderId: unknown, reference: unknown,
];

/** How many {@link LedgerFields} a record has. */
export const LEDGER_FIELD_COUNT = 11;

/** A record's {@link LedgerFields} with its id and version, as `Store.listLedgerPage` gives them. */
export interface LedgerRow {
  /** The record's id. */
  readonly id: string;
  /** Its version. */
  readonly version: number;
  /** What {@link ledgerFieldsOf} gives for its value. */
  readonly fields: LedgerFields;
}

const field = (v: unknown): unknown => (v === undefined ? null : v);
const time = (v: unknown): unknown => (v instanceof Date ? (Number.isNaN(v.getTime()) ? null : v.toISOString()) : null);
const prop = (v: unknown, key: string): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined);

/**
 * The {@link LedgerFields} of a record's value (dates as `Date`s, as stores give them back). Never
 * throws: a value of another shape gives `null` for what it lacks.
 */
export function ledgerFieldsOf(kind: LedgerKind, value: unknown): LedgerFields {
  const amount = prop(value, 'amount');
  const payment = kind === 'payment';
  const refunded = payment ? prop(value, 'refunded') : undefined;
  return [
    field(prop(value, 'instanceId')), field(prop(value, 'status')), field(prop(amount, 'amount')), field(prop(amount, 'currency')),
    field(prop(refunded, 'amount')), field(prop(refunded, 'currency')),
    kind === 'refund' ? null : field(prop(value, 'settleDate')),
    time(payment ? prop(value, 'paidAt') : kind === 'refund' ? prop(value, 'requestedAt') : prop(prop(value, 'request'), 'createdAt')),
    payment ? time(prop(value, 'createdAt')) : null,
    field(prop(value, kind === 'payout' ? 'providerOrderId' : 'orderId')),
    field(prop(value, payment ? 'providerPaymentId' : kind === 'refund' ? 'providerRefundId' : 'providerPayoutId')),
  ];
}

/** Records read whole (`Store.listPage`) as {@link LedgerRow}s: what a store without ledger fields of its own gives. */
export function ledgerRowsOf(kind: LedgerKind, records: readonly { readonly id: string; readonly version: number; readonly value: unknown }[]): LedgerRow[] {
  return records.map((r) => ({ id: r.id, version: r.version, fields: ledgerFieldsOf(kind, r.value) }));
}
