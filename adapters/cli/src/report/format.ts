// What the reconciliation reports (text, CSV, HTML) share: amounts written from minor units with
// core's decimal formatter (never floating point), card numbers masked in any text shown.
import { formatDecimal, maskCardNumbersIn, type Discrepancy, type Money } from '@paykit/core';

/** `49.65` for 4965 minor units of CNY; the minor units as they are when the currency is unknown. */
export function amountText(minor: number, currency: string): string {
  return formatDecimal({ amount: minor, currency } as Money).unwrapOr(String(minor));
}

/** `49.65 CNY`, or `-` when there is no amount. */
export function moneyCell(m: Money | undefined): string {
  return m === undefined ? '-' : `${amountText(m.amount, m.currency)} ${m.currency}`;
}

/** Text safe to show: card numbers masked. */
export function safeText(text: string | undefined): string {
  return text === undefined ? '' : maskCardNumbersIn(text);
}

/** The order number (or record id) a discrepancy is about, for tables and search. */
export function orderOf(d: Discrepancy): string {
  if (d.subject !== undefined) return d.subject.id;
  if ('statement' in d && d.statement !== undefined) return d.statement.refundId ?? d.statement.orderId;
  if (d.kind === 'summary_mismatch') return d.source;
  if (d.kind === 'unreadable_line') return d.path;
  return '';
}

/** Every reference a search by order number should find a discrepancy under. */
export function referencesOf(d: Discrepancy): string[] {
  const out = new Set<string>();
  if (d.subject !== undefined) {
    out.add(d.subject.id);
    out.add(d.subject.orderId);
  }
  if ('statement' in d && d.statement !== undefined) {
    out.add(d.statement.orderId);
    if (d.statement.refundId !== undefined) out.add(d.statement.refundId);
    if (d.statement.providerTransactionId !== undefined) out.add(d.statement.providerTransactionId);
  }
  if ('paykit' in d && d.paykit !== undefined) {
    out.add(d.paykit.id);
    out.add(d.paykit.orderId);
  }
  return [...out].filter((s) => s.length > 0);
}

/** What the provider's side says, in a few words. */
export function providerSide(d: Discrepancy): string {
  if (d.kind === 'summary_mismatch') return `${d.difference.field}: stated ${d.difference.expected}, lines ${d.difference.actual}`;
  if (d.kind === 'unreadable_line') return safeText(d.error);
  if (d.kind === 'missing_at_provider') return 'no line';
  const l = d.statement;
  const fee = l.fee !== undefined ? `, fee ${moneyCell(l.fee)}` : '';
  const count = d.kind === 'duplicate_line' ? ` ×${d.count}` : '';
  return `${l.kind} ${moneyCell(l.amount)}${fee}${count}${l.providerStatus !== undefined ? ` (status ${l.providerStatus})` : ''}`;
}

/** What paykit's side says, in a few words. */
export function paykitSide(d: Discrepancy): string {
  if (d.kind === 'fee') return d.expectedFee !== undefined ? `schedule: fee ${moneyCell(d.expectedFee)}` : 'no fee expected';
  if (!('paykit' in d) || d.paykit === undefined) return d.kind === 'missing_in_paykit' || d.kind === 'duplicate_line' ? 'no record' : '-';
  const r = d.paykit;
  return `${r.kind} ${r.status} ${moneyCell(r.amount)}${r.kind === 'payment' && r.refunded !== undefined && r.refunded.amount > 0 ? `, ${moneyCell(r.refunded)} refunded` : ''}`;
}

/** What a repair did, in a few words. */
export function repairText(d: Discrepancy): string {
  const r = d.repair;
  if (r === undefined) return d.repairable ? 'repairable' : '';
  if (r.outcome === 'repaired') return `repaired by ${r.operation}: ${r.before} → ${r.after}`;
  if (r.outcome === 'unchanged') return `${r.operation} answered ${r.status}: unchanged`;
  return `${r.operation} failed: ${safeText(r.error.message)}`;
}
