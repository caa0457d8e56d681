import { guard, type PayResult } from '../errors/result.js';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';

/** ISO 4217 alphabetic codes paykit knows. */
export type CurrencyCode =
  | 'CNY' | 'USD' | 'HKD' | 'JPY' | 'EUR' | 'MYR' | 'AUD' | 'GBP' | 'CAD' | 'SGD' | 'SEK'
  | 'KRW' | 'TWD' | 'CHF' | 'NZD' | 'THB' | 'MOP' | 'NOK' | 'DKK' | 'RUB';

/** A currency: ISO alphabetic code, ISO numeric code (three digits, zero-padded) and minor-unit exponent. */
export interface Currency {
  /** ISO 4217 alphabetic code, e.g. `CNY`. */
  readonly code: CurrencyCode;
  /** ISO 4217 numeric code as three digits, e.g. `156`, `036`. */
  readonly numeric: string;
  /** Digits after the decimal point in the minor unit: 2 for CNY (fen), 0 for JPY. */
  readonly exponent: number;
}

/** The currency registry, keyed by alphabetic code (ISO 4217). */
export const CURRENCIES: { readonly [K in CurrencyCode]: Currency } = {
  CNY: { code: 'CNY', numeric: '156', exponent: 2 },
  USD: { code: 'USD', numeric: '840', exponent: 2 },
  HKD: { code: 'HKD', numeric: '344', exponent: 2 },
  JPY: { code: 'JPY', numeric: '392', exponent: 0 },
  EUR: { code: 'EUR', numeric: '978', exponent: 2 },
  MYR: { code: 'MYR', numeric: '458', exponent: 2 },
  AUD: { code: 'AUD', numeric: '036', exponent: 2 },
  GBP: { code: 'GBP', numeric: '826', exponent: 2 },
  CAD: { code: 'CAD', numeric: '124', exponent: 2 },
  SGD: { code: 'SGD', numeric: '702', exponent: 2 },
  SEK: { code: 'SEK', numeric: '752', exponent: 2 },
  KRW: { code: 'KRW', numeric: '410', exponent: 0 },
  TWD: { code: 'TWD', numeric: '901', exponent: 2 },
  CHF: { code: 'CHF', numeric: '756', exponent: 2 },
  NZD: { code: 'NZD', numeric: '554', exponent: 2 },
  THB: { code: 'THB', numeric: '764', exponent: 2 },
  MOP: { code: 'MOP', numeric: '446', exponent: 2 },
  NOK: { code: 'NOK', numeric: '578', exponent: 2 },
  DKK: { code: 'DKK', numeric: '208', exponent: 2 },
  RUB: { code: 'RUB', numeric: '643', exponent: 2 },
};

/** Every known alphabetic code. */
export const CURRENCY_CODES = Object.keys(CURRENCIES) as readonly CurrencyCode[];

const byNumeric = new Map<string, Currency>(Object.values(CURRENCIES).map((c) => [c.numeric, c]));

/** Type guard for {@link CurrencyCode}. */
export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCIES, value);
}

/** Looks a currency up by alphabetic code (`CNY`) or numeric code (`156`, `36`, `036`). */
export function currencyOf(code: string): PayResult<Currency> {
  return guard('currencyOf', () => {
    if (typeof code !== 'string') return err(PaymentErrors.invalidRequest('currency must be a string such as "CNY" or "156"'));
    const upper = code.trim().toUpperCase();
    if (isCurrencyCode(upper)) return ok(CURRENCIES[upper]);
    if (/^\d{1,3}$/.test(upper)) {
      const found = byNumeric.get(upper.padStart(3, '0'));
      if (found) return ok(found);
    }
    return err(PaymentErrors.invalidRequest(
      `unknown currency "${code.slice(0, 12)}": use an ISO 4217 code paykit knows (${CURRENCY_CODES.join(', ')})`,
      { path: 'currency' },
    ));
  });
}
