import { add as dAdd, compare as dCompare, dinero, subtract as dSubtract, toSnapshot, type Dinero } from 'dinero.js';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';
import { kindOf, textOf } from '../errors/text.js';
import { CURRENCIES, currencyOf, isCurrencyCode, type CurrencyCode } from './currency.js';

/**
 * An amount of money as plain data: an integer count of the currency's minor unit
 * (fen for CNY, cents for USD, yen for JPY). Never a float.
 */
export interface Money {
  /** Integer number of minor units; a safe integer. */
  readonly amount: number;
  /** ISO 4217 alphabetic code. */
  readonly currency: CurrencyCode;
}

/** Options for parsing amounts. */
export interface AmountOptions {
  /** Accept negative amounts (statements carry negative refund lines). Default false. */
  readonly allowNegative?: boolean;
  /** Accept zero. Default true. */
  readonly allowZero?: boolean;
  /** Field path used in error messages. */
  readonly path?: string;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function checkRange(minor: bigint, currency: CurrencyCode, text: string, o: AmountOptions): PayResult<Money> {
  const path = o.path ?? 'amount';
  if (minor > MAX || minor < -MAX) {
    return err(PaymentErrors.invalidRequest(`${path} "${text.slice(0, 40)}" is too large: at most ${Number.MAX_SAFE_INTEGER} minor units`, { path, code: 'invalid_amount' }));
  }
  if (minor < 0n && o.allowNegative !== true) {
    return err(PaymentErrors.invalidRequest(`${path} must not be negative (got "${text.slice(0, 40)}")`, { path, code: 'invalid_amount' }));
  }
  if (minor === 0n && o.allowZero === false) {
    return err(PaymentErrors.invalidRequest(`${path} must be greater than zero`, { path, code: 'invalid_amount' }));
  }
  return ok({ amount: Number(minor), currency });
}

/**
 * Builds a {@link Money} from an integer count of minor units, rejecting floats, NaN and unsafe integers.
 *
 * @example
 * ```ts
 * money(4965, 'CNY') // Ok({ amount: 4965, currency: 'CNY' }) = ¥49.65
 * ```
 */
export function money(amount: number, currency: string, o: AmountOptions = {}): PayResult<Money> {
  return guard('money', () => {
    const path = o.path ?? 'amount';
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
      return err(PaymentErrors.invalidRequest(`${path} must be an integer number of minor units (e.g. 4965 for 49.65), got ${typeof amount === 'number' ? String(amount) : typeof amount}`, { path, code: 'invalid_amount' }));
    }
    return currencyOf(currency).andThen((c) => checkRange(BigInt(amount), c.code, String(amount), o));
  });
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * The minor units of the decimal `text[start, end)` (`-?\d+(\.\d+)?`) in a currency with
 * `exponent` decimals, read in place by integer arithmetic, or NaN when the text is not on this
 * fast path: malformed, too many decimals, or more than 15 significant digits (integers below
 * 10^15 are exact in a double; no float ever holds a fraction). For parsers that read columns in
 * place; whatever it leaves (NaN) goes to {@link parseDecimal}, which also uses it first.
 *
 * @example
 * ```ts
 * fastMinorUnits('x|12.5|y', 2, 6, 2) // 1250
 * fastMinorUnits('1.005', 0, 5, 2)    // NaN: parseDecimal says why
 * ```
 */
export function fastMinorUnits(text: string, start: number, end: number, exponent: number): number {
  // Never a throw or an endless loop, whatever is passed: anything odd is simply not the fast path.
  if (typeof text !== 'string' || !(end > start) || !(exponent >= 0 && exponent <= 15 && exponent % 1 === 0)) return Number.NaN;
  let i = start;
  const negative = text.charCodeAt(i) === 0x2d;
  if (negative) i += 1;
  const wholeFrom = i;
  let n = 0;
  for (; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  const whole = i - wholeFrom;
  if (whole === 0 || whole + exponent > 15) return Number.NaN;
  let decimals = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 0x2e) return Number.NaN;
    const fracFrom = i + 1;
    for (i = fracFrom; i < end; i += 1) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return Number.NaN;
      n = n * 10 + (c - 0x30);
    }
    decimals = end - fracFrom;
    if (decimals === 0 || decimals > exponent) return Number.NaN;
  }
  for (; decimals < exponent; decimals += 1) n *= 10;
  // 0 - n, not -n: "-0.00" is zero, never negative zero (as with the bigint path).
  return negative ? 0 - n : n;
}

/**
 * The fast path of the parsers below: {@link fastMinorUnits} of the whole text (at the currency's
 * exponent, or at `exponent`), when the options accept it; undefined sends the text the long way.
 */
function fastAmount(text: string, currency: string, o: AmountOptions, exponent?: number): PayResult<Money> | undefined {
  if (typeof text !== 'string' || !isCurrencyCode(currency)) return undefined;
  const minor = fastMinorUnits(text, 0, text.length, exponent ?? CURRENCIES[currency].exponent);
  if (Number.isNaN(minor) || (minor === 0 && o.allowZero === false) || (minor < 0 && o.allowNegative !== true)) return undefined;
  return ok({ amount: minor, currency });
}

/**
 * Parses a provider decimal string (`"49.65"`, `"0.5"`, `"100"`) into minor units, exactly.
 * Rejects more decimals than the currency allows, exponents, hex, signs other than a leading `-`
 * (when allowed), whitespace, empty strings, NaN and values past 2^53.
 *
 * @example
 * ```ts
 * parseDecimal('49.65', 'CNY') // Ok({ amount: 4965, currency: 'CNY' })
 * parseDecimal('1.005', 'CNY') // Err(InvalidRequest: at most 2 decimals)
 * ```
 */
export function parseDecimal(text: string, currency: string, o: AmountOptions = {}): PayResult<Money> {
  const fast = fastAmount(text, currency, o);
  if (fast) return fast;
  return guard('parseDecimal', () => {
    const path = o.path ?? 'amount';
    if (typeof text !== 'string') return err(PaymentErrors.invalidRequest(`${path} must be a decimal string such as "49.65"`, { path, code: 'invalid_amount' }));
    return currencyOf(currency).andThen((c) => {
      const m = DECIMAL.exec(text);
      if (!m) {
        return err(PaymentErrors.invalidRequest(`${path} "${text.slice(0, 40)}" is not a plain decimal number: use digits with an optional "." (no exponent, sign, spaces or hex)`, { path, code: 'invalid_amount' }));
      }
      const [, minus, whole = '', frac = ''] = m;
      if (frac.length > c.exponent) {
        return err(PaymentErrors.invalidRequest(`${path} "${text.slice(0, 40)}" has ${frac.length} decimals; ${c.code} allows at most ${c.exponent}`, { path, code: 'invalid_amount' }));
      }
      if (whole.length > 20) {
        return err(PaymentErrors.invalidRequest(`${path} "${text.slice(0, 40)}" is too large`, { path, code: 'invalid_amount' }));
      }
      const digits = whole + frac.padEnd(c.exponent, '0');
      const magnitude = BigInt(digits);
      return checkRange(minus ? -magnitude : magnitude, c.code, text, o);
    });
  });
}

/**
 * Parses a provider integer minor-unit string (`"1000"` = ¥10.00) into {@link Money}.
 */
export function parseMinorUnits(text: string, currency: string, o: AmountOptions = {}): PayResult<Money> {
  // At exponent 0 the fast path takes digits only, an optional "-" before them.
  const fast = fastAmount(text, currency, o, 0);
  if (fast) return fast;
  return guard('parseMinorUnits', () => {
    const path = o.path ?? 'amount';
    if (typeof text !== 'string' || !/^-?\d{1,20}$/.test(text)) {
      return err(PaymentErrors.invalidRequest(`${path} "${String(text).slice(0, 40)}" must be an integer count of minor units (digits only)`, { path, code: 'invalid_amount' }));
    }
    return currencyOf(currency).andThen((c) => checkRange(BigInt(text), c.code, text, o));
  });
}

/** How {@link formatDecimal} writes decimals. */
export type DecimalStyle =
  /** Always the currency's exponent: `"49.65"`, `"0.50"`, `"100.00"`. */
  | 'fixed'
  /** Trailing zeros and a bare point removed: `"49.65"`, `"0.5"`, `"100"`. */
  | 'trim';

/**
 * The amount and currency of `m` when it is a real {@link Money}: a safe integer of minor units
 * (negative allowed) in a currency core knows. The formatters check this first, so a float, NaN,
 * an unknown currency or a value that is not an object is an `InvalidRequest`, never a throw and
 * never a wrong text on the wire.
 */
function checkedMoney(m: Money, path: string): PayResult<Money> {
  if (typeof m !== 'object' || m === null) return err(PaymentErrors.invalidRequest(`${path} must be a Money { amount, currency }, got ${m === null ? 'null' : typeof m}`, { path, code: 'invalid_amount' }));
  return money(m.amount, m.currency, { allowNegative: true, path });
}

/**
 * Writes {@link Money} as a provider decimal string, exactly (string arithmetic, no float): the
 * one function by which amounts leave for the wire as decimals. A value that is not a real Money
 * (float amount, unknown currency…) is an `InvalidRequest`.
 *
 * @example
 * ```ts
 * formatDecimal({ amount: 4965, currency: 'CNY' })         // Ok("49.65")
 * formatDecimal({ amount: 50, currency: 'CNY' }, 'trim')   // Ok("0.5")
 * formatDecimal({ amount: 49.65, currency: 'CNY' })        // Err(InvalidRequest): minor units are integers
 * ```
 */
export function formatDecimal(m: Money, style: DecimalStyle = 'fixed'): PayResult<string> {
  return guard('formatDecimal', () => {
    if (style !== 'fixed' && style !== 'trim') return err(PaymentErrors.invalidRequest(`decimal style must be "fixed" or "trim", got ${String(style).slice(0, 20)}`, { path: 'style' }));
    return checkedMoney(m, 'amount').map((v) => decimalText(v, style));
  });
}

/** The decimal text of a checked Money. */
function decimalText(m: Money, style: DecimalStyle): string {
  const exponent = CURRENCIES[m.currency].exponent;
  const negative = m.amount < 0;
  const digits = String(negative ? -m.amount : m.amount).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  let frac = digits.slice(digits.length - exponent);
  if (style === 'trim') frac = frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}

/**
 * Writes {@link Money} as an integer minor-unit string (`"1000"`); a value that is not a real
 * Money is an `InvalidRequest`.
 */
export function formatMinorUnits(m: Money): PayResult<string> {
  return guard('formatMinorUnits', () => checkedMoney(m, 'amount').map((v) => String(v.amount)));
}

/** The dinero.js value of a {@link Money}, for arithmetic and formatting with dinero. */
export function toDinero(m: Money): Dinero<number> {
  const c = CURRENCIES[m.currency];
  return dinero({ amount: m.amount, currency: { code: c.code, base: 10, exponent: c.exponent } });
}

/** Converts a dinero.js value back to {@link Money}; fails for unknown currencies or a scale that is not the currency's. */
export function fromDinero(d: Dinero<number>): PayResult<Money> {
  if (typeof d !== 'object' || d === null) return err(PaymentErrors.invalidRequest(`fromDinero: pass a dinero.js value (made by toDinero or dinero()), got ${kindOf(d)}`, { path: 'd', code: 'invalid_amount' }));
  return guard('fromDinero', () => {
    const snap = toSnapshot(d);
    const code = snap.currency.code;
    if (!isCurrencyCode(code)) return err(PaymentErrors.invalidRequest(`unknown currency ${textOf(code)}`));
    const exponent = CURRENCIES[code].exponent;
    // A difference may be negative (statements, refunds against totals); callers decide the sign rules.
    const signed = { allowNegative: true };
    if (snap.scale < exponent) return money(snap.amount * 10 ** (exponent - snap.scale), code, signed);
    if (snap.scale > exponent) {
      const factor = 10 ** (snap.scale - exponent);
      if (snap.amount % factor !== 0) return err(PaymentErrors.invalidRequest(`amount has sub-minor-unit precision`, { code: 'invalid_amount' }));
      return money(snap.amount / factor, code, signed);
    }
    return money(snap.amount, code, signed);
  });
}

function sameCurrency(a: Money, b: Money): PayResult<void> {
  return a.currency === b.currency
    ? ok(undefined)
    : err(PaymentErrors.invalidRequest(`cannot combine ${a.currency} and ${b.currency} amounts`, { code: 'invalid_amount' }));
}

/** a + b, checked for currency and overflow (computed with dinero.js). */
export function addMoney(a: Money, b: Money): PayResult<Money> {
  return guard('addMoney', () => {
    return sameCurrency(a, b).andThen(() => fromDinero(dAdd(toDinero(a), toDinero(b)))).andThen((m) => money(m.amount, m.currency, { allowNegative: true }));
  });
}

/** a − b, checked for currency and overflow (computed with dinero.js). */
export function subtractMoney(a: Money, b: Money): PayResult<Money> {
  return guard('subtractMoney', () => {
    return sameCurrency(a, b).andThen(() => fromDinero(dSubtract(toDinero(a), toDinero(b)))).andThen((m) => money(m.amount, m.currency, { allowNegative: true }));
  });
}

/** -1, 0 or 1 as a is less than, equal to or greater than b; an error for different currencies. */
export function compareMoney(a: Money, b: Money): PayResult<-1 | 0 | 1> {
  return guard('compareMoney', () => {
    return sameCurrency(a, b).map(() => dCompare(toDinero(a), toDinero(b)) as -1 | 0 | 1);
  });
}

/** The sum of amounts in one currency; zero of `currency` for an empty list. */
export function sumMoney(items: readonly Money[], currency: CurrencyCode): PayResult<Money> {
  return guard('sumMoney', () => {
    let total: PayResult<Money> = ok({ amount: 0, currency });
    for (const m of items) total = total.andThen((t) => addMoney(t, m));
    return total;
  });
}

/** Zero in a currency. */
export function zero(currency: CurrencyCode): Money {
  return { amount: 0, currency };
}
