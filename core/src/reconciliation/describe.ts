// The sentences of a discrepancy: what is wrong and what to do, and its stable id.
import { createHash } from 'node:crypto';
import { formatDecimal, type Money } from '../money/money.js';
import type { Discrepancy, DiscrepancyKind, LedgerEvidence, StatementLineEvidence } from './types.js';

/** A discrepancy as the matcher finds it, before the run gives it a state. */
export type DiscrepancyDraft = Discrepancy extends infer D ? D extends Discrepancy ? Omit<D, 'state' | 'change' | 'firstSeenRun' | 'repair' | 'resolution'> : never : never;

/** Money as text: `49.65 CNY`. */
export function moneyText(m: Money | undefined): string {
  if (m === undefined) return 'no amount';
  return `${formatDecimal(m).unwrapOr(`${m.amount} minor units of`)} ${m.currency}`;
}

/**
 * The stable id of a discrepancy: the same kind on the same thing gets the same id in every run.
 * 16 hex characters, never all digits: an id that read like a card number would be masked in the
 * JSON and CSV outputs (about one in 1,850), and `reconcile resolve --id` could not be given it.
 */
export function discrepancyId(kind: DiscrepancyKind, ...parts: readonly string[]): string {
  const id = createHash('sha256').update([kind, ...parts].join('\u0000')).digest('hex').slice(0, 16);
  return /^\d+$/.test(id) ? `f${id.slice(1)}` : id;
}

const WHAT = { payment: 'payment', refund: 'refund', payout: 'payout', adjustment: 'adjustment' } as const;

/** `payment A1001`, `refund R1 of order A1001`, `payout P1`. */
export function lineName(l: StatementLineEvidence): string {
  if (l.kind === 'refund') return `refund ${l.refundId ?? '(no refund number)'} of order ${l.orderId}`;
  return `${WHAT[l.kind]} ${l.orderId}`;
}

/** `payment A1001`, `refund R1 of order A1001`, `payout P1 (order O1)`. */
export function recordName(r: LedgerEvidence): string {
  if (r.kind === 'refund') return `refund ${r.id} of order ${r.orderId}`;
  if (r.kind === 'payout') return r.id === r.orderId ? `payout ${r.id}` : `payout ${r.id} (provider order ${r.orderId})`;
  return `payment ${r.id}`;
}

/** Where a line is, for messages: ` (line 12 of JYMX_….txt)`. */
export function lineWhere(l: StatementLineEvidence): string {
  if (l.line !== undefined && l.source !== undefined) return ` (line ${l.line} of ${l.source})`;
  return l.source !== undefined ? ` (${l.source})` : '';
}

/** The facade call that repairs a record by a verified query. */
export function repairCall(r: { readonly kind: 'payment' | 'refund' | 'payout'; readonly id: string }): string {
  const op = r.kind === 'payment' ? 'payments.query' : r.kind === 'refund' ? 'refunds.query' : 'payouts.query';
  return `paykit.${op}("${r.id}")`;
}
