import { err, errAsync, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { paymentTransition, type Payment } from '../domain/payment.js';
import { PaymentErrors } from '../errors/constructors.js';
import { guardAsync, type PayResult, type PayResultAsync } from '../errors/result.js';
import { zero } from '../money/money.js';
import type { CreatedPayment, CreatePaymentInput, PaymentReport } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import { CreatePaymentInputCodec, Reference } from './inputs.js';
import { updateRecord, type UpdateDecision } from './records.js';
import type { StoredPayment } from './stored.js';

/** A created payment: what the front end does next, and the payment as recorded. */
export interface CreatePaymentResult extends CreatedPayment {
  /** The payment as recorded. */
  readonly payment: Payment;
}

/**
 * Applies a provider report to a stored payment by the transition table. A report whose amount
 * differs from the order's is never applied (queries and notifications alike): `Conflict`. A
 * report that the order was refunded in full (refunds made outside paykit, in the provider's
 * portal, included) sets the refunded total to the whole amount, so status and total agree.
 */
export function applyPaymentReport(current: StoredPayment, report: PaymentReport): PayResult<UpdateDecision<StoredPayment>> {
  if (current.amount.currency !== report.amount.currency || current.amount.amount !== report.amount.amount) {
    return err(PaymentErrors.conflict(`provider reports ${report.amount.amount} ${report.amount.currency} minor units for order ${report.orderId}, but ${current.amount.amount} ${current.amount.currency} were recorded`));
  }
  return paymentTransition(current.status, report.status).map((t) => {
    if (t.kind === 'ignored') return { write: false, value: current };
    const next: StoredPayment = {
      ...current,
      status: t.to,
      ...(report.providerPaymentId !== undefined ? { providerPaymentId: report.providerPaymentId } : {}),
      ...(report.paidAt !== undefined ? { paidAt: report.paidAt } : {}),
      ...(report.settleDate !== undefined ? { settleDate: report.settleDate } : {}),
      ...(report.failure !== undefined && t.to === 'failed' ? { failure: report.failure } : {}),
      ...(t.to === 'refunded' ? { refunded: current.amount, refundReserved: current.amount } : {}),
    };
    return { write: true, value: next };
  });
}

/** Payment operations of the facade. */
export class PaymentOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates a payment: validates the input, asks the routed provider for the payer's action and
   * records the payment. Paying an order that already succeeded is a `Conflict`.
   *
   * @example
   * ```ts
   * const r = await paykit.payments.create({ orderId: 'A1001', amount: { amount: 4965, currency: 'CNY' }, description: 'Tea' });
   * if (r.isOk() && r.value.action.kind === 'redirect') renderForm(r.value.action);
   * ```
   */
  create(input: CreatePaymentInput, options: CallOptions = {}): PayResultAsync<CreatePaymentResult> {
    return guardAsync('payments.create', () => {
      const valid = decodeWith(CreatePaymentInputCodec, input, 'payments.create');
      if (valid.isErr()) return errAsync(valid.error);
      const svc = this.#ctx.service('payments', 'create', options.instance);
      if (svc.isErr()) return errAsync(svc.error);
      const { store, clock } = this.#ctx;
      const createdAt = input.createdAt ?? clock.now();
      return store.get<StoredPayment>('payment', input.orderId).andThen((existing) => {
        if (existing && ['succeeded', 'partially_refunded', 'refunded'].includes(existing.value.status)) {
          return errAsync(PaymentErrors.conflict(`order ${input.orderId} is already paid`, { code: 'duplicate_order', path: 'orderId' }));
        }
        if (existing && (existing.value.amount.amount !== input.amount.amount || existing.value.amount.currency !== input.amount.currency)) {
          return errAsync(PaymentErrors.conflict(`order ${input.orderId} was created for ${existing.value.amount.amount} ${existing.value.amount.currency} minor units; a new attempt must ask for the same amount or use a new order id`, { code: 'duplicate_order', path: 'amount' }));
        }
        return svc.value.service.create({ ...input, createdAt }).andThen((created) => {
          const record: StoredPayment = {
            orderId: input.orderId, instanceId: svc.value.instance.id, amount: input.amount, status: created.report.status,
            refunded: zero(input.amount.currency), refundReserved: zero(input.amount.currency), createdAt,
          };
          const saved = existing
            ? store.update<StoredPayment>('payment', input.orderId, existing.version, { ...existing.value, ...record, status: existing.value.status === 'failed' ? 'failed' : record.status })
            : store.insert<StoredPayment>('payment', input.orderId, record);
          return saved.map((v) => ({ ...created, payment: publicPayment(v.value) }));
        });
      });
    });
  }

  /** Queries the provider for a recorded payment and applies the answer (a success is never undone). */
  query(orderId: string, options: CallOptions = {}): PayResultAsync<Payment> {
    return guardAsync('payments.query', () => {
      const id = decodeWith(Reference, orderId, 'payments.query.orderId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ctx.store.get<StoredPayment>('payment', orderId).andThen((rec) => {
        if (!rec) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${orderId}: create it first`));
        const svc = this.#ctx.service('payments', 'query', options.instance ?? rec.value.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        return svc.value.service.query({ orderId, createdAt: rec.value.createdAt, amount: rec.value.amount })
          .andThen((report) => this.apply(report))
          .map(publicPayment);
      });
    });
  }

  /** Reads a recorded payment without calling the provider. */
  get(orderId: string): PayResultAsync<Payment> {
    return guardAsync('payments.get', () => {
      const id = decodeWith(Reference, orderId, 'payments.get.orderId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ctx.store.get<StoredPayment>('payment', orderId).andThen((rec) =>
        rec ? okAsync(publicPayment(rec.value)) : errAsync(PaymentErrors.notFound(`no payment is recorded for order ${orderId}`)));
    });
  }

  /** Applies a provider report to the record (used by queries and notifications). */
  apply(report: PaymentReport): PayResultAsync<StoredPayment> {
    // An amount that differs from the order is never applied: the record stays as it is and the
    // caller gets a Conflict to investigate (checked in applyPaymentReport).
    return guardAsync('payments.apply', () => updateRecord<StoredPayment>(this.#ctx.store, 'payment', report.orderId, (cur) => applyPaymentReport(cur, report)));
  }
}

/** Strips storage-only fields. */
export function publicPayment(p: StoredPayment): Payment {
  const { refundReserved: _r, createdAt: _c, ...rest } = p;
  return rest;
}
