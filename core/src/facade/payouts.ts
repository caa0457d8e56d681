import { err, errAsync, ok, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { payoutTransition, type Payout, type PayoutAccount } from '../domain/payout.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Money } from '../money/money.js';
import type { PayoutReport, PayoutRequest } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import { PayoutInputCodec, Reference } from './inputs.js';
import { updateRecord } from './records.js';
import { inUnitOfWork } from '../ports/unit-of-work.js';
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

/** Applies a provider payout report to its record by the transition table. */
export function applyPayoutReport(ctx: PaykitContext, report: PayoutReport): PayResultAsync<Payout> {
  return findByProviderOrder(ctx, report.providerOrderId).andThen((payoutId) =>
    updateRecord<StoredPayout>(ctx.store, 'payout', payoutId, (cur) => payoutTransition(cur.status, report.status).map((t) => {
      if (t.kind === 'ignored') return { write: false, value: cur };
      // A hold's reason belongs to the hold: once the payout moves on without a new reason, drop it.
      const { reason: _previous, ...rest } = cur;
      const keepsReason = report.reason === undefined && cur.reason !== undefined && t.to === 'held_for_review';
      return {
        write: true,
        value: {
          ...rest, status: t.to,
          ...(keepsReason ? { reason: cur.reason } : {}),
          ...(report.confirmCode !== undefined ? { confirmCode: report.confirmCode } : {}),
          ...(report.providerPayoutId !== undefined ? { providerPayoutId: report.providerPayoutId } : {}),
          ...(report.reason !== undefined ? { reason: report.reason } : {}),
          ...(report.settleDate !== undefined ? { settleDate: report.settleDate } : {}),
        },
      };
    }))).map(publicPayout);
}

/** The payout id recorded for a provider order number (an index record keeps the mapping). */
function findByProviderOrder(ctx: PaykitContext, providerOrderId: string): PayResultAsync<string> {
  return ctx.store.get<{ payoutId: string }>('card', `payout-order:${providerOrderId}`).andThen((idx) =>
    idx ? okAsync(idx.value.payoutId) : errAsync(PaymentErrors.notFound(`no payout is recorded for provider order ${providerOrderId}`)));
}

function publicPayout(p: StoredPayout): Payout {
  const { request: _r, attempts: _a, ...rest } = p;
  return rest;
}

function mayHaveLanded(e: PaymentError): boolean {
  return e.kind === 'OutcomeUnknown' || e.kind === 'Timeout' || (e.kind === 'Network' && e.sent);
}

function unknownOutcome(payoutId: string, e: PaymentError): PaymentError {
  if (e.kind === 'OutcomeUnknown') return e;
  return PaymentErrors.outcomeUnknown(`payout ${payoutId} may or may not have been accepted: ${e.message}`,
    { operation: 'payouts.resolve', reference: payoutId, hint: `call paykit.payouts.resolve("${payoutId}"); never resend it under a new order number` },
    { ...(e.providerId !== undefined ? { providerId: e.providerId } : {}), cause: e });
}

/** Payout operations of the facade: one provider order number per payout, for ever. */
export class PayoutOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Records and sends a payout. Submitting a payout id that exists sends nothing and returns the
   * record: the only way to send it again is {@link PayoutOps.resolve}, with the same order number.
   */
  submit(input: PayoutInput, options: CallOptions = {}): PayResultAsync<Payout> {
    return guardAsync('payouts.submit', () => {
      const valid = decodeWith(PayoutInputCodec, input, 'payouts.submit');
      if (valid.isErr()) return errAsync(valid.error);
      const svc = this.#ctx.service('payouts', 'submit', options.instance);
      if (svc.isErr()) return errAsync(svc.error);
      const { store, clock } = this.#ctx;
      const providerOrderId = input.providerOrderId ?? input.payoutId;
      const request: PayoutRequest = {
        payoutId: input.payoutId, providerOrderId, amount: input.amount, account: input.account, description: input.description,
        createdAt: clock.now(),
        ...(input.memo !== undefined ? { memo: input.memo } : {}),
        ...(input.notifyUrl !== undefined ? { notifyUrl: input.notifyUrl } : {}),
      };
      const record: StoredPayout = {
        payoutId: input.payoutId, providerOrderId, instanceId: svc.value.instance.id, amount: input.amount,
        status: 'created', request, attempts: 0,
      };
      return store.get<StoredPayout>('payout', input.payoutId).andThen((existing) => {
        if (existing) {
          // The same payout again is answered from the record; a different one under the same id
          // is refused, never silently mistaken for the first.
          const prev = existing.value.request;
          const same = prev.amount.amount === input.amount.amount && prev.amount.currency === input.amount.currency
            && prev.account.accountNumber === input.account.accountNumber && prev.account.accountName === input.account.accountName
            && prev.providerOrderId === providerOrderId;
          return same ? okAsync(publicPayout(existing.value))
            : errAsync(PaymentErrors.conflict(`payout ${input.payoutId} already exists with a different amount, beneficiary or order number; use a new payout id`, { code: 'duplicate_order', path: 'payoutId' }));
        }
        // One commit claims the payout id, its provider order number (no two payouts ever share
        // one) and the provider's reservations (same-card allowance, limits): all or nothing.
        const reserve = svc.value.service.reserve?.bind(svc.value.service);
        return inUnitOfWork(store, (tx) => tx.insert('card', `payout-order:${providerOrderId}`, { payoutId: input.payoutId })
          .andThen(() => tx.insert('payout', input.payoutId, record))
          .andThen(() => (reserve ? reserve(request, tx) : okAsync(undefined))), { attempts: 64 })
          .andThen(() => this.#send(input.payoutId));
      });
    });
  }

  /** Sends (or resends, with the same order number) a recorded payout that is `created`. */
  #send(payoutId: string): PayResultAsync<Payout> {
    const { store } = this.#ctx;
    return updateRecord<StoredPayout>(store, 'payout', payoutId, (cur) => {
      if (cur.status !== 'created') return err(PaymentErrors.conflict(`payout ${payoutId} is ${cur.status}; only a created payout is sent`));
      // Mark it unknown *before* sending: a crash mid-call leaves it to be resolved by query.
      return ok({ write: true, value: { ...cur, status: 'unknown' as const, attempts: cur.attempts + 1 } });
    }).andThen((cur) => {
      const svc = this.#ctx.service('payouts', 'submit', cur.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.submit(cur.request)
        .orElse((e) => (mayHaveLanded(e) ? errAsync(unknownOutcome(payoutId, e))
          : applyPayoutReport(this.#ctx, { providerOrderId: cur.providerOrderId, status: 'failed', reason: { message: e.message, ...(e.providerCode ? { providerCode: e.providerCode } : {}) } }).andThen(() => errAsync(e))))
        .andThen((report) => applyPayoutReport(this.#ctx, report));
    });
  }

  /** Confirms a payout held for review with its confirm code. */
  confirm(payoutId: string): PayResultAsync<Payout> {
    return guardAsync('payouts.confirm', () => this.#load(payoutId).andThen((cur) => {
      if (cur.status !== 'held_for_review' || cur.confirmCode === undefined) {
        return errAsync(PaymentErrors.conflict(`payout ${payoutId} is ${cur.status}; only a payout held for review with a confirm code can be confirmed`));
      }
      const svc = this.#ctx.service('payouts', 'confirm', cur.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.confirm({ request: cur.request, confirmCode: cur.confirmCode })
        .orElse((e) => errAsync(mayHaveLanded(e) ? unknownOutcome(payoutId, e) : e))
        .andThen((report) => applyPayoutReport(this.#ctx, report));
    }));
  }

  /**
   * Settles a payout of unknown or stale outcome: queries the provider and applies the answer; only
   * when the provider has no record of the order is it sent again, with the same order number.
   */
  resolve(payoutId: string): PayResultAsync<Payout> {
    return guardAsync('payouts.resolve', () => this.#load(payoutId).andThen((cur) => {
      const svc = this.#ctx.service('payouts', 'query', cur.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.query(cur.request)
        .andThen((report) => applyPayoutReport(this.#ctx, report))
        .orElse((e) => {
          if (e.kind !== 'NotFound' || !['unknown', 'created'].includes(cur.status)) return errAsync(e);
          return updateRecord<StoredPayout>(this.#ctx.store, 'payout', payoutId, (p) => payoutTransition(p.status, 'created')
            .map((t) => (t.kind === 'applied' ? { write: true, value: { ...p, status: 'created' as const } } : { write: false, value: p })))
            .andThen(() => this.#send(payoutId));
        });
    }));
  }

  /** Queries the provider for a payout and applies the answer (never resends). */
  query(payoutId: string): PayResultAsync<Payout> {
    return guardAsync('payouts.query', () => this.#load(payoutId).andThen((cur) => {
      const svc = this.#ctx.service('payouts', 'query', cur.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.query(cur.request).andThen((report) => applyPayoutReport(this.#ctx, report));
    }));
  }

  /** Reads a recorded payout without calling the provider. */
  get(payoutId: string): PayResultAsync<Payout> {
    return this.#load(payoutId).map(publicPayout);
  }

  #load(payoutId: string): PayResultAsync<StoredPayout> {
    const id = decodeWith(Reference, payoutId, 'payoutId');
    if (id.isErr()) return errAsync(id.error);
    return this.#ctx.store.get<StoredPayout>('payout', payoutId).andThen((r) =>
      r ? okAsync(r.value) : errAsync(PaymentErrors.notFound(`no payout ${payoutId} is recorded`)));
  }
}
