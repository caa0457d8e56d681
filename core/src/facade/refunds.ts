import { err, errAsync, ok, okAsync } from 'neverthrow';
import type { PaymentError } from '../errors/payment-error.js';
import { decodeWith } from '../container/codecs.js';
import { checkRefundable, refundTransition, type Refund } from '../domain/refund.js';
import { PaymentErrors } from '../errors/constructors.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import { addMoney, compareMoney, subtractMoney, type Money } from '../money/money.js';
import type { RefundReport, RefundRequest } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import { Reference, RefundInputCodec } from './inputs.js';
import { updateRecord } from './records.js';
import type { StoredPayment, StoredRefund } from './stored.js';

/** Refund input: which order, how much, under which merchant refund number. */
export interface RefundInput {
  /** The merchant's refund number (unique). */
  readonly refundId: string;
  /** The paid order. */
  readonly orderId: string;
  /** Amount to refund (≤ paid − already refunded). */
  readonly amount: Money;
}

function requestOf(refund: StoredRefund, payment: StoredPayment): RefundRequest {
  return {
    refundId: refund.refundId, amount: refund.amount, requestedAt: refund.requestedAt,
    payment: { orderId: payment.orderId, amount: payment.amount, createdAt: payment.createdAt },
  };
}

/** Applies a provider refund report: moves the refund and, on success or failure, the payment's totals. */
export function applyRefundReport(ctx: PaykitContext, report: RefundReport): PayResultAsync<Refund> {
  let moved: 'succeeded' | 'failed' | undefined;
  return updateRecord<StoredRefund>(ctx.store, 'refund', report.refundId, (cur) => refundTransition(cur.status, report.status).map((t) => {
    moved = undefined;
    if (t.kind === 'ignored') return { write: false, value: cur };
    if (t.to === 'succeeded' || t.to === 'failed') moved = t.to;
    return { write: true, value: { ...cur, status: t.to, ...(report.providerRefundId ? { providerRefundId: report.providerRefundId } : {}) } };
  })).andThen((refund) => {
    if (moved === undefined) return okAsync(refund);
    const outcome = moved;
    return updateRecord<StoredPayment>(ctx.store, 'payment', refund.orderId, (p) => {
      if (outcome === 'failed') {
        // Release the reservation made when the refund was requested.
        return subtractMoney(p.refundReserved, refund.amount).map((reserved) => ({ write: true, value: { ...p, refundReserved: reserved } }));
      }
      return addMoney(p.refunded, refund.amount).andThen((refunded) => compareMoney(refunded, p.amount).map((c) => ({
        write: true,
        // Once the provider has reported the order refunded in full, its total already holds every
        // refund, this one included: it is not counted twice.
        value: { ...p, refunded: c > 0 && p.status === 'refunded' ? p.amount : refunded, status: c >= 0 ? 'refunded' as const : 'partially_refunded' as const },
      })));
    }).map(() => refund);
  });
}

/** Refund operations of the facade. */
export class RefundOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Refunds (part of) a paid order. The amount is reserved against the payment first, atomically,
   * so concurrent refunds never add up to more than was paid.
   */
  create(input: RefundInput, options: CallOptions = {}): PayResultAsync<Refund> {
    return guardAsync('refunds.create', () => {
      const valid = decodeWith(RefundInputCodec, input, 'refunds.create');
      if (valid.isErr()) return errAsync(valid.error);
      const { store, clock } = this.#ctx;
      return store.get<StoredPayment>('payment', input.orderId).andThen((rec) => {
        if (!rec) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${input.orderId}`));
        const svc = this.#ctx.service('refunds', 'create', options.instance ?? rec.value.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        const refund: StoredRefund = {
          refundId: input.refundId, orderId: input.orderId, amount: input.amount, status: 'pending',
          instanceId: svc.value.instance.id, requestedAt: clock.now(),
        };
        const reserve = (): PayResultAsync<StoredPayment> => updateRecord<StoredPayment>(store, 'payment', input.orderId, (p) => {
          if (!['succeeded', 'partially_refunded'].includes(p.status)) {
            return err(PaymentErrors.conflict(`order ${input.orderId} is ${p.status}; only paid orders can be refunded`));
          }
          return checkRefundable(p.amount, p.refundReserved, input.amount).map((reserved) => ({ write: true, value: { ...p, refundReserved: reserved } }));
        });
        // Claim the refund number first, then reserve the amount on the payment; a refund whose
        // reservation is refused is recorded as failed, so nothing stays reserved by mistake.
        return store.insert('refund', refund.refundId, refund)
          .mapErr((e) => (e.kind === 'Conflict' ? PaymentErrors.conflict(`refund ${input.refundId} already exists`, { code: 'duplicate_order', path: 'refundId' }) : e))
          .andThen(() => reserve().orElse((e) => updateRecord<StoredRefund>(store, 'refund', refund.refundId, (r) => ok({ write: true, value: { ...r, status: 'failed' as const } }))
            .andThen(() => errAsync(e))))
          .andThen((payment) => svc.value.service.refund(requestOf(refund, payment))
            .orElse((e) => this.#settleFailedCall(refund, e))
            .andThen((report) => applyRefundReport(this.#ctx, { ...report, refundId: refund.refundId })));
      });
    });
  }

  /**
   * A refund call that failed: when it may have reached the provider the refund stays pending (and
   * reserved) and the caller gets `OutcomeUnknown`; when it provably did not, the refund fails and
   * its reservation is released.
   */
  #settleFailedCall(refund: StoredRefund, e: PaymentError): PayResultAsync<RefundReport> {
    const mayHaveLanded = e.kind === 'OutcomeUnknown' || e.kind === 'Timeout' || (e.kind === 'Network' && e.sent);
    if (mayHaveLanded) {
      return errAsync(e.kind === 'OutcomeUnknown' ? e : PaymentErrors.outcomeUnknown(
        `refund ${refund.refundId} may or may not have been accepted: ${e.message}`,
        { operation: 'refunds.query', reference: refund.refundId, hint: `call paykit.refunds.query("${refund.refundId}") before anything else` },
        { ...(e.providerId !== undefined ? { providerId: e.providerId } : {}), cause: e },
      ));
    }
    return applyRefundReport(this.#ctx, { refundId: refund.refundId, orderId: refund.orderId, amount: refund.amount, status: 'failed' })
      .andThen(() => errAsync(e));
  }

  /** Asks the provider for a refund's state and applies it. */
  query(refundId: string): PayResultAsync<Refund> {
    return guardAsync('refunds.query', () => {
      const id = decodeWith(Reference, refundId, 'refunds.query.refundId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ctx.store.get<StoredRefund>('refund', refundId).andThen((r) => {
        if (!r) return errAsync(PaymentErrors.notFound(`no refund ${refundId} is recorded`));
        return this.#ctx.store.get<StoredPayment>('payment', r.value.orderId).andThen((p) => {
          if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${r.value.orderId}`));
          const svc = this.#ctx.service('refunds', 'query', r.value.instanceId);
          if (svc.isErr()) return errAsync(svc.error);
          return svc.value.service.query(requestOf(r.value, p.value)).andThen((report) => applyRefundReport(this.#ctx, { ...report, refundId }));
        });
      });
    });
  }
}
