import { err, errAsync, ok, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { paymentTransition, type Payment, type PaymentStatus } from '../domain/payment.js';
import { PaymentErrors } from '../errors/constructors.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guard, guardAsync, mapOk, type PayResult, type PayResultAsync } from '../errors/result.js';
import { zero, type Money } from '../money/money.js';
import type { CreatedPayment, CreatePaymentInput, PaymentReport } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import type { ChangeCause, Store } from '../ports/store.js';
import type { RawHttpRequest } from '../ports/transport.js';
import { commitValue } from '../protocol/commit.js';
import { asOutcomeUnknown, provenNotApplied } from '../protocol/outcome.js';
import { settledTracking, type Tracked } from '../protocol/tracking.js';
import { CreatePaymentInputCodec, Reference } from './inputs.js';
import { paymentRefOf, updateRecord, type UpdateDecision } from './records.js';
import { PENDING_PAYMENT_STATUSES } from './resolve-pending.js';
import { handlePaymentReturn, type HandledReturn } from './returns.js';
import type { StoredPayment, StoredPreAuth } from './stored.js';

/** A created payment: what the front end does next, and the payment as recorded. */
export interface CreatePaymentResult extends CreatedPayment {
  /** The payment as recorded. */
  readonly payment: Payment;
}

const PAID = ['succeeded', 'partially_refunded', 'refunded'];
/** Where an order can be when the merchant makes a new attempt at it after it ended unpaid. */
const REOPENABLE: readonly PaymentStatus[] = ['failed', 'closed'];

/** Whether a tracked record has anything for the protocol to clear once the provider has answered. */
function hasTracking(r: Tracked): boolean {
  return r.inFlight !== undefined || r.lease !== undefined || (r.checks ?? 0) > 0 || r.attention !== undefined;
}

/**
 * Applies a provider report to a stored payment by the transition table. A report whose amount
 * differs from the order's is never applied (queries and notifications alike): `Conflict`. A
 * report that the order was refunded in full (refunds made outside paykit, in the provider's
 * portal, included) sets the refunded total to the whole amount, so status and total agree. The
 * provider has answered, so whatever the protocol tracked on the payment (an unknown create, a
 * resolver's lease, a give-up note) is cleared.
 */
export function applyPaymentReport(current: StoredPayment, report: PaymentReport, refundable?: Money): PayResult<UpdateDecision<StoredPayment>> {
  if (!isObject(current)) return err(badArgument('applyPaymentReport', 'current', 'the stored payment', current));
  if (!isObject(report)) return err(badArgument('applyPaymentReport', 'report', 'a PaymentReport { orderId, amount, status }', report));
  return guard('applyPaymentReport', () => {
    if (current.amount.currency !== report.amount.currency || current.amount.amount !== report.amount.amount) {
      return err(PaymentErrors.conflict(`provider reports ${report.amount.amount} ${report.amount.currency} minor units for order ${report.orderId}, but ${current.amount.amount} ${current.amount.currency} were recorded`));
    }
    return paymentTransition(current.status, report.status).map((t) => {
      // An ignored report leaves a payment waiting for a person as it is (its reason and what to do).
      if (t.kind === 'ignored') return hasTracking(current) && current.status !== 'needs_attention' ? { write: true, value: settledTracking(current) } : { write: false, value: current };
      const next: StoredPayment = {
        ...settledTracking(current),
        status: t.to,
        ...(report.providerPaymentId !== undefined ? { providerPaymentId: report.providerPaymentId } : {}),
        ...(report.paidAt !== undefined ? { paidAt: report.paidAt } : {}),
        ...(report.settleDate !== undefined ? { settleDate: report.settleDate } : {}),
        ...(report.failure !== undefined && t.to === 'failed' ? { failure: report.failure } : {}),
        ...(report.attention !== undefined && t.to === 'needs_attention' ? { attention: { ...report.attention, from: current.status } } : {}),
        ...(report.providerDetails !== undefined ? { providerDetails: { ...current.providerDetails, ...report.providerDetails } } : {}),
        ...(t.to === 'refunded' ? { refunded: refundable ?? current.amount, refundReserved: refundable ?? current.amount } : {}),
      };
      return { write: true, value: next };
    });
  });
}

/** A payment record for an order paykit has no record of (a notification for it, an unknown create). */
export function newPaymentRecord(orderId: string, instanceId: string, report: Pick<PaymentReport, 'amount'>, createdAt: Date): StoredPayment {
  // Start from `created` so the report's own status is applied by the transition table.
  return {
    orderId, instanceId, amount: report.amount, status: 'created',
    refunded: zero(report.amount.currency), refundReserved: zero(report.amount.currency), createdAt,
  };
}

/**
 * Applies a verified payment report inside a unit of work; with `instanceId`, a payment paykit has
 * no record of is created from it first (a notification for an order made elsewhere).
 */
export function settlePaymentReport(tx: Store, report: PaymentReport, create?: { readonly instanceId: string; readonly now: Date }): PayResultAsync<StoredPayment> {
  if (!isObject(tx)) return errAsync(badArgument('settlePaymentReport', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(report)) return errAsync(badArgument('settlePaymentReport', 'report', 'a PaymentReport { orderId, amount, status }', report));
  return guardAsync('settlePaymentReport', () => tx.get<StoredPayment>('payment', report.orderId).andThen((rec) => {
    if (rec || !create) return okAsync(undefined);
    // The provider's order time when it states one (later refunds and queries must name it).
    const orderedAt = report.orderedAt instanceof Date && !Number.isNaN(report.orderedAt.getTime()) ? report.orderedAt : create.now;
    return mapOk(tx.insert<StoredPayment>('payment', report.orderId, newPaymentRecord(report.orderId, create.instanceId, report, orderedAt)), () => undefined);
  }).andThen(() => refundableOf(tx, report)).andThen((refundable) => updateRecord<StoredPayment>(tx, 'payment', report.orderId, (cur) => applyPaymentReport(cur, report, refundable).map((d) => {
    // The instance whose verified notification says the order was paid is the one that took the
    // money (an order re-created on another instance may still be paid on the first one's form):
    // its refunds must go there.
    if (create === undefined || !d.write || PAID.includes(cur.status) || !PAID.includes(d.value.status) || d.value.instanceId === create.instanceId) return d;
    return { write: true as const, value: { ...d.value, instanceId: create.instanceId } };
  }), 1)));
}

/**
 * What a report of a refund in full refunds: a pre-authorisation's captured amount (what refunds of
 * it are capped at), undefined for a sale (its whole amount).
 */
function refundableOf(tx: Store, report: PaymentReport): PayResultAsync<Money | undefined> {
  if (report.status !== 'refunded') return okAsync(undefined);
  return tx.get<StoredPreAuth>('preauth', report.orderId).map((a) => a?.value.captured);
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
   * records the payment, in one commit. Creating an order that exists and is not paid (a retry
   * after a failure, a fresh cashier form after the old one expired) keeps its recorded order time,
   * so every form and every query names the same order. Paying an order that already succeeded is
   * a `Conflict`.
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
      const { instance, service } = svc.value;
      const preauth = input.preauth === true;
      if (preauth && !instance.capabilities.includes('preauth')) {
        return errAsync(PaymentErrors.unsupported('preauth', `${instance.plugin.displayName} (instance ${instance.id}) does not support pre-authorisation; create the payment without preauth: true`, { providerId: instance.plugin.id }));
      }
      const { store, clock } = this.#ctx;
      return store.get<StoredPayment>('payment', input.orderId).andThen((existing) => {
        const conflict = existing ? this.#conflictWith(existing.value, input) : undefined;
        if (conflict) return errAsync(conflict);
        // The order time is the provider's order identity (LianLian's dt_order): fixed at the first create.
        const createdAt = existing?.value.createdAt ?? input.createdAt ?? clock.now();
        return service.create({ ...input, createdAt }).orElse((e) => {
          if (provenNotApplied(e)) return errAsync(e);
          // A provider whose create calls out may have created the order: record it, so that
          // resolvePending asks about it, instead of leaving it where nothing looks.
          const resolution = { operation: 'payments.query', reference: input.orderId, hint: `call paykit.payments.query("${input.orderId}") to learn whether the provider created it` };
          return this.#recordUnknownCreate(input, instance.id, createdAt, preauth, e.message).andThen(() => errAsync(asOutcomeUnknown(e, `payment of order ${input.orderId}`, resolution)));
        }).andThen((created) => commitValue(this.#ctx, (tx) => this.#record(tx, input, instance.id, createdAt, preauth, created), { cause: { source: 'reply', operation: 'payments.create' }, attempts: 16 })
          .andThen((payment) => {
            const recorded = new Date(payment.createdAt);
            if (recorded.getTime() === createdAt.getTime()) return okAsync({ ...created, payment: publicPayment(payment) });
            // A concurrent create of the same new order committed first, with its own order time:
            // the form given out must name the recorded one, or the payer pays an order that
            // paykit's queries never find (issue 12, finding 12).
            return service.create({ ...input, createdAt: recorded }).map((again) => ({ ...again, payment: publicPayment(payment) }));
          }));
      });
    });
  }

  #conflictWith(existing: StoredPayment, input: CreatePaymentInput) {
    if (PAID.includes(existing.status)) {
      return PaymentErrors.conflict(`order ${input.orderId} is already paid`, { code: 'duplicate_order', path: 'orderId' });
    }
    if (existing.amount.amount !== input.amount.amount || existing.amount.currency !== input.amount.currency) {
      return PaymentErrors.conflict(`order ${input.orderId} was created for ${existing.amount.amount} ${existing.amount.currency} minor units; a new attempt must ask for the same amount or use a new order id`, { code: 'duplicate_order', path: 'amount' });
    }
    if ((existing.preauth === true) !== (input.preauth === true)) {
      return PaymentErrors.conflict(`order ${input.orderId} was created ${existing.preauth === true ? 'as' : 'without'} a pre-authorisation; a new attempt must ask for the same, or use a new order id`, { code: 'duplicate_order', path: 'preauth' });
    }
    return undefined;
  }

  /** Records the created payment: a new record, or the existing one moved by the create's report. */
  #record(tx: Store, input: CreatePaymentInput, instanceId: string, createdAt: Date, preauth: boolean, created: CreatedPayment): PayResultAsync<StoredPayment> {
    // The payer may pay with any form handed out until it expires: the order stays payable until
    // the latest expiry (two forms made at once may commit in either order).
    const expires = created.action.kind === 'redirect' && created.action.expiresAt instanceof Date ? created.action.expiresAt : undefined;
    const untilFor = (cur?: StoredPayment) => {
      const before = cur?.payableUntil === undefined ? Number.NaN : new Date(cur.payableUntil).getTime();
      return expires === undefined ? {} : { payableUntil: before > expires.getTime() ? new Date(before) : expires };
    };
    return tx.get<StoredPayment>('payment', input.orderId).andThen((existing) => {
      if (existing) {
        const conflict = this.#conflictWith(existing.value, input);
        if (conflict) return errAsync(conflict);
        return updateRecord<StoredPayment>(tx, 'payment', input.orderId, (cur) => {
          // A new attempt at an order that failed or closed: the provider handed out a new form, so
          // the order is open again (resolvePending asks about it, and counts its age from now)
          // until the provider says how this attempt ended.
          if (REOPENABLE.includes(cur.status) && PENDING_PAYMENT_STATUSES.includes(created.report.status)) {
            return ok({ write: true as const, value: { ...settledTracking(cur), instanceId, status: created.report.status, reopenedAt: this.#ctx.clock.now(), ...untilFor(cur) } });
          }
          return paymentTransition(cur.status, created.report.status)
            .map((t) => ({ write: true as const, value: { ...settledTracking(cur), instanceId, ...(t.kind === 'applied' ? { status: t.to } : {}), ...untilFor(cur) } }));
        }, 1);
      }
      const record: StoredPayment = { ...newPaymentRecord(input.orderId, instanceId, input, createdAt), status: created.report.status, ...(preauth ? { preauth } : {}), ...untilFor() };
      const observed = { orderId: input.orderId, instanceId, amount: input.amount, ...(input.payer ? { payer: input.payer } : {}) };
      const observers = this.#ctx.paymentObservers?.(instanceId) ?? [];
      return tx.insert<StoredPayment>('payment', input.orderId, record)
        .andThen((v) => observers.reduce<PayResultAsync<unknown>>((prev, o) => prev.andThen(() => o.paymentCreated(tx, observed)), okAsync(undefined)).map(() => v.value));
    });
  }

  #recordUnknownCreate(input: CreatePaymentInput, instanceId: string, createdAt: Date, preauth: boolean, error: string): PayResultAsync<unknown> {
    const now = this.#ctx.clock.now();
    return commitValue(this.#ctx, (tx) => tx.get<StoredPayment>('payment', input.orderId).andThen((existing) => {
      // Paid meanwhile (a verified notification got there first): the provider's word stands, and
      // the order stays on the instance that took the money (its refunds go there).
      if (existing && PAID.includes(existing.value.status)) return okAsync(existing.value);
      const inFlight = { operation: 'payments.create' as const, state: 'unknown' as const, since: now, error: error.slice(0, 300) };
      // A new attempt at an order that failed or closed may have reopened it at the provider: the
      // order is open again (where resolvePending looks) until a verified answer says how it ended.
      // As a create with an answer does, it now belongs to the instance that was asked.
      const reopened = existing && REOPENABLE.includes(existing.value.status) ? { status: 'pending' as const, reopenedAt: now } : {};
      if (existing) return tx.update('payment', input.orderId, existing.version, { ...existing.value, ...reopened, instanceId, inFlight, lastAttemptAt: now });
      return tx.insert<StoredPayment>('payment', input.orderId, { ...newPaymentRecord(input.orderId, instanceId, input, createdAt), ...(preauth ? { preauth } : {}), inFlight, lastAttemptAt: now, attempts: 1 });
    }), { cause: { source: 'reply', operation: 'payments.create' }, attempts: 16 });
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
        return svc.value.service.query(paymentRefOf(rec.value))
          .andThen((report) => this.apply(report, { source: 'query', operation: 'payments.query' }))
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

  /**
   * Handles the payer's return (the browser back at the return URL, or a mobile control's result
   * the merchant's app passes on): the instance's plugin decodes and verifies it, it must name an
   * order recorded on this instance (for its amount), and it is never applied to the record. A
   * payment still waiting (or failed, when the return claims a new attempt went through) is queried
   * with `payments.query`, so the page shows the provider's verified word. A failed query is no
   * error: the answer carries the record as it was and `queryError`. `Unsupported` for a plugin
   * without returns; `Signature`/`Decode` for a return that does not verify.
   *
   * @example
   * ```ts
   * const r = await paykit.payments.handleReturn('shop', { method: req.method, url: req.originalUrl, headers, body });
   * if (r.isOk()) renderResultPage(r.value.payment.status, r.value.claimed.status);
   * ```
   */
  handleReturn(instanceId: string, request: RawHttpRequest): PayResultAsync<HandledReturn> {
    return guardAsync('payments.handleReturn', () => handlePaymentReturn(this.#ctx, (orderId) => this.query(orderId), publicPayment, instanceId, request));
  }

  /** Applies a provider report to the record (used by queries, resolvePending and notifications), in one commit. */
  apply(report: PaymentReport, cause: ChangeCause = { source: 'query', operation: 'payments.query' }): PayResultAsync<StoredPayment> {
    // An amount that differs from the order is never applied: the record stays as it is and the
    // caller gets a Conflict to investigate (checked in applyPaymentReport).
    return guardAsync('payments.apply', () => commitValue(this.#ctx, (tx) => settlePaymentReport(tx, report), { cause, attempts: 16 }));
  }
}

/** Strips storage-only fields. */
export function publicPayment(p: StoredPayment): Payment {
  const { refundReserved: _r, createdAt: _c, inFlight: _i, lease: _l, attempts: _a, checks: _k, lastAttemptAt: _t, reopenedAt: _o, payableUntil: _u, ...rest } = p;
  return rest;
}
