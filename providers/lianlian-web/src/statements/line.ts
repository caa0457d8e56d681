// One reconciliation line → a statement entry. Two layouts exist (specs/README.md):
//  - comma, 14 columns (spec 5.2/5.4): no_order, oid_partner, dt_order, busi_partner, oid_paybill,
//    settle_date, money_order, flag (0 in / 1 out), status (0 success / 5 refunded), dt_update,
//    fee, pay product, pay method, info_order;
//  - pipe, 19 columns: no_order|oid_partner|dt_order|busi_partner|oid_paybill|settle_date|
//    currency_order|money_order|currency_pay|money_pay|currency_settle|money_settle|exchange_rate|
//    transaction_status|dt_update|transaction_fee|pay_product|pay_type|info_order.
// info_order is last in both, so separators inside it stay part of it.
import { err, ok } from 'neverthrow';
import {
  parseCst, parseDecimal, PaymentErrors, type CurrencyCode, type Money, type PayResult, type StatementEntry, type StatementEntryKind,
} from '@paykit/core';
import { PAY_TYPES, isPayType } from '../reference/codes.js';
import type { StatementFileFamily } from './file-name.js';

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

/**
 * Results already computed for this file: amounts, times and settlement days repeat across
 * lines, and each is parsed once. Bounded: a map is cleared when it reaches {@link MEMO_LIMIT}.
 */
export interface LineMemo {
  /** `currency NUL text` → parsed amount (or its error). */
  readonly amounts: Map<string, PayResult<Money>>;
  /** `yyyymmdd hh:mm:ss` text → epoch ms, NaN when invalid. */
  readonly times: Map<string, number>;
  /** `YYYYMMDD` → whether it is a real date. */
  readonly days: Map<string, boolean>;
}

/** Entries each {@link LineMemo} map holds at most. */
export const MEMO_LIMIT = 4096;

/** What the line parser needs to know about the file. */
export interface LineContext {
  /** JYMX or FKMX. */
  readonly family: Exclude<StatementFileFamily, 'summary'>;
  /** Currency of comma-layout amounts (RMB yuan per spec 5.2). */
  readonly currency: CurrencyCode;
  /** Per-file memo; lines parse the same without it, only slower. */
  readonly memo?: LineMemo;
}

/** A {@link LineContext} with a fresh memo, for one file. */
export function lineContext(family: LineContext['family'], currency: CurrencyCode): LineContext {
  return { family, currency, memo: { amounts: new Map(), times: new Map(), days: new Map() } };
}

function remember<V>(m: Map<string, V>, key: string, value: V): V {
  if (m.size >= MEMO_LIMIT) m.clear();
  m.set(key, value);
  return value;
}

function splitColumns(text: string, sep: string, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < count - 1) {
    const at = text.indexOf(sep, start);
    if (at === -1) break;
    out.push(text.slice(start, at).trim());
    start = at + 1;
  }
  out.push(text.slice(start).trim());
  return out;
}

type Fail = (column: string, problem: string) => PayResult<never>;

const DATE_TIME = /^(\d{8}) ?(\d{2}):?(\d{2}):?(\d{2})$/;

function epochOf(value: string): number {
  const m = DATE_TIME.exec(value);
  if (!m) return Number.NaN;
  const r = parseCst(`${m[1]}${m[2]}${m[3]}${m[4]}`);
  return r.isOk() ? r.value.getTime() : Number.NaN;
}

function dateTime(value: string, column: string, fail: Fail, memo: LineMemo | undefined): PayResult<Date> {
  let ms = memo?.times.get(value);
  if (ms === undefined) ms = memo ? remember(memo.times, value, epochOf(value)) : epochOf(value);
  // A fresh Date per entry: entries never share a mutable object.
  return Number.isNaN(ms) ? fail(column, `"${value.slice(0, 24)}" is not a real "yyyymmdd hh:mm:ss" China Standard Time`) : ok(new Date(ms));
}

function realDay(value: string, memo: LineMemo | undefined): boolean {
  const known = memo?.days.get(value);
  if (known !== undefined) return known;
  const real = /^\d{8}$/.test(value) && parseCst(value).isOk();
  return memo ? remember(memo.days, value, real) : real;
}

function amount(value: string, currency: string, column: string, fail: Fail, memo: LineMemo | undefined): PayResult<Money> {
  const key = `${currency}\u0000${value}`;
  let r = memo?.amounts.get(key);
  if (r === undefined) {
    // Frozen: a cached amount is shared by the entries that carry it.
    r = parseDecimal(value, currency, { allowNegative: true }).map((m) => Object.freeze(m));
    if (memo) remember(memo.amounts, key, r);
  }
  return r.isOk() ? r : fail(column, r.error.message.replace(/^amount /, ''));
}

interface Common {
  orderNo: string; partnerId: string; dtOrder: string; busiPartner: string; paybill: string; settleDate: string;
  status: string; dtUpdate: string; product: string; method: string; info: string;
}

function entryOf(c: Common, amt: Money, fee: Money, direction: 'in' | 'out', lineNo: number, layout: StatementLayout,
  ctx: LineContext, fail: Fail, extra: Partial<LianlianStatementEntry>): PayResult<LianlianStatementEntry> {
  if (!/^\S{1,32}$/.test(c.orderNo)) return fail('no_order', 'must be 1 to 32 characters without spaces');
  if (!/^\d{18}$/.test(c.partnerId)) return fail('oid_partner', `"${c.partnerId.slice(0, 24)}" is not an 18-digit merchant number`);
  if (!/^\d{6}$/.test(c.busiPartner)) return fail('busi_partner', `"${c.busiPartner.slice(0, 12)}" is not a 6-digit business type`);
  if (!/^\S{1,32}$/.test(c.paybill)) return fail('oid_paybill', 'must be 1 to 32 characters without spaces');
  if (!realDay(c.settleDate, ctx.memo)) return fail('settle_date', `"${c.settleDate.slice(0, 12)}" is not a YYYYMMDD date`);
  const occurred = dateTime(c.dtOrder, 'dt_order', fail, ctx.memo);
  if (occurred.isErr()) return err(occurred.error);
  const updated = c.dtUpdate === '' ? ok(undefined) : dateTime(c.dtUpdate, 'dt_update', fail, ctx.memo);
  if (updated.isErr()) return err(updated.error);
  let kind: StatementEntryKind;
  if (c.status === '5') {
    // Spec 5.2 note 3: a refund is a new line with negative amount and fee, status 5, and the
    // original merchant order number in the oid_paybill column.
    if (amt.amount > 0) return fail('money_order', 'a refund line (status 5) must carry a negative amount');
    if (fee.amount > 0) return fail('fee', 'a refund line (status 5) must carry a negative or zero fee');
    kind = 'refund';
  } else if (c.status === '0') {
    kind = ctx.family === 'payouts' || direction === 'out' ? 'payout' : 'payment';
  } else {
    return fail('status', `unknown transaction status "${c.status.slice(0, 8)}": expected 0 (success) or 5 (refunded)`);
  }
  // Built in one literal with a fixed shape (no spreads): this runs once per line.
  const refund = kind === 'refund';
  const entry: { -readonly [K in keyof LianlianStatementEntry]: LianlianStatementEntry[K] } = {
    kind,
    orderId: refund ? c.paybill : c.orderNo,
    amount: amt,
    fee,
    settleDate: c.settleDate,
    occurredAt: occurred.value,
    providerStatus: c.status,
    product: c.product,
    method: c.method,
    description: c.info,
    line: lineNo,
    layout,
    partnerId: c.partnerId,
    busiPartner: c.busiPartner,
    direction,
  };
  if (refund) entry.refundId = c.orderNo;
  else entry.providerTransactionId = c.paybill;
  if (updated.value !== undefined) entry.updatedAt = updated.value;
  if (extra.paidAmount !== undefined) entry.paidAmount = extra.paidAmount;
  if (extra.settledAmount !== undefined) entry.settledAmount = extra.settledAmount;
  if (extra.exchangeRate !== undefined) entry.exchangeRate = extra.exchangeRate;
  return ok(entry);
}

/** Reads the layout of a line: 19 pipe-separated columns, else comma-separated. */
export function detectLayout(text: string): StatementLayout {
  let pipes = 0;
  for (let i = text.indexOf('|'); i !== -1 && pipes < 18; i = text.indexOf('|', i + 1)) pipes += 1;
  return pipes >= 18 ? 'pipe' : 'comma';
}

/**
 * Parses one reconciliation line of a known layout. Every problem is a `Decode` error whose
 * message and path name the line and column (values of info_order are never echoed).
 */
export function parseStatementLine(text: string, lineNo: number, layout: StatementLayout, ctx: LineContext): PayResult<LianlianStatementEntry> {
  const fail: Fail = (column, problem) => err(PaymentErrors.decode(`line ${lineNo}: ${column}: ${problem}`, { path: `line ${lineNo}.${column}` }));
  const count = LAYOUT_COLUMNS[layout];
  const cols = splitColumns(text, layout === 'pipe' ? '|' : ',', count);
  if (cols.length !== count) {
    return err(PaymentErrors.decode(
      `line ${lineNo}: has ${cols.length} ${layout === 'pipe' ? '|' : ','}-separated columns; the ${layout} layout has ${count}`,
      { path: `line ${lineNo}` },
    ));
  }
  if (layout === 'comma') {
    const [orderNo = '', partnerId = '', dtOrder = '', busiPartner = '', paybill = '', settleDate = '', money = '', flag = '',
      status = '', dtUpdate = '', feeText = '', product = '', method = '', info = ''] = cols;
    if (flag !== '0' && flag !== '1') return fail('flag', `"${flag.slice(0, 8)}" must be 0 (收款) or 1 (付款)`);
    const amt = amount(money, ctx.currency, 'money_order', fail, ctx.memo);
    if (amt.isErr()) return err(amt.error);
    const fee = amount(feeText === '' ? '0' : feeText, ctx.currency, 'fee', fail, ctx.memo);
    if (fee.isErr()) return err(fee.error);
    const c = { orderNo, partnerId, dtOrder, busiPartner, paybill, settleDate, status, dtUpdate, product, method, info };
    return entryOf(c, amt.value, fee.value, flag === '1' ? 'out' : 'in', lineNo, layout, ctx, fail, {});
  }
  const [orderNo = '', partnerId = '', dtOrder = '', busiPartner = '', paybill = '', settleDate = '', curOrder = '', money = '',
    curPay = '', moneyPay = '', curSettle = '', moneySettle = '', rate = '', status = '', dtUpdate = '', feeText = '', product = '',
    payType = '', info = ''] = cols;
  const orderCurrency = curOrder === '' ? ctx.currency : curOrder;
  const amt = amount(money, orderCurrency, 'money_order', fail, ctx.memo);
  if (amt.isErr()) return err(amt.error);
  const paid = moneyPay === '' ? ok(undefined) : amount(moneyPay, curPay === '' ? orderCurrency : curPay, 'money_pay', fail, ctx.memo);
  if (paid.isErr()) return err(paid.error);
  const settleCurrency = curSettle === '' ? orderCurrency : curSettle;
  const settled = moneySettle === '' ? ok(undefined) : amount(moneySettle, settleCurrency, 'money_settle', fail, ctx.memo);
  if (settled.isErr()) return err(settled.error);
  // The fee is charged in the settlement currency.
  const fee = amount(feeText === '' ? '0' : feeText, settleCurrency, 'transaction_fee', fail, ctx.memo);
  if (fee.isErr()) return err(fee.error);
  if (rate !== '' && !/^\d{1,12}(\.\d{1,12})?$/.test(rate)) return fail('exchange_rate', `"${rate.slice(0, 24)}" is not a decimal number`);
  if (payType !== '' && !isPayType(payType)) return fail('pay_type', `"${payType.slice(0, 4)}" is not a pay_type of the spec`);
  const method = payType === '' ? '' : PAY_TYPES[payType as keyof typeof PAY_TYPES];
  const c = { orderNo, partnerId, dtOrder, busiPartner, paybill, settleDate, status, dtUpdate, product, method, info };
  return entryOf(c, amt.value, fee.value, ctx.family === 'payouts' ? 'out' : 'in', lineNo, layout, ctx, fail, {
    ...(paid.value !== undefined ? { paidAmount: paid.value } : {}),
    ...(settled.value !== undefined ? { settledAmount: settled.value } : {}),
    ...(rate !== '' ? { exchangeRate: rate } : {}),
  });
}
