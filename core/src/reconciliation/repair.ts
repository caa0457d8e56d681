// Safe repair: the statement is unsigned, so it never changes a record. For what a verified query
// can settle (a success paykit missed, a status paykit has otherwise), the record's provider is
// asked through the facade (`payments.query`, `refunds.query`, `payouts.query`), which applies the
// answer by the transition rules, in one commit with its event. The discrepancy counts as repaired
// only when the record now agrees with the statement.
import type { Payment } from '../domain/payment.js';
import type { Payout } from '../domain/payout.js';
import type { Refund } from '../domain/refund.js';
import type { PayResultAsync } from '../errors/result.js';
import type { DiscrepancyDraft } from './describe.js';
import { PAID_PAYMENT_STATUSES, PAID_PAYOUT_STATUSES } from './ledger.js';
import type { DiscrepancySubject, RepairOutcome } from './types.js';

/** The facade queries a repair calls. */
export interface RepairFacade {
  /** `paykit.payments`. */
  readonly payments: {
    /** Asks the provider for the payment and records what it verifiably says. */
    query(orderId: string): PayResultAsync<Payment>;
  };
  /** `paykit.refunds`. */
  readonly refunds: {
    /** Asks the provider for the refund and records what it verifiably says. */
    query(refundId: string): PayResultAsync<Refund>;
  };
  /** `paykit.payouts`. */
  readonly payouts: {
    /** Asks the provider for the payout and records what it verifiably says. */
    query(payoutId: string): PayResultAsync<Payout>;
  };
}

/** Whether a record now in `status` settles the discrepancy. */
export function settles(d: DiscrepancyDraft, status: string): boolean {
  const kind = d.subject?.kind;
  if (d.kind === 'status_mismatch' && d.reason === 'refunded_at_provider') return status === 'refunded';
  if (d.kind === 'status_mismatch' && d.reason === 'payout_returned') return status === 'returned';
  if (kind === 'payment') return PAID_PAYMENT_STATUSES.includes(status);
  if (kind === 'refund') return status === 'succeeded';
  if (kind === 'payout') return PAID_PAYOUT_STATUSES.includes(status);
  return false;
}

function query(facade: RepairFacade, s: DiscrepancySubject): { readonly operation: string; readonly status: PayResultAsync<string> } {
  if (s.kind === 'payment') return { operation: 'payments.query', status: facade.payments.query(s.id).map((p) => p.status) };
  if (s.kind === 'refund') return { operation: 'refunds.query', status: facade.refunds.query(s.id).map((r) => r.status) };
  return { operation: 'payouts.query', status: facade.payouts.query(s.id).map((p) => p.status) };
}

/**
 * Repairs the repairable discrepancies: one verified query per record (however many of its
 * discrepancies need it), `concurrency` at a time. Returns each repaired discrepancy's outcome by id.
 */
export async function repairAll(facade: RepairFacade, drafts: readonly DiscrepancyDraft[], concurrency: number, onDone?: (n: number) => void): Promise<Map<string, RepairOutcome>> {
  const bySubject = new Map<string, DiscrepancyDraft[]>();
  for (const d of drafts) {
    if (!d.repairable || d.subject === undefined || !('paykit' in d) || d.paykit === undefined) continue;
    const k = `${d.subject.kind}:${d.subject.id}`;
    const list = bySubject.get(k) ?? [];
    list.push(d);
    bySubject.set(k, list);
  }
  const outcomes = new Map<string, RepairOutcome>();
  const queue = [...bySubject.values()];
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      const first = group[0] as DiscrepancyDraft & { readonly subject: DiscrepancySubject; readonly paykit: { readonly status: string } };
      const q = query(facade, first.subject);
      const answer = await q.status;
      for (const d of group) {
        const before = (d as { readonly paykit: { readonly status: string } }).paykit.status;
        if (answer.isErr()) {
          const e = answer.error;
          outcomes.set(d.id, { outcome: 'failed', operation: q.operation, error: { kind: e.kind, code: e.code, message: e.message } });
        } else if (settles(d, answer.value)) {
          outcomes.set(d.id, { outcome: 'repaired', operation: q.operation, before, after: answer.value });
        } else {
          outcomes.set(d.id, { outcome: 'unchanged', operation: q.operation, status: answer.value });
        }
      }
      done += 1;
      onDone?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, () => worker()));
  return outcomes;
}
