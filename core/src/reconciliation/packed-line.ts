// A statement line as the sorter and matcher carry it.
import type { StatementEntry } from '../domain/statement.js';
import { cstDay, dashedCache } from './period.js';
import type { StatementLineEvidence } from './types.js';

const dayOfSettle = dashedCache();

/**
 * A statement line as the sorter and matcher carry it: a compact array (a third of an object's
 * bytes in the sort files, and no nested objects to allocate for the millions of lines that
 * agree). {@link unpackLine} makes the evidence object of the few that do not.
 */
export type PackedLine = readonly [
  kind: StatementLineEvidence['kind'], orderId: string, amount: number, currency: string, refundId: string | null,
  providerTransactionId: string | null, fee: number | null, feeCurrency: string | null, day: string | null,
  occurredAt: string | null, providerStatus: string | null, source: string | null, line: number | null, currencyStated: boolean,
];

/** A statement entry packed for the sorter, with the day it belongs to. */
export function packEntry(e: StatementEntry): PackedLine {
  const day = dayOfSettle(e.settleDate) ?? cstDay(e.occurredAt) ?? null;
  const occurred = e.occurredAt instanceof Date && !Number.isNaN(e.occurredAt.getTime()) ? e.occurredAt.toISOString() : null;
  return [e.kind, e.orderId, e.amount.amount, e.amount.currency, e.refundId ?? null, e.providerTransactionId ?? null, e.fee?.amount ?? null,
    e.fee?.currency ?? null, day, occurred, e.providerStatus ?? null, e.source ?? null, e.line ?? null, e.currencyStated !== false];
}

/** The evidence of a packed line. */
export function unpackLine(a: PackedLine): StatementLineEvidence {
  const out: { -readonly [K in keyof StatementLineEvidence]: StatementLineEvidence[K] } = {
    kind: a[0], orderId: a[1], amount: { amount: a[2], currency: a[3] as StatementLineEvidence['amount']['currency'] },
  };
  if (a[4] !== null) out.refundId = a[4];
  if (a[5] !== null) out.providerTransactionId = a[5];
  if (a[6] !== null) out.fee = { amount: a[6], currency: (a[7] ?? a[3]) as StatementLineEvidence['amount']['currency'] };
  if (a[8] !== null) out.day = a[8];
  if (a[9] !== null) out.occurredAt = a[9];
  if (a[10] !== null) out.providerStatus = a[10];
  if (a[11] !== null) out.source = a[11];
  if (a[12] !== null) out.line = a[12];
  return out;
}


/**
 * A line whose statement states no currency, in the currency of the record it matched (its fee
 * too): the line as it would have read had the statement said it.
 */
export function inCurrencyOf(line: PackedLine, currency: string): PackedLine {
  if (line[13] || line[3] === currency) return line;
  return [line[0], line[1], line[2], currency, line[4], line[5], line[6], line[6] === null ? null : currency, line[8], line[9], line[10], line[11], line[12], line[13]];
}
