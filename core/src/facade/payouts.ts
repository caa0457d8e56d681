import { err, errAsync, ok, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { payoutTransition, type Payout, type PayoutAccount } from '../domain/payout.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Money } from '../money/money.js';
import type { PayoutReport, PayoutRequest, PayoutsCapability } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import type { Store } from '../ports/store.js';
import { commitValue } from '../protocol/commit.js';
import { runMoneyOperation, type Claimed } from '../protocol/money-operation.js';
import { dropLease, giveUp, takeLease } from '../protocol/lease.js';
import { claimTracking, DEFAULT_LEASE_MS, ignoredReportTracking, leasedByOther, sameClaim, settledTracking, stillSending, unknownTracking, type MoneyOperation } from '../protocol/tracking.js';
import { PayoutInputCodec, Reference } from './inputs.js';
import { updateRecord } from './records.js';
import type { StoredPayout } from './stored.js';

/** What a merchant asks for when paying out. */
export interface PayoutInput {
  /** The merchant's payout id (unique, for ever). */
  readonly payoutId: string;
  /** Amount. */
  readonly amount: Money;
  /** Beneficiary. */
  readonly account: PayoutAccount;
  /** Purpose. */
  readonly description: string;
  /** Memo. */
  readonly memo?: string;
  /** Result notification URL (instance config may default it). */
  readonly notifyUrl?: string;
  /** Provider order number to use; the payout id when absent. Fixed for ever once recorded. */
  readonly providerOrderId?: string;
}

/** Options of {@link PayoutOps.confirm}. */
export interface ConfirmOptions {
  /**
   * Confirm a payout the provider held as a suspected duplicate (reason code `suspected_duplicate`,
   * LianLian 4002) of an earlier one: say so only after checking that the earlier payout did not
   * already pay this beneficiary. Without it such a hold is not confirmed (`Conflict`).
   */
  readonly acceptSuspectedDuplicate?: boolean;
}

/** Options of {@link PayoutOps.resolve}. */
export interface PayoutResolveOptions {
  /** Most times a payout is sent in all before paykit stops and marks it `needs_attention` (default 3). */
  readonly maxSends?: number;
  /** `resolvePending` checks in a row without a verified answer before `needs_attention` (default 20). */
  readonly maxChecks?: number;
  /** How long a resolver holds the payout while it asks (default 5 minutes). */
  readonly leaseMs?: number;
}

/** The index record that maps a provider order number to its payout id. */
interface PayoutOrderIndex {
  readonly payoutId: string;
}

const indexId = (providerOrderId: string) => `payout-order:${providerOrderId}`;

/** The payout id recorded for a provider order number (an index record keeps the mapping). */
function findByProviderOrder(store: Store, providerOrderId: string): PayResultAsync<string> {
  return store.get<PayoutOrderIndex>('card', indexId(providerOrderId)).andThen((idx) =>
    idx ? okAsync(idx.value.payoutId) : errAsync(PaymentErrors.notFound(`no payout is recorded for provider order ${providerOrderId}`)));
}

/**
 * Applies a verified payout report inside a unit of work. A report whose amount differs from the
 * recorded payout is never applied (`Conflict`: a notification with it is not acknowledged). The
 * report settles the operation in flight (the provider knows the order), except a confirm that
 * another process is still sending while the payout shows as held.
 */
export function settlePayoutReport(tx: Store, report: PayoutReport, now: Date, reply = false): PayResultAsync<StoredPayout> {
  if (!isObject(tx)) return errAsync(badArgument('settlePayoutReport', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(report)) return errAsync(badArgument('settlePayoutReport', 'report', 'a PayoutReport { providerOrderId, status }', report));
  if (!isObject(now)) return errAsync(badArgument('settlePayoutReport', 'now', 'the current time (a Date)', now));
  return guardAsync('settlePayoutReport', () => findByProviderOrder(tx, report.providerOrderId).andThen((payoutId) => updateRecord<StoredPayout>(tx, 'payout', payoutId, (cur) => {
    if (report.amount !== undefined && (report.amount.amount !== cur.amount.amount || report.amount.currency !== cur.amount.currency)) {
      return err(PaymentErrors.conflict(`provider reports payout ${cur.payoutId} (order ${report.providerOrderId}) for ${report.amount.amount} ${report.amount.currency} minor units, but ${cur.amount.amount} ${cur.amount.currency} were recorded: investigate before anything else`));
    }
    // A hold reported after a confirm was accepted is an older answer (a query sent before it):
    // the hold was reviewed and released, and its confirm code is spent.
    const staleHold = cur.status === 'accepted' && report.status === 'held_for_review' && cur.confirmCode !== undefined && report.confirmCode === undefined;
    if (staleHold) return ok({ write: true, value: ignoredReportTracking(cur) });
    return payoutTransition(cur.status, report.status).map((t) => {
      const to = t.kind === 'applied' ? t.to : cur.status;
      // A confirm still being sent (its sender holds the lease, in this process or another) is
      // settled by its own reply (`reply`): a query that still shows the hold says nothing about it yet.
      const confirmInFlight = !reply && cur.inFlight?.operation === 'payouts.confirm' && to === 'held_for_review' && stillSending(cur, now);
      if (t.kind === 'ignored') {
        const kept = confirmInFlight ? cur : ignoredReportTracking(cur);
        // The hold reported again (a query crossing the apply's own reply): its confirm code and
        // reason are still the provider's verified word, and the only way to confirm it.
        const again = to === 'held_for_review' && report.status === 'held_for_review' && (report.confirmCode !== undefined || report.reason !== undefined);
        if (!again) return { write: kept !== cur, value: kept };
        return { write: true, value: { ...kept, ...(report.confirmCode !== undefined ? { confirmCode: report.confirmCode } : {}), ...(report.reason !== undefined ? { reason: report.reason } : {}) } };
      }
      const base = confirmInFlight ? cur : settledTracking(cur);
      // A hold's reason belongs to the hold: once the payout moves on without a new reason, drop it.
      const { reason: _previous, ...rest } = base;
      const keepsReason = report.reason === undefined && cur.reason !== undefined && to === 'held_for_review';
      return {
        write: true,
        value: {
          ...rest, status: to,
          ...(keepsReason ? { reason: cur.reason } : {}),
          ...(report.confirmCode !== undefined ? { confirmCode: report.confirmCode } : {}),
          ...(report.providerPayoutId !== undefined ? { providerPayoutId: report.providerPayoutId } : {}),
          ...(report.reason !== undefined ? { reason: report.reason } : {}),
          ...(report.settleDate !== undefined ? { settleDate: report.settleDate } : {}),
        },
      };
    });
  }, 1)));
}

/** Strips storage-only fields. */
export function publicPayout(p: StoredPayout): Payout {
  const { request: _r, attempts: _a, inFlight: _i, lease: _l, checks: _c, lastAttemptAt: _t, ...rest } = p;
  return rest;
}

const sameRequest = (prev: PayoutRequest, input: PayoutInput, providerOrderId: string): boolean =>
  prev.amount.amount === input.amount.amount && prev.amount.currency === input.amount.currency
  && prev.account.accountNumber === input.account.accountNumber && prev.account.accountName === input.account.accountName
  && prev.providerOrderId === providerOrderId;

/** Payout operations of the facade: one provider order number per payout, for ever. */
export class PayoutOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Records and sends a payout through paykit's money protocol. One commit claims the payout id,
   * its provider order number (no two payouts ever share one) and the provider's reservations
   * (same-card allowance, limits); then exactly that request is sent, and the reply is applied in
   * one commit. Submitting a payout id that exists sends nothing and returns the record (also when
   * many identical submits race); a different payout under the same id is a `Conflict`. Only an
   * error that proves nothing was applied records the payout `failed`; anything else is
   * `OutcomeUnknown`, settled by {@link PayoutOps.resolve} or `resolvePending`.
   */
  submit(given: PayoutInput, options: CallOptions = {}): PayResultAsync<Payout> {
    return guardAsync('payouts.submit', () => {
      const valid = decodeWith(PayoutInputCodec, given, 'payouts.submit');
      if (valid.isErr()) return errAsync(valid.error);
      // paykit's own copy: what was checked, recorded and reserved is what is sent, whatever the
      // caller does with its objects meanwhile (a loop reusing one account object).
      const input: PayoutInput = { ...given, amount: { ...given.amount }, account: { ...given.account } };
      const svc = this.#ctx.service('payouts', 'submit', options.instance);
      if (svc.isErr()) return errAsync(svc.error);
      const { clock } = this.#ctx;
      const instanceId = svc.value.instance.id;
      const service = svc.value.service;
      const providerOrderId = input.providerOrderId ?? input.payoutId;
      const now = clock.now();
      const request: PayoutRequest = {
        payoutId: input.payoutId, providerOrderId, amount: input.amount, account: input.account, description: input.description,
        createdAt: now,
        ...(input.memo !== undefined ? { memo: input.memo } : {}),
        ...(input.notifyUrl !== undefined ? { notifyUrl: input.notifyUrl } : {}),
      };
      const claim = (tx: Store): PayResultAsync<Claimed<StoredPayout, Payout>> => tx.get<StoredPayout>('payout', input.payoutId).andThen((existing) => {
        if (existing) {
          // The same payout again is answered from the record; a different one under the same id
          // is refused, never silently mistaken for the first.
          return sameRequest(existing.value.request, input, providerOrderId) ? okAsync({ answer: publicPayout(existing.value) })
            : errAsync(PaymentErrors.conflict(`payout ${input.payoutId} already exists with a different amount, beneficiary or order number; use a new payout id`, { code: 'duplicate_order', path: 'payoutId' }));
        }
        return tx.get<PayoutOrderIndex>('card', indexId(providerOrderId)).andThen((idx) => {
          if (idx && idx.value.payoutId !== input.payoutId) {
            return errAsync(PaymentErrors.conflict(`provider order number ${providerOrderId} is already used by payout ${idx.value.payoutId}; use a new providerOrderId`, { code: 'duplicate_order', path: 'providerOrderId' }));
          }
          const record = claimTracking<StoredPayout>({
            payoutId: input.payoutId, providerOrderId, instanceId, amount: input.amount, status: 'created', request, attempts: 0,
          }, 'payouts.submit', now, DEFAULT_LEASE_MS);
          // An index left by an older paykit without its payout (a crash between two writes) is reused.
          return (idx ? okAsync(undefined) : tx.insert<PayoutOrderIndex>('card', indexId(providerOrderId), { payoutId: input.payoutId }).map(() => undefined))
            .andThen(() => tx.insert('payout', input.payoutId, record))
            .andThen(() => (service.reserve ? service.reserve(request, tx) : okAsync(undefined)))
            .map(() => ({ send: record }));
        });
      });
      return this.#run('payouts.submit', service, claim);
    });
  }

  /** Runs a submit (first send or a resend) through the protocol, once `claim` has marked the payout in flight. */
  #run(operation: MoneyOperation, service: PayoutsCapability, claim: (tx: Store) => PayResultAsync<Claimed<StoredPayout, Payout>>): PayResultAsync<Payout> {
    const ctx = this.#ctx;
    return runMoneyOperation<StoredPayout, PayoutReport, Payout>(ctx, {
      operation,
      describe: (p) => `payout ${p.payoutId} (order ${p.providerOrderId})`,
      resolution: (p) => ({ operation: 'payouts.resolve', reference: p.payoutId, hint: `call paykit.payouts.resolve("${p.payoutId}") (resolvePending does); never resend it under a new order number` }),
      claim,
      send: (p) => (operation === 'payouts.confirm'
        ? service.confirm({ request: p.request, confirmCode: p.confirmCode ?? '' })
        : service.submit(p.request)),
      settle: (tx, _p, report) => settlePayoutReport(tx, report, ctx.clock.now(), true).map(publicPayout),
      release: (tx, p, e) => updateRecord<StoredPayout>(tx, 'payout', p.payoutId, (cur) => {
        // A verified report (or another process's resend) got there first: the provider's word
        // stands, and a refusal of this one send does not fail a payout the provider shows going on.
        if (!sameClaim(cur, p)) return ok({ write: false, value: cur });
        // A refused confirm leaves the hold as it was; a refused submit fails the payout (which
        // also ends its reservations).
        if (operation === 'payouts.confirm') return ok({ write: true, value: settledTracking(cur) });
        return payoutTransition(cur.status, 'failed').map((t) => ({
          write: true,
          value: { ...settledTracking(cur), ...(t.kind === 'applied' ? { status: t.to, reason: { message: e.message, ...(e.providerCode !== undefined ? { providerCode: e.providerCode } : {}), code: e.code } } : {}) },
        }));
      }, 1),
      unknown: (tx, p, e, reply) => updateRecord<StoredPayout>(tx, 'payout', p.payoutId, (cur) => {
        // Settled meanwhile, or claimed again by a resolver (whose lease must stand): nothing to mark.
        if (!sameClaim(cur, p)) return ok({ write: false, value: cur });
        const status = operation === 'payouts.submit' && cur.status === 'created' ? 'unknown' as const : cur.status;
        // A verified hold whose recording failed: its confirm code comes in no query, keep it.
        const code = reply?.status === 'held_for_review' && reply.confirmCode !== undefined ? { confirmCode: reply.confirmCode } : {};
        return ok({ write: true, value: { ...unknownTracking(cur, e.message), status, ...code } });
      }, 1),
    });
  }

  /**
   * Confirms a payout held for review with its confirm code, through the money protocol: one
   * confirm at a time (a concurrent one is a `Conflict`), and a confirm of unknown outcome is never
   * sent again blindly (`resolve` asks the provider first). A hold as a suspected duplicate needs
   * `{ acceptSuspectedDuplicate: true }`.
   */
  confirm(payoutId: string, options: ConfirmOptions = {}): PayResultAsync<Payout> {
    return guardAsync('payouts.confirm', () => this.#load(payoutId).andThen((found) => {
      const svc = this.#ctx.service('payouts', 'confirm', found.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      const now = this.#ctx.clock.now();
      const claim = (tx: Store): PayResultAsync<Claimed<StoredPayout, Payout>> => tx.get<StoredPayout>('payout', payoutId).andThen((rec) => {
        if (!rec) return errAsync(PaymentErrors.notFound(`no payout ${payoutId} is recorded`));
        const cur = rec.value;
        if (cur.inFlight) {
          return errAsync(PaymentErrors.conflict(`payout ${payoutId} has a ${cur.inFlight.operation} ${cur.inFlight.state === 'unknown' ? 'of unknown outcome' : 'in flight'}: paykit.payouts.resolve("${payoutId}") settles it first; it is never sent again blindly`));
        }
        if (cur.status !== 'held_for_review') {
          return errAsync(PaymentErrors.conflict(`payout ${payoutId} is ${cur.status}; only a payout held for review can be confirmed`));
        }
        if (cur.confirmCode === undefined) {
          return errAsync(PaymentErrors.conflict(`payout ${payoutId} is held for review but its confirm code was never received: confirm it on the provider's merchant site, or let the hold close; resolvePending records the outcome`));
        }
        if (cur.reason?.code === 'suspected_duplicate' && options.acceptSuspectedDuplicate !== true) {
          return errAsync(PaymentErrors.conflict(`payout ${payoutId} is held as a suspected duplicate (${cur.reason.providerCode ?? 'no code'}: ${cur.reason.message}): check that no earlier payout already paid this beneficiary the same amount, then confirm with { acceptSuspectedDuplicate: true }`, { code: 'suspected_duplicate' }));
        }
        const next = claimTracking(cur, 'payouts.confirm', now, DEFAULT_LEASE_MS);
        return tx.update('payout', payoutId, rec.version, next).map(() => ({ send: next }));
      });
      return this.#run('payouts.confirm', svc.value.service, claim);
    }));
  }

  /**
   * Settles a payout whose outcome is unknown or stale: takes its lease (so two resolvers never act
   * on it at once), queries the provider and applies the answer. Only when the provider has no
   * record of the order is it sent again, with the same order number, and at most `maxSends` times
   * in all; past that, or after `maxChecks` checks without an answer, it is `needs_attention`.
   */
  resolve(payoutId: string, options: PayoutResolveOptions = {}): PayResultAsync<Payout> {
    return guardAsync('payouts.resolve', () => this.#load(payoutId).andThen((found) => {
      const svc = this.#ctx.service('payouts', 'query', found.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      const service = svc.value.service;
      const { clock } = this.#ctx;
      const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
      const maxSends = options.maxSends ?? 3;
      const maxChecks = options.maxChecks ?? 20;
      const operation = 'payouts.resolve';
      const action = `check payout ${payoutId} with the provider; the next verified notification or query settles it`;
      return takeLease<StoredPayout>(this.#ctx, 'payout', payoutId, leaseMs, operation).andThen((cur) => service.query(cur.request)
        .andThen((report) => commitValue(this.#ctx, (tx) => settlePayoutReport(tx, report, clock.now()), { cause: { source: 'resolve', operation }, attempts: 16 }).map(publicPayout))
        .orElse((e) => {
          // NotFound from the provider's payout query (it names its provider) is its "no record of this
          // order"; paykit's own NotFound (a missing order-number index at settle) is no such answer.
          const neverArrived = e.kind === 'NotFound' && e.providerId !== undefined && (cur.status === 'created' || cur.status === 'unknown');
          if (!neverArrived) return dropLease(this.#ctx, 'payout', payoutId, e, { maxChecks, action, operation }).andThen(() => errAsync(e));
          if (cur.attempts >= maxSends) {
            return commitValue(this.#ctx, (tx) => giveUp(tx, 'payout', payoutId, clock.now(),
              `sent ${cur.attempts} times and the provider still has no record of order ${cur.providerOrderId}`, action), { cause: { source: 'resolve', operation }, attempts: 16 })
              .map((p) => publicPayout(p as StoredPayout));
          }
          // The provider has no record of it: send exactly the recorded request again, same order number.
          return this.#run('payouts.submit', service, (tx) => tx.get<StoredPayout>('payout', payoutId).andThen((rec) => {
            const p = rec?.value;
            if (!rec || !p || (p.status !== 'created' && p.status !== 'unknown') || leasedByOther(p, clock.now())) {
              return errAsync(PaymentErrors.conflict(`payout ${payoutId} moved while it was being resolved; resolve it again`));
            }
            const next = claimTracking(p, 'payouts.submit', clock.now(), leaseMs);
            return tx.update('payout', payoutId, rec.version, next).map(() => ({ send: next }));
          }));
        }));
    }));
  }

  /** Queries the provider for a payout and applies the answer (never resends). */
  query(payoutId: string): PayResultAsync<Payout> {
    return guardAsync('payouts.query', () => this.#load(payoutId).andThen((cur) => {
      const svc = this.#ctx.service('payouts', 'query', cur.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.query(cur.request)
        .andThen((report) => commitValue(this.#ctx, (tx) => settlePayoutReport(tx, report, this.#ctx.clock.now()), { cause: { source: 'query', operation: 'payouts.query' }, attempts: 16 }))
        .map(publicPayout);
    }));
  }

  /** Reads a recorded payout without calling the provider. */
  get(payoutId: string): PayResultAsync<Payout> {
    return guardAsync('payouts.get', () => this.#load(payoutId).map(publicPayout));
  }

  #load(payoutId: string): PayResultAsync<StoredPayout> {
    const id = decodeWith(Reference, payoutId, 'payoutId');
    if (id.isErr()) return errAsync(id.error);
    return this.#ctx.store.get<StoredPayout>('payout', payoutId).andThen((r) =>
      r ? okAsync(r.value) : errAsync(PaymentErrors.notFound(`no payout ${payoutId} is recorded`)));
  }
}

