/**
 * Per-payout and per-day payout limits of an instance (`perPayoutLimit`, `perDayLimit`), checked
 * and reserved inside paykit's claim of a payout (core's `PayoutsCapability.reserve`): what is read
 * and written here commits together with the payout record, or not at all.
 *
 * The day ledger is a store record (kind `card`, id `lianlian-payout:<instance>:day:<YYYYMMDD>`,
 * the China Standard Time day of the payout's `dt_order`) listing every payout reserved that day
 * with its amount. Like the same-card ledger, a reservation stops counting as soon as the payout's
 * own record is `failed`, `closed` or `returned`; that is computed when the ledger is read, never
 * written back, so a provider's later correction (a failed payout found paid) counts again.
 */
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  addMoney, compareMoney, formatCst, guardAsync, PaymentErrors, sumMoney, type Money, type PaymentError, type Payout, type PayoutRequest,
  type PayResult, type PayResultAsync, type Store, type Versioned,
} from '@paykit/core';
import { RELEASING_STATUSES } from './card-policy.js';

/** What the store keeps per instance and day: the payouts reserved against the day's limit. */
export interface DayLedger {
  /** Currency of every amount (CNY). */
  readonly currency: 'CNY';
  /** Amounts by payout id. */
  readonly payouts: Readonly<Record<string, Money>>;
}

/** The limits an instance is configured with (CNY, in fen). */
export interface PayoutLimits {
  /** Largest single payout. */
  readonly perPayoutLimit?: Money;
  /** Largest total of one China Standard Time day's payouts (by `dt_order`), failed/closed/returned ones left out. */
  readonly perDayLimit?: Money;
}

/** The id of an instance's day ledger for a payout made at `at` (the CST day of its `dt_order`). */
export function dayLedgerId(instanceId: string, at: Date): string {
  return `lianlian-payout:${instanceId}:day:${formatCst(at).slice(0, 8)}`;
}

function exceeded(message: string): PaymentError {
  return PaymentErrors.invalidRequest(message, { path: 'amount', code: 'limit_exceeded' });
}

/** The sum of the reservations in `payouts` whose payout record does not release them. */
function counted(tx: Store, payouts: Readonly<Record<string, Money>>): PayResultAsync<Money> {
  const ids = Object.keys(payouts);
  return ids.reduce<PayResultAsync<Money[]>>((acc, id) => acc.andThen((kept) => tx.get<Payout>('payout', id)
    .map((r) => (r !== undefined && RELEASING_STATUSES.includes(r.value.status) ? kept : [...kept, payouts[id] as Money]))), okAsync([]))
    .andThen((kept) => sumMoney(kept, 'CNY'));
}

/**
 * Checks a payout against the instance's limits and reserves it in the day ledger, through `tx`.
 * `InvalidRequest` with code `limit_exceeded` (path `amount`) when it would go above either limit.
 *
 * @example
 * ```ts
 * reserveLimits(request, tx, 'payouts', { perDayLimit: { amount: 5_000_000, currency: 'CNY' } });
 * ```
 */
export function reserveLimits(request: PayoutRequest, tx: Store, instanceId: string, limits: PayoutLimits): PayResultAsync<void> {
  return guardAsync('lianlian-payout.reserveLimits', () => {
    if (typeof request !== 'object' || request === null || typeof request.payoutId !== 'string' || !(request.createdAt instanceof Date)) {
      return errAsync(PaymentErrors.invalidRequest('request must be the payout request: { payoutId, amount, createdAt, … }', { path: 'request' }));
    }
    if (typeof tx?.get !== 'function') return errAsync(PaymentErrors.invalidRequest('tx must be the store (unit of work) the payout is claimed in', { path: 'tx' }));
    if (typeof instanceId !== 'string') return errAsync(PaymentErrors.invalidRequest('instanceId must be the id of the payout instance', { path: 'instanceId' }));
    if (typeof limits !== 'object' || limits === null) return errAsync(PaymentErrors.invalidRequest('limits must be an object with perPayoutLimit and/or perDayLimit, or {}', { path: 'limits' }));
    const { perPayoutLimit, perDayLimit } = limits;
    if (perPayoutLimit !== undefined) {
      const c = compareMoney(request.amount, perPayoutLimit);
      if (c.isErr()) return errAsync(c.error);
      if (c.value > 0) return errAsync(exceeded(`payout of ${request.amount.amount} fen exceeds this instance's per-payout limit of ${perPayoutLimit.amount} fen (perPayoutLimit)`));
    }
    if (perDayLimit === undefined) return okAsync(undefined);
    const id = dayLedgerId(instanceId, request.createdAt);
    const day = id.slice(-8);
    return tx.get<DayLedger>('card', id).andThen((cur: Versioned<DayLedger> | undefined) => {
      const payouts = cur?.value.payouts ?? {};
      const held = payouts[request.payoutId];
      if (held !== undefined && held.amount === request.amount.amount) return okAsync(undefined); // already reserved
      const others = Object.fromEntries(Object.entries(payouts).filter(([pid]) => pid !== request.payoutId));
      // The day's total with this payout, and whether it stays within the limit.
      const withThis = (total: Money): PayResult<{ readonly total: Money; readonly fits: boolean }> =>
        addMoney(total, request.amount).andThen((t) => compareMoney(t, perDayLimit).map((c) => ({ total: t, fits: c <= 0 })));
      // Released reservations only lower the total: read the payout records only when the plain sum is too high.
      return sumMoney(Object.values(others), 'CNY').andThen(withThis).asyncAndThen((plain) => (plain.fits ? okAsync(undefined)
        : counted(tx, others).andThen((live) => withThis(live).andThen((r) => (r.fits ? ok(undefined)
          : err(exceeded(`payout of ${request.amount.amount} fen would take the payouts of ${day} (China Standard Time) to ${r.total.amount} fen, above this instance's per-day limit of ${perDayLimit.amount} fen (perDayLimit); failed, closed and returned payouts do not count`)))))))
        .andThen(() => {
          const next: DayLedger = { currency: 'CNY', payouts: { ...payouts, [request.payoutId]: request.amount } };
          return (cur === undefined ? tx.insert('card', id, next) : tx.update('card', id, cur.version, next)).map(() => undefined);
        });
    });
  });
}
