import { errAsync, ok, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { paymentTransition } from '../domain/payment.js';
import { checkRefundable, REFUND_RESERVING, refundTransition, type Refund, type RefundStatus } from '../domain/refund.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import { addMoney, subtractMoney, type Money } from '../money/money.js';
import type { RefundReport, RefundRequest } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import type { Store } from '../ports/store.js';
import { commitValue } from '../protocol/commit.js';
import { runMoneyOperation } from '../protocol/money-operation.js';
import { claimTracking, DEFAULT_LEASE_MS, ignoredReportTracking, sameClaim, settledTracking, unknownTracking } from '../protocol/tracking.js';
import { Reference, RefundInputCodec } from './inputs.js';
import { updateRecord } from './records.js';
import type { StoredPayment, StoredPreAuth, StoredRefund } from './stored.js';

/** Refund input: which order, how much, under which merchant refund number. */
export interface RefundInput {
  /** The merchant's refund number (unique). */
  readonly refundId: string;
  /** The paid order. */
  readonly orderId: string;
  /** Amount to refund (≤ paid − already refunded; for a pre-authorisation, ≤ captured − already refunded). */
  readonly amount: Money;
}

/** What a refund claim fixed: the refund record and the payment it refunds. */
interface RefundClaim {
  readonly refund: StoredRefund;
  readonly payment: StoredPayment;
}

/** The request a refund is sent (and queried) with, from its records. */
export function refundRequestOf(refund: StoredRefund, payment: StoredPayment): RefundRequest {
  return {
    refundId: refund.refundId, amount: refund.amount, requestedAt: refund.requestedAt,
    payment: { orderId: payment.orderId, amount: payment.amount, createdAt: payment.createdAt },
  };
}

/** Strips storage-only fields. */
export function publicRefund(r: StoredRefund): Refund {
  const { instanceId: _i, requestedAt: _r, inFlight: _f, lease: _l, attempts: _a, checks: _c, lastAttemptAt: _t, ...rest } = r;
  return rest;
}

/**
 * What a payment can have refunded in all: its amount, or for a pre-authorisation what was
 * captured. `Conflict` when it cannot be refunded at all (not paid; a pre-authorisation not captured).
 */
export function refundableBase(tx: Store, payment: StoredPayment): PayResultAsync<Money> {
  if (!isObject(tx)) return errAsync(badArgument('refundableBase', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(payment)) return errAsync(badArgument('refundableBase', 'payment', 'the stored payment', payment));
  return guardAsync('refundableBase', () => {
    if (!['succeeded', 'partially_refunded'].includes(payment.status)) {
      return errAsync(PaymentErrors.conflict(`order ${payment.orderId} is ${payment.status}; only paid orders can be refunded`));
    }
    if (payment.preauth !== true) return okAsync(payment.amount);
    return tx.get<StoredPreAuth>('preauth', payment.orderId).andThen((a) => {
      if (a?.value.status !== 'captured' || a.value.captured === undefined) {
        return errAsync(PaymentErrors.conflict(`order ${payment.orderId} is a pre-authorisation that is ${a?.value.status ?? 'authorised'}, not captured: only what was captured can be refunded (void it to release the hold)`));
      }
      return okAsync(a.value.captured);
    });
  });
}

const reserves = (s: RefundStatus): number => (REFUND_RESERVING.includes(s) ? 1 : 0);
const counts = (s: RefundStatus): number => (s === 'succeeded' ? 1 : 0);

/**
 * Moves the payment's refund totals for a refund that went from `from` to `to`: its reservation
 * is held while the refund is not failed, and its amount counts as refunded once it succeeded.
 */
function moveTotals(tx: Store, refund: StoredRefund, from: RefundStatus, to: RefundStatus): PayResultAsync<unknown> {
  const reserved = reserves(to) - reserves(from);
  const refunded = counts(to) - counts(from);
  if (reserved === 0 && refunded === 0) return okAsync(undefined);
  const shift = (m: Money, by: number) => (by > 0 ? addMoney(m, refund.amount) : by < 0 ? subtractMoney(m, refund.amount) : ok(m));
  return tx.get<StoredPayment>('payment', refund.orderId).andThen((p) => {
    if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${refund.orderId}`));
    const base = p.value.preauth === true
      ? tx.get<StoredPreAuth>('preauth', refund.orderId).map((a) => a?.value.captured ?? p.value.amount)
      : okAsync<Money, PaymentError>(p.value.amount);
    return base.andThen((paid) => updateRecord<StoredPayment>(tx, 'payment', refund.orderId, (cur) => shift(cur.refundReserved, reserved).andThen((refundReserved) => {
      // Once the provider has reported the order refunded in full, its total already holds every
      // refund, this one included: it is not counted twice.
      const total = cur.status === 'refunded' ? ok(cur.refunded) : shift(cur.refunded, refunded);
      return total.andThen((total) => {
        const target = total.amount >= paid.amount ? 'refunded' as const : total.amount > 0 ? 'partially_refunded' as const : cur.status;
        return paymentTransition(cur.status, target).map((t) => ({
          write: true,
          value: { ...cur, refundReserved: refundReserved.amount < 0 ? { ...refundReserved, amount: 0 } : refundReserved, refunded: total, ...(t.kind === 'applied' ? { status: t.to } : {}) },
        }));
      });
    }), 1));
  });
}

/**
 * Applies a provider refund report inside a unit of work: the refund and the payment's totals move
 * in the same commit. A report whose amount differs from the refund's is never applied
 * (`Conflict`). The provider has answered, so the refund's in-flight operation is settled.
 */
export function settleRefundReport(tx: Store, report: RefundReport, failure?: Refund['failure']): PayResultAsync<StoredRefund> {
  if (!isObject(tx)) return errAsync(badArgument('settleRefundReport', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(report)) return errAsync(badArgument('settleRefundReport', 'report', 'a RefundReport { refundId, orderId, amount, status }', report));
  if (failure !== undefined && !isObject(failure)) return errAsync(badArgument('settleRefundReport', 'failure', 'the failure { message, providerCode? } or nothing', failure));
  return guardAsync('settleRefundReport', () => tx.get<StoredRefund>('refund', report.refundId).andThen((rec) => {
    if (!rec) return errAsync(PaymentErrors.notFound(`no refund ${report.refundId} is recorded`));
    const cur = rec.value;
    if (cur.amount.currency !== report.amount.currency || cur.amount.amount !== report.amount.amount) {
      return errAsync(PaymentErrors.conflict(`provider reports refund ${report.refundId} for ${report.amount.amount} ${report.amount.currency} minor units, but ${cur.amount.amount} ${cur.amount.currency} were requested`));
    }
    const decided = refundTransition(cur.status, report.status);
    if (decided.isErr()) return errAsync(decided.error);
    const t = decided.value;
    const to = t.kind === 'applied' ? t.to : cur.status;
    const next: StoredRefund = {
      ...(t.kind === 'ignored' ? ignoredReportTracking(cur) : settledTracking(cur)),
      status: to,
      ...(report.providerRefundId ? { providerRefundId: report.providerRefundId } : {}),
      ...(t.kind === 'applied' && to === 'failed' ? { failure: failure ?? { ...(report.providerStatus !== undefined ? { providerCode: report.providerStatus } : {}), message: 'the provider reports the refund failed' } } : {}),
    };
    return tx.update('refund', report.refundId, rec.version, next).andThen(() => moveTotals(tx, cur, cur.status, to)).map(() => next);
  }));
}

/** Ends a refund as failed with its reason (the provider did nothing), releasing its reservation. */
export function failRefund(tx: Store, refund: StoredRefund, failure: NonNullable<Refund['failure']>): PayResultAsync<StoredRefund> {
  if (!isObject(refund)) return errAsync(badArgument('failRefund', 'refund', 'the stored refund', refund));
  if (!isObject(failure)) return errAsync(badArgument('failRefund', 'failure', 'the failure { message, providerCode? }', failure));
  return guardAsync('failRefund', () => settleRefundReport(tx, { refundId: refund.refundId, orderId: refund.orderId, amount: refund.amount, status: 'failed' }, failure));
}

/** Refund operations of the facade. */
export class RefundOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Refunds (part of) a paid order through paykit's money protocol. The claim records the refund
   * and reserves its amount against the payment in one commit (concurrent refunds of one payment
   * are redone on fresh reads, never refused for losing the race, and never add up to more than
   * was paid); the reply moves the refund and the payment's totals in one commit. The same refund
   * again answers the record; a different one under the same refund number is a `Conflict`. A
   * call that may have reached the provider is `OutcomeUnknown`: the refund stays reserved until
   * `refunds.query` or `resolvePending` learns the outcome.
   */
  create(given: RefundInput, options: CallOptions = {}): PayResultAsync<Refund> {
    return guardAsync('refunds.create', () => {
      const valid = decodeWith(RefundInputCodec, given, 'refunds.create');
      if (valid.isErr()) return errAsync(valid.error);
      // paykit's own copy: what is reserved is what is sent and recorded (see payouts.submit).
      const input: RefundInput = { ...given, amount: { ...given.amount } };
      const { store, clock } = this.#ctx;
      return store.get<StoredPayment>('payment', input.orderId).andThen((rec) => {
        if (!rec) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${input.orderId}`));
        const svc = this.#ctx.service('refunds', 'create', options.instance ?? rec.value.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        const instanceId = svc.value.instance.id;
        const refunds = svc.value.service;
        return runMoneyOperation<RefundClaim, RefundReport, Refund>(this.#ctx, {
          operation: 'refunds.create',
          describe: (c) => `refund ${c.refund.refundId} of order ${c.refund.orderId}`,
          resolution: (c) => ({ operation: 'refunds.query', reference: c.refund.refundId, hint: `call paykit.refunds.query("${c.refund.refundId}") (resolvePending does) before refunding again` }),
          claim: (tx) => claimRefund(tx, input, instanceId, clock.now()),
          send: (c) => refunds.refund(refundRequestOf(c.refund, c.payment)),
          settle: (tx, c, report) => settleRefundReport(tx, { ...report, refundId: c.refund.refundId }).map(publicRefund),
          // A verified report that got there first stands: a refusal of this one send does not fail
          // a refund the provider shows going on.
          release: (tx, c, e) => tx.get<StoredRefund>('refund', c.refund.refundId).andThen((cur) => (cur && !sameClaim(cur.value, c.refund) ? okAsync(cur.value)
            : failRefund(tx, c.refund, { message: e.message, ...(e.providerCode !== undefined ? { providerCode: e.providerCode } : {}) }))),
          unknown: (tx, c, e) => updateRecord<StoredRefund>(tx, 'refund', c.refund.refundId, (cur) => {
            // Settled meanwhile, or no longer this claim: nothing of it to mark.
            if (!sameClaim(cur, c.refund)) return ok({ write: false, value: cur });
            return ok({ write: true, value: unknownTracking(cur, e.message) });
          }, 1),
        });
      });
    });
  }

  /** Asks the provider for a refund's state and applies it (refund and payment totals in one commit). */
  query(refundId: string): PayResultAsync<Refund> {
    return guardAsync('refunds.query', () => {
      const id = decodeWith(Reference, refundId, 'refunds.query.refundId');
      if (id.isErr()) return errAsync(id.error);
      return this.#load(refundId).andThen(({ refund, payment }) => {
        const svc = this.#ctx.service('refunds', 'query', refund.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        return svc.value.service.query(refundRequestOf(refund, payment))
          .andThen((report) => commitValue(this.#ctx, (tx) => settleRefundReport(tx, { ...report, refundId }), { cause: { source: 'query', operation: 'refunds.query' }, attempts: 16 }))
          .map(publicRefund);
      });
    });
  }

  /** Reads a recorded refund without calling the provider. */
  get(refundId: string): PayResultAsync<Refund> {
    return guardAsync('refunds.get', () => {
      const id = decodeWith(Reference, refundId, 'refunds.get.refundId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ctx.store.get<StoredRefund>('refund', refundId).andThen((r) => (r ? okAsync(publicRefund(r.value)) : errAsync(PaymentErrors.notFound(`no refund ${refundId} is recorded`))));
    });
  }

  #load(refundId: string): PayResultAsync<RefundClaim> {
    const { store } = this.#ctx;
    return store.get<StoredRefund>('refund', refundId).andThen((r) => {
      if (!r) return errAsync(PaymentErrors.notFound(`no refund ${refundId} is recorded`));
      return store.get<StoredPayment>('payment', r.value.orderId).andThen((p) => (p ? okAsync({ refund: r.value, payment: p.value })
        : errAsync(PaymentErrors.notFound(`no payment is recorded for order ${r.value.orderId}`))));
    });
  }
}

/** The refund claim: the refund record and the payment's reservation, in one unit of work. */
function claimRefund(tx: Store, input: RefundInput, instanceId: string, now: Date) {
  type Claim = { readonly send: RefundClaim } | { readonly answer: Refund };
  return tx.get<StoredRefund>('refund', input.refundId).andThen((existing): PayResultAsync<Claim> => {
    if (existing) {
      const r = existing.value;
      const same = r.orderId === input.orderId && r.amount.amount === input.amount.amount && r.amount.currency === input.amount.currency;
      return same ? okAsync({ answer: publicRefund(r) })
        : errAsync(PaymentErrors.conflict(`refund ${input.refundId} already exists for order ${r.orderId}, ${r.amount.amount} ${r.amount.currency} minor units; use a new refund number`, { code: 'duplicate_order', path: 'refundId' }));
    }
    return tx.get<StoredPayment>('payment', input.orderId).andThen((p) => {
      if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${input.orderId}`));
      return refundableBase(tx, p.value).andThen((paid) => {
        const reserved = checkRefundable(paid, p.value.refundReserved, input.amount);
        if (reserved.isErr()) return errAsync(reserved.error);
        const refund = claimTracking<StoredRefund>({
          refundId: input.refundId, orderId: input.orderId, amount: input.amount, status: 'pending', instanceId, requestedAt: now,
        }, 'refunds.create', now, DEFAULT_LEASE_MS);
        const payment: StoredPayment = { ...p.value, refundReserved: reserved.value };
        return tx.insert('refund', refund.refundId, refund)
          .andThen(() => tx.update('payment', payment.orderId, p.version, payment))
          .map((): Claim => ({ send: { refund, payment } }));
      });
    });
  });
}
