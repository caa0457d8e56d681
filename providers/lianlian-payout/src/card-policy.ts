/**
 * "Same card in, same card out" (guide section 七): a payout may go only to a card that paid in,
 * and the payouts to a card may not exceed what it paid in plus declared gains. Kept in the store
 * under record kind `card`, keyed by an HMAC-SHA256 of the card number under the instance's
 * `cardLedgerKey` (neither the number nor a plain hash of it is stored: a plain hash is reversed by
 * trying the numbers of its BIN).
 *
 * A reservation stops counting as soon as the payout's own record (store kind `payout`, kept by
 * paykit's facade) is `failed`, `closed` or `returned`, whichever way that news arrived: reply,
 * query or notification. Nothing has to remember to release it.
 */
import { inject, injectable } from 'inversify';
import { LianlianPayoutTokens } from './tokens.js';
import { err, errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import {
  compareMoney, guard, hmac, isCurrencyCode, PaymentErrors, subtractMoney, sumMoney, Tokens, updateRecord, type CurrencyCode, type Money,
  type ObservedPayment, type Payment, type PaymentObserver, type Payout, type PayoutStatus, type PayResult, type PayResultAsync, type Secret, type Store, type Versioned,
} from '@paykit/core';

/** Final payout statuses in which no money stays with the beneficiary: their reservations no longer count. */
export const RELEASING_STATUSES: readonly PayoutStatus[] = ['failed', 'closed', 'returned'];

/** What the store keeps per card: every pay-in, gain and payout reservation by its reference. */
export interface CardLedger {
  /** Currency of every amount. */
  readonly currency: CurrencyCode;
  /** Pay-ins by payment reference (idempotent: a redelivered payment event counts once). */
  readonly payIns: Readonly<Record<string, Money>>;
  /** Declared gains (interest, returns) by reference. */
  readonly gains: Readonly<Record<string, Money>>;
  /** Payouts reserved against the card, by payout id. */
  readonly payouts: Readonly<Record<string, Money>>;
  /**
   * Payments of linked instances (`payInInstances`) made with this card, by order number, with
   * their amount. What they count for is read from the payment records each time: the amount less
   * what was refunded once the payment succeeded, nothing before.
   */
  readonly linked?: Readonly<Record<string, Money>>;
}

/** What a linked payment counts for now: its amount less refunds once paid, else nothing. */
function paidPart(p: Payment | undefined, currency: CurrencyCode): PayResult<Money> {
  if (p === undefined || !['succeeded', 'partially_refunded'].includes(p.status)) return ok({ amount: 0, currency });
  return subtractMoney(p.amount, p.refunded);
}

/** A card's position under the policy. */
export interface CardAllowance {
  /** Sum of pay-ins. */
  readonly paidIn: Money;
  /** Sum of declared gains. */
  readonly gains: Money;
  /** Sum of payouts reserved (not released). */
  readonly paidOut: Money;
  /** What may still be paid out to the card. */
  readonly available: Money;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function sum(items: Readonly<Record<string, Money>>, currency: CurrencyCode): PayResult<Money> {
  return sumMoney(Object.values(items), currency);
}

/**
 * Computes a card's allowance, leaving out one payout's reservation (`except`) and any `released`
 * ones; `linkedPaid` is what its linked payments count for now.
 */
export function allowanceOf(ledger: CardLedger, except?: string, released: ReadonlySet<string> = new Set(), linkedPaid?: Money): PayResult<CardAllowance> {
  return guard('lianlian-payout.allowanceOf', () => {
    if (!isObject(ledger) || !isCurrencyCode(ledger.currency) || !isObject(ledger.payIns) || !isObject(ledger.gains) || !isObject(ledger.payouts)) {
      return err(PaymentErrors.invalidRequest('ledger must be a card ledger: { currency, payIns, gains, payouts }, the last three objects of amounts by reference', { path: 'ledger' }));
    }
    if (typeof released?.has !== 'function') return err(PaymentErrors.invalidRequest('released must be a Set of the payout ids whose reservation no longer counts', { path: 'released' }));
    const linked = linkedPaid ?? { amount: 0, currency: ledger.currency };
    const payouts = Object.fromEntries(Object.entries(ledger.payouts).filter(([id]) => id !== except && !released.has(id)));
    return sum(ledger.payIns, ledger.currency).andThen((own) => sumMoney([own, linked], ledger.currency)).andThen((paidIn) => sum(ledger.gains, ledger.currency).andThen((gains) =>
      sum(payouts, ledger.currency).andThen((paidOut) => sumMoney([paidIn, gains], ledger.currency)
        .andThen((total) => subtractMoney(total, paidOut)).map((available) => ({ paidIn, gains, paidOut, available })))));
  });
}

/**
 * The policy service, bound to {@link LianlianPayoutTokens.CardPolicy}. Feed it pay-ins (e.g. from
 * verified payment events) and declared gains; with `sameCardPolicy` set, the payout capability's
 * `reserve` calls {@link SameCardPolicy.authorize} inside paykit's claim of every new payout.
 *
 * @example
 * ```ts
 * const policy = paykit.extension('payouts', LianlianPayoutTokens.CardPolicy);
 * if (policy.isOk()) await policy.value.recordPayIn('6216261234567890018', { amount: 10000, currency: 'CNY' }, 'order-1');
 * ```
 */
@injectable()
export class SameCardPolicy {
  readonly #store: Store;
  readonly #instanceId: string;
  readonly #key: Secret | undefined;

  /** Built by the container, with the instance's options (`cardLedgerKey`). */
  constructor(@inject(Tokens.Store) store: Store, @inject(Tokens.InstanceId) instanceId: string, @inject(Tokens.InstanceConfig) options: unknown) {
    this.#store = store;
    this.#instanceId = instanceId;
    this.#key = (options as { cardLedgerKey?: Secret } | undefined)?.cardLedgerKey;
  }

  #id(cardNumber: string): PayResult<string> {
    if (!this.#key) {
      return err(PaymentErrors.invalidConfig('the same-card ledger needs cardLedgerKey in the instance options (e.g. "env:PAYKIT_CARD_LEDGER_KEY" holding `openssl rand -base64 32`)', { path: 'cardLedgerKey' }));
    }
    return ok(`lianlian-payout:${this.#instanceId}:${hmac('sha256', this.#key.reveal(), cardNumber.replace(/\s+/g, '')).toString('hex')}`);
  }

  #ledger(cardNumber: string, store: Store): PayResultAsync<Versioned<CardLedger> | undefined> {
    const id = this.#id(cardNumber);
    return id.isErr() ? errAsync(id.error) : store.get<CardLedger>('card', id.value);
  }

  #update(cardNumber: string, currency: CurrencyCode, change: (l: CardLedger) => PayResult<CardLedger | undefined>, store: Store = this.#store): PayResultAsync<CardLedger> {
    const ledgerId = this.#id(cardNumber);
    if (ledgerId.isErr()) return errAsync(ledgerId.error);
    const id = ledgerId.value;
    const empty: CardLedger = { currency, payIns: {}, gains: {}, payouts: {} };
    return store.get<CardLedger>('card', id)
      .andThen((cur) => (cur ? okAsync(undefined) : store.insert('card', id, empty).map(() => undefined)
        .orElse((e) => (e.kind === 'Conflict' ? okAsync(undefined) : errAsync(e)))))
      .andThen(() => updateRecord<CardLedger>(store, 'card', id, (l) => {
        if (l.currency !== currency) return err(PaymentErrors.invalidRequest(`this card's ledger is in ${l.currency}, not ${currency}`, { path: 'amount.currency' }));
        return change(l).map((next) => (next === undefined ? { write: false, value: l } : { write: true, value: next }));
      }));
  }

  /** The reserved payout ids whose payout record is final without money kept by the beneficiary. */
  #released(ledger: CardLedger, store: Store): PayResultAsync<ReadonlySet<string>> {
    return ResultAsync.combine(Object.keys(ledger.payouts).map((id) => store.get<Payout>('payout', id)
      .map((r) => (r !== undefined && RELEASING_STATUSES.includes(r.value.status) ? id : undefined))))
      .map((ids) => new Set(ids.filter((id): id is string => id !== undefined)));
  }

  /** What the card's linked payments count for now, read from their payment records through `store`. */
  #linkedPaid(ledger: CardLedger, store: Store): PayResultAsync<Money> {
    return ResultAsync.combine(Object.keys(ledger.linked ?? {}).map((orderId) => store.get<Payment>('payment', orderId)
      .andThen((r) => paidPart(r?.value, ledger.currency))))
      .andThen((parts) => sumMoney(parts, ledger.currency));
  }

  /**
   * Links a payment of a linked instance to the card, through `store` (paykit passes the unit of
   * work recording the payment). It counts as paid in once the payment succeeds.
   */
  linkPayment(cardNumber: string, orderId: string, amount: Money, store: Store = this.#store): PayResultAsync<CardLedger> {
    return this.#update(cardNumber, amount.currency, (l) => ok(Object.hasOwn(l.linked ?? {}, orderId) ? undefined : { ...l, linked: { ...l.linked, [orderId]: amount } }), store);
  }

  /** Records a payment into the card (once per reference). */
  recordPayIn(cardNumber: string, amount: Money, reference: string): PayResultAsync<CardLedger> {
    return this.#update(cardNumber, amount.currency, (l) => ok(Object.hasOwn(l.payIns, reference) ? undefined : { ...l, payIns: { ...l.payIns, [reference]: amount } }));
  }

  /** Declares gains (interest, returns) the card's owner may withdraw on top of pay-ins (once per reference). */
  declareGain(cardNumber: string, amount: Money, reference: string): PayResultAsync<CardLedger> {
    return this.#update(cardNumber, amount.currency, (l) => ok(Object.hasOwn(l.gains, reference) ? undefined : { ...l, gains: { ...l.gains, [reference]: amount } }));
  }

  /**
   * Checks a payout against the policy and reserves it, reading and writing through `store`: paykit
   * passes the unit of work of the payout's claim (core's `PayoutsCapability.reserve`), so the
   * reservation commits with the payout record or not at all; called by hand, the injected store.
   * Idempotent per payout id (a resubmission with the same order is not counted twice).
   * `InvalidRequest` when the card never paid in (`invalid_account`) or the amount exceeds what is
   * available (`limit_exceeded`).
   */
  authorize(cardNumber: string, amount: Money, payoutId: string, store: Store = this.#store): PayResultAsync<CardAllowance> {
    return this.#ledger(cardNumber, store).andThen((cur) => (cur ? this.#linkedPaid(cur.value, store).map((linked) => ({ cur, linked })) : okAsync({ cur, linked: undefined }))).andThen(({ cur, linked }) => {
      if (!cur || (Object.keys(cur.value.payIns).length === 0 && (linked?.amount ?? 0) === 0)) {
        return errAsync(PaymentErrors.invalidRequest('same card in, same card out: this card never paid in, so it cannot receive a payout (guide 七)', { path: 'account.accountNumber', code: 'invalid_account' }));
      }
      return this.#released(cur.value, store).andThen((released) => this.#update(cardNumber, amount.currency, (l) => allowanceOf(l, payoutId, released, linked)
        .andThen((a) => compareMoney(amount, a.available).andThen((c) => {
          if (c > 0) {
            return err(PaymentErrors.invalidRequest(`same card in, same card out: ${amount.amount} exceeds the ${a.available.amount} this card may still receive (paid in ${a.paidIn.amount} + gains ${a.gains.amount} − paid out ${a.paidOut.amount}, minor units)`, { path: 'amount', code: 'limit_exceeded' }));
          }
          // Released reservations stay in the ledger: whether they count is read from the payout
          // records each time, so a payout a provider later reports paid after all counts again.
          const same = l.payouts[payoutId];
          return ok(same !== undefined && same.amount === amount.amount && same.currency === amount.currency ? undefined : { ...l, payouts: { ...l.payouts, [payoutId]: amount } });
        })), store).andThen((l) => allowanceOf(l, undefined, released, linked)));
    });
  }

  /**
   * Releases a payout's reservation by hand. Payouts sent through `paykit.payouts` need no call: their
   * reservation stops counting once their record is failed, closed or returned.
   */
  release(cardNumber: string, payoutId: string): PayResultAsync<CardAllowance> {
    return this.#ledger(cardNumber, this.#store).andThen((cur) => {
      if (!cur) return errAsync(PaymentErrors.notFound('no pay-in is recorded for this card'));
      return this.#update(cardNumber, cur.value.currency, (l) => {
        if (!Object.hasOwn(l.payouts, payoutId)) return ok(undefined);
        const { [payoutId]: _released, ...rest } = l.payouts;
        return ok({ ...l, payouts: rest });
      }).andThen((l) => this.#position(l, this.#store));
    });
  }

  #position(l: CardLedger, store: Store): PayResultAsync<CardAllowance> {
    return this.#released(l, store).andThen((released) => this.#linkedPaid(l, store).andThen((linked) => allowanceOf(l, undefined, released, linked)));
  }

  /** The card's current allowance; `NotFound` when nothing was recorded for it. */
  allowance(cardNumber: string): PayResultAsync<CardAllowance> {
    return this.#ledger(cardNumber, this.#store).andThen((cur) =>
      (cur ? this.#position(cur.value, this.#store) : errAsync(PaymentErrors.notFound('no pay-in is recorded for this card'))));
  }
}

/**
 * Feeds the same-card ledger from the payments of the instances in `payInInstances`, bound to
 * `Tokens.PaymentObserver`: a payment created there with `payer.cardNumber` is linked to its card in
 * the commit that records it.
 */
@injectable()
export class SameCardPayIns implements PaymentObserver {
  readonly #policy: SameCardPolicy;
  readonly #sources: readonly string[];

  /** Built by the container. */
  constructor(@inject(LianlianPayoutTokens.CardPolicy) policy: SameCardPolicy, @inject(Tokens.InstanceConfig) options: unknown) {
    this.#policy = policy;
    this.#sources = (options as { payInInstances?: readonly string[] } | undefined)?.payInInstances ?? [];
  }

  /** Whether payments of `instanceId` feed the ledger. */
  observes(instanceId: string): boolean {
    return this.#sources.includes(instanceId);
  }

  /** Links a payment made with a card (and in the ledger's currency) to that card. */
  paymentCreated(tx: Store, payment: ObservedPayment): PayResultAsync<void> {
    const card = payment.payer?.cardNumber;
    // A payment without a card number (a bound-card agreement, another currency) cannot be linked:
    // record its pay-in by hand with recordPayIn if the card is known.
    if (card === undefined || payment.amount.currency !== 'CNY') return okAsync(undefined);
    return this.#policy.linkPayment(card, payment.orderId, payment.amount, tx).map(() => undefined);
  }
}
