import * as t from 'io-ts';
import { isCurrencyCode, type CurrencyCode } from './currency.js';
import type { Money } from './money.js';

/** io-ts codec for {@link Money}: a safe-integer amount of minor units and a known currency code. */
export const MoneyCodec = new t.Type<Money, Money, unknown>(
  'Money',
  (u): u is Money => typeof u === 'object' && u !== null && Number.isSafeInteger((u as Money).amount) && isCurrencyCode((u as Money).currency),
  (u, c) => {
    if (typeof u !== 'object' || u === null) return t.failure(u, c, 'expected money as { amount: <integer minor units>, currency: "CNY" }');
    const { amount, currency } = u as { amount?: unknown; currency?: unknown };
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) return t.failure(amount, c, 'expected amount as an integer number of minor units (4965 for 49.65)');
    if (!isCurrencyCode(currency)) return t.failure(currency, c, 'expected a known ISO 4217 currency code');
    return t.success({ amount, currency: currency as CurrencyCode });
  },
  t.identity,
);

/** io-ts codec for a positive {@link Money}. */
export const PositiveMoneyCodec = new t.Type<Money, Money, unknown>(
  'PositiveMoney',
  (u): u is Money => MoneyCodec.is(u) && u.amount > 0,
  (u, c) => {
    const r = MoneyCodec.validate(u, c);
    if (r._tag === 'Left') return r;
    return r.right.amount > 0 ? r : t.failure(u, c, 'expected an amount greater than zero');
  },
  t.identity,
);
