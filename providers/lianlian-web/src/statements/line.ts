// One reconciliation line → a statement entry. Two layouts exist (specs/README.md):
//  - comma, 14 columns (spec 5.2/5.4): no_order, oid_partner, dt_order, busi_partner, oid_paybill,
//    settle_date, money_order, flag (0 in / 1 out), status (0 success / 5 refunded), dt_update,
//    fee, pay product, pay method, info_order;
//  - pipe, 19 columns: no_order|oid_partner|dt_order|busi_partner|oid_paybill|settle_date|
//    currency_order|money_order|currency_pay|money_pay|currency_settle|money_settle|exchange_rate|
//    transaction_status|dt_update|transaction_fee|pay_product|pay_type|info_order.
// info_order is last in both, so separators inside it stay part of it.
//
// This runs once per line of files of a million lines, so columns are read in place in the
// decoded chunk (fields.ts), values repeated from the previous line (merchant number, settle
// day, product, description…) reuse the previous string, and each distinct day is checked once.
import { err, ok } from 'neverthrow';
import {
  CURRENCIES, currencyOf, isCurrencyCode, PaymentErrors, toPaymentError, type CurrencyCode, type Money, type PaymentError, type PayResult, type StatementEntry,
  type StatementEntryKind,
} from '@paykit/core';
import { PAY_TYPES, isPayType } from '../reference/codes.js';
import type { StatementFileFamily } from './file-name.js';
import { ByteColumns } from './byte-columns.js';
import { DayCache, fastMinorUnits, isDigits, isRate, isSpace, isToken, slowAmount } from './fields.js';
import type { LineSource } from './lines.js';


/** The two line layouts of LianLian reconciliation files. */
export type StatementLayout = 'comma' | 'pipe';

/** Column counts of each layout. */
export const LAYOUT_COLUMNS: { readonly [K in StatementLayout]: number } = { comma: 14, pipe: 19 };

/** A LianLian statement line in domain terms, with the columns core's entry has no place for. */
export interface LianlianStatementEntry extends StatementEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The layout the line was read in. */
  readonly layout: StatementLayout;
  /** `oid_partner`. */
  readonly partnerId: string;
  /** `busi_partner` (101001, 109001, 108001, or a settlement/withdrawal business code). */
  readonly busiPartner: string;
  /** For refund lines: the merchant's refund number (first column); `orderId` is then the refunded order. */
  readonly refundId?: string;
  /** 商户收款标志: money in (0) or out (1); pipe lines have no such column and are `in` unless in a payout file. */
  readonly direction: 'in' | 'out';
  /** `dt_update`. */
  readonly updatedAt?: Date;
  /** Pipe layout: `money_pay` in `currency_pay`. */
  readonly paidAmount?: Money;
  /** Pipe layout: `money_settle` in `currency_settle`. */
  readonly settledAmount?: Money;
  /** Pipe layout: `exchange_rate`, verbatim decimal text (never a float). */
  readonly exchangeRate?: string;
}

/** What the line parser needs to know about the file. */
export interface LineContext {
  /** JYMX or FKMX. */
  readonly family: Exclude<StatementFileFamily, 'summary'>;
  /** Currency of amounts that carry none (comma-layout amounts are RMB yuan per spec 5.2). */
  readonly currency: CurrencyCode;
  /** The merchant number of the file's name: a line of another merchant is an error. Unchecked when absent. */
  readonly partnerId?: string;
}

/** Where the columns every layout shares sit in a layout. */
interface Columns {
  readonly order: number; readonly partner: number; readonly dtOrder: number; readonly busi: number; readonly paybill: number;
  readonly settle: number; readonly status: number; readonly dtUpdate: number; readonly product: number; readonly info: number;
}

const COMMA: Columns = { order: 0, partner: 1, dtOrder: 2, busi: 3, paybill: 4, settle: 5, status: 8, dtUpdate: 9, product: 11, info: 13 };
const PIPE: Columns = { order: 0, partner: 1, dtOrder: 2, busi: 3, paybill: 4, settle: 5, status: 13, dtUpdate: 14, product: 16, info: 18 };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads the layout of a line: 19 pipe-separated columns, else comma-separated. */
export function detectLayout(text: string): StatementLayout {
  let pipes = 0;
  for (let i = text.indexOf('|'); i !== -1 && pipes < 18; i = text.indexOf('|', i + 1)) pipes += 1;
  return pipes >= 18 ? 'pipe' : 'comma';
}

/**
 * Parses the lines of one file, keeping what repeats from line to line. Every problem is a
 * `Decode` error whose message and path name the line and column (values of info_order are
 * never echoed).
 */
export class StatementLineParser {
  readonly #family: LineContext['family'];
  readonly #currency: CurrencyCode;
  readonly #filePartner: string | undefined;
  readonly #exponent: number;
  readonly #days = new DayCache();
  readonly #from = new Int32Array(19);
  readonly #to = new Int32Array(19);
  // The previous line's value of each column, reused when the next line has the same text.
  readonly #previous: string[] = new Array<string>(19).fill('');
  // The last merchant number and business type that passed their checks.
  // (None at first: an empty column must be checked too, never match an empty cache.)
  #validPartner: string | undefined;
  #validBusi: string | undefined;
  // The last currency column read, and what it resolved to.
  #currencyText = '';
  #currencyCode: CurrencyCode = 'CNY';
  // The last separator search: no separator in text[#scanFrom, #scanAt); keeps lines without
  // separators from each searching to the end of the chunk.
  #scanText = '';
  #scanFrom = 0;
  #scanAt = 0;
  // Byte form: the column finder, and while a line is read from bytes, its decoded text columns.
  #bytes: ByteColumns | undefined;
  #decoded: readonly (string | undefined)[] | undefined;

  /** A parser for one JYMX or FKMX file. */
  constructor(ctx: LineContext) {
    this.#family = ctx.family;
    this.#currency = ctx.currency;
    this.#filePartner = ctx.partnerId;
    this.#exponent = CURRENCIES[ctx.currency].exponent;
  }

  /** Parses the line `text[start, end)` (no line break) of a known layout. */
  parse(text: string, start: number, end: number, lineNo: number, layout: StatementLayout): PayResult<LianlianStatementEntry> {
    const count = LAYOUT_COLUMNS[layout];
    const sep = layout === 'pipe' ? '|' : ',';
    const found = this.#split(text, start, end, sep, count);
    if (found !== count) {
      return err(PaymentErrors.decode(`line ${lineNo}: has ${found} ${sep}-separated columns; the ${layout} layout has ${count}`, { path: `line ${lineNo}` }));
    }
    return layout === 'comma' ? this.#comma(text, lineNo) : this.#pipe(text, lineNo);
  }

  /** Decoder calls the byte form has made for text columns (a cost measure for the caller). */
  get textDecodes(): number {
    return this.#bytes?.decodes ?? 0;
  }

  /**
   * Parses the line `bytes[start, end)` (no line break) of a known layout from its bytes, with
   * `view` the same bytes one character each (latin1): only the text columns are decoded (see
   * byte-columns.ts). Undefined when the line is not a clean one (bad bytes, a bad column, white
   * space to trim…): the caller then decodes the line and calls {@link parse}, which gives the
   * result or the error, so every error is the string path's.
   */
  parseBytes(bytes: Uint8Array, view: string, start: number, end: number, lineNo: number, layout: StatementLayout, source: LineSource): PayResult<LianlianStatementEntry> | undefined {
    this.#bytes ??= new ByteColumns(this.#from, this.#to);
    if (!this.#bytes.split(bytes, view, start, end, layout, source)) return undefined;
    this.#decoded = this.#bytes.decoded;
    try {
      const r = layout === 'comma' ? this.#comma(view, lineNo) : this.#pipe(view, lineNo);
      return r.isOk() ? r : undefined;
    } finally {
      this.#decoded = undefined;
    }
  }

  #comma(text: string, lineNo: number): PayResult<LianlianStatementEntry> {
    const from = this.#from;
    const to = this.#to;
    const flag = at(to, 7) - at(from, 7) === 1 ? text.charCodeAt(at(from, 7)) : -1;
    if (flag !== 0x30 && flag !== 0x31) return fail(lineNo, 'flag', `"${text.slice(at(from, 7), at(to, 7)).slice(0, 8)}" must be 0 (收款) or 1 (付款)`);
    const amount = this.#amount(text, 6, this.#currency, lineNo, 'money_order');
    if (!isMoney(amount)) return amount;
    const fee = this.#amount(text, 10, this.#currency, lineNo, 'fee');
    if (!isMoney(fee)) return fee;
    return this.#entry(text, lineNo, 'comma', COMMA, amount, fee, flag === 0x31 ? 'out' : 'in', this.#text(text, 12), undefined, undefined, undefined);
  }

  #pipe(text: string, lineNo: number): PayResult<LianlianStatementEntry> {
    const from = this.#from;
    const to = this.#to;
    const orderCurrency = this.#currencyAt(text, 6, this.#currency);
    if (orderCurrency === undefined) return this.#badCurrency(text, 6, 7, lineNo, 'money_order');
    const amount = this.#amount(text, 7, orderCurrency, lineNo, 'money_order');
    if (!isMoney(amount)) return amount;
    let paid: Money | undefined;
    if (at(to, 9) > at(from, 9)) {
      const payCurrency = this.#currencyAt(text, 8, orderCurrency);
      if (payCurrency === undefined) return this.#badCurrency(text, 8, 9, lineNo, 'money_pay');
      const r = this.#amount(text, 9, payCurrency, lineNo, 'money_pay');
      if (!isMoney(r)) return r;
      paid = r;
    } else if (!this.#ascii(text, 8)) {
      // Byte form: currency_pay is not read without money_pay, but its bytes must still be valid.
      return fail(lineNo, 'currency_pay', 'not ASCII: left to the string path');
    }
    // The settlement currency (the order's when empty) is also the fee's.
    const hasSettled = at(to, 11) > at(from, 11);
    const settleCurrency = this.#currencyAt(text, 10, orderCurrency);
    if (settleCurrency === undefined) return this.#badCurrency(text, 10, hasSettled ? 11 : 15, lineNo, hasSettled ? 'money_settle' : 'transaction_fee');
    let settled: Money | undefined;
    if (hasSettled) {
      const r = this.#amount(text, 11, settleCurrency, lineNo, 'money_settle');
      if (!isMoney(r)) return r;
      settled = r;
    }
    const fee = this.#amount(text, 15, settleCurrency, lineNo, 'transaction_fee');
    if (!isMoney(fee)) return fee;
    const hasRate = at(to, 12) > at(from, 12);
    if (hasRate && !isRate(text, at(from, 12), at(to, 12))) return fail(lineNo, 'exchange_rate', `"${text.slice(at(from, 12), at(to, 12)).slice(0, 24)}" is not a decimal number`);
    let method = '';
    if (at(to, 17) > at(from, 17)) {
      const payType = text.slice(at(from, 17), at(to, 17));
      if (!isPayType(payType)) return fail(lineNo, 'pay_type', `"${payType.slice(0, 4)}" is not a pay_type of the spec`);
      method = PAY_TYPES[payType];
    }
    const direction = this.#family === 'payouts' ? 'out' : 'in';
    return this.#entry(text, lineNo, 'pipe', PIPE, amount, fee, direction, method, paid, settled, hasRate ? this.#column(text, 12) : undefined);
  }

  /** The checks and columns both layouts share, then the entry. */
  #entry(text: string, lineNo: number, layout: StatementLayout, c: Columns, amount: Money, fee: Money, direction: 'in' | 'out', method: string,
    paid: Money | undefined, settled: Money | undefined, rate: string | undefined): PayResult<LianlianStatementEntry> {
    const from = this.#from;
    const to = this.#to;
    if (!isToken(text, at(from, c.order), at(to, c.order), 32) || !this.#ascii(text, c.order)) return fail(lineNo, 'no_order', 'must be 1 to 32 characters without spaces');
    const partnerId = this.#column(text, c.partner);
    const busiPartner = this.#column(text, c.busi);
    if (partnerId !== this.#validPartner && !isDigits(text, at(from, c.partner), at(to, c.partner), 18)) return fail(lineNo, 'oid_partner', `"${this.#raw(text, c.partner, 24)}" is not an 18-digit merchant number`);
    // A file holds one merchant's lines (its name carries the merchant number, spec 5.1): a line of
    // another merchant is never booked as this merchant's money.
    if (this.#filePartner !== undefined && partnerId !== this.#filePartner) return fail(lineNo, 'oid_partner', `is merchant ${partnerId}, not the file's ${this.#filePartner}`);
    if (busiPartner !== this.#validBusi && !isDigits(text, at(from, c.busi), at(to, c.busi), 6)) return fail(lineNo, 'busi_partner', `"${this.#raw(text, c.busi, 12)}" is not a 6-digit business type`);
    this.#validPartner = partnerId;
    this.#validBusi = busiPartner;
    if (!isToken(text, at(from, c.paybill), at(to, c.paybill), 32) || !this.#ascii(text, c.paybill)) return fail(lineNo, 'oid_paybill', 'must be 1 to 32 characters without spaces');
    if (!this.#days.isDay(text, at(from, c.settle), at(to, c.settle))) return fail(lineNo, 'settle_date', `"${this.#raw(text, c.settle, 12)}" is not a YYYYMMDD date`);
    const occurred = this.#days.dateTime(text, at(from, c.dtOrder), at(to, c.dtOrder));
    if (occurred !== occurred) return badTime(lineNo, 'dt_order', this.#raw(text, c.dtOrder, 24));
    const hasUpdate = at(to, c.dtUpdate) > at(from, c.dtUpdate);
    const updated = hasUpdate ? this.#days.dateTime(text, at(from, c.dtUpdate), at(to, c.dtUpdate)) : 0;
    if (updated !== updated) return badTime(lineNo, 'dt_update', this.#raw(text, c.dtUpdate, 24));
    const status = at(to, c.status) - at(from, c.status) === 1 ? text.charCodeAt(at(from, c.status)) : -1;
    let kind: StatementEntryKind;
    if (status === 0x35) {
      // Spec 5.2 note 3: a refund is a new line with negative amount and fee, status 5, and the
      // original merchant order number in the oid_paybill column.
      if (amount.amount > 0) return fail(lineNo, 'money_order', 'a refund line (status 5) must carry a negative amount');
      if (fee.amount > 0) return fail(lineNo, 'fee', 'a refund line (status 5) must carry a negative or zero fee');
      kind = 'refund';
    } else if (status === 0x30) {
      // Only refunds carry negative amounts (spec 5.2 note 3); the direction of a success line is
      // its 收款标志 column (or its file), never the amount's sign.
      if (amount.amount < 0) return fail(lineNo, 'money_order', 'a success line (status 0) must not carry a negative amount: only refunds (status 5) do');
      kind = this.#family === 'payouts' || direction === 'out' ? 'payout' : 'payment';
    } else {
      return fail(lineNo, 'status', `unknown transaction status "${this.#raw(text, c.status, 8)}": expected 0 (success) or 5 (refunded)`);
    }
    const refund = kind === 'refund';
    const orderNo = text.slice(at(from, c.order), at(to, c.order));
    const paybill = text.slice(at(from, c.paybill), at(to, c.paybill));
    // One literal with a fixed shape (no spreads), then only the columns the line has.
    const entry: Mutable<LianlianStatementEntry> = {
      kind,
      orderId: refund ? paybill : orderNo,
      amount,
      fee,
      settleDate: this.#column(text, c.settle),
      occurredAt: new Date(occurred),
      providerStatus: refund ? '5' : '0',
      product: this.#text(text, c.product),
      method,
      description: this.#text(text, c.info),
      line: lineNo,
      layout,
      partnerId,
      busiPartner,
      direction,
    };
    if (refund) entry.refundId = orderNo;
    else entry.providerTransactionId = paybill;
    if (hasUpdate) entry.updatedAt = new Date(updated);
    if (paid !== undefined) entry.paidAmount = paid;
    if (settled !== undefined) entry.settledAmount = settled;
    if (rate !== undefined) entry.exchangeRate = rate;
    return ok(entry);
  }

  /** Finds the columns of `text[start, end)`, trimmed; returns how many there are (at most `count`). */
  #split(text: string, start: number, end: number, sep: string, count: number): number {
    let at = start;
    let n = 0;
    while (n < count - 1) {
      const next = this.#separator(text, sep, at);
      if (next >= end) break;
      this.#trim(text, n, at, next);
      n += 1;
      at = next + 1;
    }
    this.#trim(text, n, at, end);
    return n + 1;
  }

  #separator(text: string, sep: string, at: number): number {
    if (text === this.#scanText && at >= this.#scanFrom && at <= this.#scanAt) return this.#scanAt;
    const found = text.indexOf(sep, at);
    this.#scanText = text;
    this.#scanFrom = at;
    this.#scanAt = found === -1 ? text.length : found;
    return this.#scanAt;
  }

  #trim(text: string, i: number, start: number, end: number): void {
    let s = start;
    let e = end;
    while (s < e && isSpace(text.charCodeAt(s))) s += 1;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e -= 1;
    this.#from[i] = s;
    this.#to[i] = e;
  }

  /** Column `i` as a string: the previous line's string when the text is the same. */
  #column(text: string, i: number): string {
    const s = at(this.#from, i);
    const e = at(this.#to, i);
    const previous = this.#previous[i] as string;
    // Equal contents: keep one string for both lines (entries retain less), compared in place.
    if (previous.length === e - s && text.startsWith(previous, s)) return previous;
    const value = text.slice(s, e);
    this.#previous[i] = value;
    return value;
  }

  /** Whether column `i` is ASCII; always true for decoded text (the byte form reads a latin1 view). */
  #ascii(text: string, i: number): boolean {
    if (this.#decoded === undefined) return true;
    for (let k = at(this.#from, i); k < at(this.#to, i); k += 1) if (text.charCodeAt(k) >= 0x80) return false;
    return true;
  }

  /** Text column `i` (product, method, info_order): decoded from the line's bytes in the byte form. */
  #text(text: string, i: number): string {
    return this.#decoded?.[i] ?? this.#column(text, i);
  }

  /** Column `i`, cut to `max` characters, for an error message. */
  #raw(text: string, i: number, max: number): string {
    return text.slice(at(this.#from, i), Math.min(at(this.#to, i), at(this.#from, i) + max));
  }

  #amount(text: string, i: number, currency: CurrencyCode, lineNo: number, column: string): Money | PayResult<never> {
    // An empty fee is no fee (spec examples always carry one; some exports leave it blank).
    const s = at(this.#from, i);
    const e = at(this.#to, i);
    if (s === e && (column === 'fee' || column === 'transaction_fee')) return { amount: 0, currency };
    const n = fastMinorUnits(text, s, e, currency === this.#currency ? this.#exponent : CURRENCIES[currency].exponent);
    if (n === n) return { amount: n, currency };
    // Byte form: the view is not the decoded text outside ASCII; core reads it after decoding.
    if (this.#decoded !== undefined) return fail(lineNo, column, 'left to the string path');
    const r = slowAmount(text, s, e, currency);
    return r.isOk() ? r.value : fail(lineNo, column, r.error.message.replace(/^amount /, ''));
  }

  /** The currency of column `i`: `fallback` when empty, undefined when not a currency core knows. */
  #currencyAt(text: string, i: number, fallback: CurrencyCode): CurrencyCode | undefined {
    const s = at(this.#from, i);
    const e = at(this.#to, i);
    if (s === e) return fallback;
    if (this.#currencyText.length === e - s && text.startsWith(this.#currencyText, s)) return this.#currencyCode;
    if (this.#decoded !== undefined && !this.#ascii(text, i)) return undefined;
    const code = text.slice(s, e);
    const c = currencyOf(code);
    if (c.isErr()) return undefined;
    this.#currencyText = code;
    this.#currencyCode = c.value.code;
    return c.value.code;
  }

  /** The error parseDecimal gives for an amount in an unknown currency, on the amount's column. */
  #badCurrency(text: string, currencyColumn: number, amountColumn: number, lineNo: number, column: string): PayResult<never> {
    const r = slowAmount(text, at(this.#from, amountColumn), at(this.#to, amountColumn), this.#raw(text, currencyColumn, 16) as CurrencyCode);
    return fail(lineNo, column, r.isErr() ? r.error.message.replace(/^amount /, '') : `unknown currency "${this.#raw(text, currencyColumn, 16)}"`);
  }
}

/** Element `i` of a column bound array (always in range: columns are 0–18). */
function at(a: Int32Array, i: number): number {
  return a[i] as number;
}

function isMoney(r: Money | PayResult<never>): r is Money {
  return (r as Money).currency !== undefined;
}

function fail(lineNo: number, column: string, problem: string): PayResult<never> {
  return err(PaymentErrors.decode(`line ${lineNo}: ${column}: ${problem}`, { path: `line ${lineNo}.${column}` }));
}

function badTime(lineNo: number, column: string, value: string): PayResult<never> {
  return fail(lineNo, column, `"${value}" is not a real "yyyymmdd hh:mm:ss" China Standard Time`);
}

/**
 * Parses one reconciliation line of a known layout (a file is parsed by {@link StatementLineParser},
 * which keeps what repeats between lines).
 */
export function parseStatementLine(text: string, lineNo: number, layout: StatementLayout, ctx: LineContext): PayResult<LianlianStatementEntry> {
  // Plain checks and an inline try, no closure (as guard would make): a caller may run this once
  // per line. A context that throws when read (a proxy, a getter) is an error value.
  if (typeof text !== 'string') return err(PaymentErrors.invalidRequest('text must be the line as a string, without its line break', { path: 'text' }));
  if (typeof lineNo !== 'number') return err(PaymentErrors.invalidRequest('lineNo must be the 1-based line number', { path: 'lineNo' }));
  if (layout !== 'comma' && layout !== 'pipe') return err(PaymentErrors.invalidRequest('layout must be "comma" or "pipe" (detectLayout reads it from a line)', { path: 'layout' }));
  if (typeof ctx !== 'object' || ctx === null) return err(badContext());
  try {
    return parseInContext(text, lineNo, layout, ctx);
  } catch (e) {
    return err(toPaymentError(e, 'lianlian-web.parseStatementLine'));
  }
}

function parseInContext(text: string, lineNo: number, layout: StatementLayout, ctx: LineContext): PayResult<LianlianStatementEntry> {
  if ((ctx.family !== 'transactions' && ctx.family !== 'payouts') || !isCurrencyCode(ctx.currency) || (ctx.partnerId !== undefined && typeof ctx.partnerId !== 'string')) {
    return err(badContext());
  }
  return new StatementLineParser(ctx).parse(text, 0, text.length, lineNo, layout);
}

function badContext(): PaymentError {
  return PaymentErrors.invalidRequest('ctx must be { family: "transactions" or "payouts", currency: an ISO 4217 code such as "CNY", partnerId?: the merchant number }', { path: 'ctx' });
}
