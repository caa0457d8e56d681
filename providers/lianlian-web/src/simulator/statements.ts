// Reconciliation files as LianLian would publish them for a settlement day (spec 5), produced from
// the simulator's ledger, in both line layouts and both encodings; and a streamed generator of
// synthetic files of any length for volume tests.
import { encodeText, formatCst, formatDecimal, type Charset, type PayResult, type StatementFile } from '@paykit/core';
import type { StatementPayMethod } from '../reference/codes.js';
import type { StatementLayout } from '../statements/line.js';
import type { SimOrderRecord } from './ledger.js';

/** Encodings the simulator writes statement files in. */
export type SimStatementEncoding = Extract<Charset, 'UTF-8' | 'GBK'>;

/** One line of a simulated detail file, in minor units. */
export interface SimStatementLine {
  /** no_order (the refund number for refund lines). */
  readonly orderNo: string;
  /** oid_partner. */
  readonly partnerId: string;
  /** dt_order, `YYYYMMDDHHmmss` China Standard Time. */
  readonly dtOrder: string;
  /** busi_partner. */
  readonly busiPartner: string;
  /** oid_paybill (the original order number for refund lines). */
  readonly paybill: string;
  /** settle_date `YYYYMMDD`. */
  readonly settleDate: string;
  /** Amount in fen; negative for refunds. */
  readonly amountMinor: number;
  /** Fee in fen; negative for refunds. */
  readonly feeMinor: number;
  /** 0 success, 5 refunded. */
  readonly status: '0' | '5';
  /** dt_update, `YYYYMMDDHHmmss`. */
  readonly dtUpdate: string;
  /** pay_type code. */
  readonly payType: string;
  /** info_order. */
  readonly info: string;
}

/** Comma-layout 支付方式 for each pay_type the simulator records. */
const METHOD_OF_PAY_TYPE: Readonly<Record<string, StatementPayMethod>> = {
  0: '余额支付', 1: '储蓄卡网银支付', 2: '储蓄卡快捷支付', 3: '信用卡快捷支付', 8: '信用卡网银支付', 9: '企业网银支付', D: '储蓄卡快捷支付',
};

// The ledger holds safe integers of fen; anything else is written so that parsing the line fails loudly.
const yuan = (minor: number, style: 'fixed' | 'trim' = 'fixed'): string => formatDecimal({ amount: minor, currency: 'CNY' }, style).unwrapOr('not-an-amount');
const spaced = (ts: string): string => `${ts.slice(0, 8)} ${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}`;

/**
 * Writes one detail line. The comma layout copies the spec example's style (amounts without
 * trailing zeros, `yyyymmdd hh:mm:ss`); the pipe layout writes fixed two-decimal amounts.
 */
export function formatSimStatementLine(l: SimStatementLine, layout: StatementLayout): string {
  if (layout === 'comma') {
    return [
      l.orderNo, l.partnerId, spaced(l.dtOrder), l.busiPartner, l.paybill, l.settleDate, yuan(l.amountMinor, 'trim'),
      '0', l.status, spaced(l.dtUpdate), yuan(l.feeMinor, 'trim'), 'WEB支付网关', METHOD_OF_PAY_TYPE[l.payType] ?? '储蓄卡快捷支付', l.info,
    ].join(',');
  }
  const amount = yuan(l.amountMinor);
  return [
    l.orderNo, l.partnerId, l.dtOrder, l.busiPartner, l.paybill, l.settleDate, 'CNY', amount, 'CNY', amount, 'CNY', amount, '1.0000',
    l.status, l.dtUpdate, yuan(l.feeMinor), 'WEB支付网关', l.payType, l.info,
  ].join('|');
}

/** The detail lines of a settlement day: paid orders settled that day, and refunds settled that day. */
export function simStatementLines(records: Iterable<SimOrderRecord>, settleDate: string): SimStatementLine[] {
  const out: SimStatementLine[] = [];
  for (const r of records) {
    const paid = r.status === 'SUCCESS' || r.status === 'REFUND';
    if (paid && r.settleDate === settleDate) {
      out.push({
        orderNo: r.orderId, partnerId: r.oidPartner, dtOrder: r.dtOrder, busiPartner: r.busiPartner, paybill: r.oidPaybill, settleDate,
        amountMinor: r.amountMinor, feeMinor: r.feeMinor, status: '0', dtUpdate: formatCst(r.paidAt ?? r.createdAt), payType: r.payType,
        info: r.infoOrder ?? r.nameGoods,
      });
    }
    for (const f of r.refunds) {
      if (f.settleDate !== settleDate) continue;
      // Spec 5.2 note 3: refund lines are new lines, negative amount and fee, status 5, and the
      // original merchant order number in the oid_paybill column.
      out.push({
        orderNo: f.refundId, partnerId: r.oidPartner, dtOrder: formatCst(f.at), busiPartner: r.busiPartner, paybill: r.orderId, settleDate,
        amountMinor: -f.amountMinor, feeMinor: -f.feeMinor, status: '5', dtUpdate: formatCst(f.at), payType: r.payType,
        info: r.infoOrder ?? r.nameGoods,
      });
    }
  }
  return out;
}

/** The summary line (spec 5.6) of a day's detail lines. */
export function simSummaryLine(lines: readonly SimStatementLine[]): string {
  let success = 0;
  let successSum = 0n;
  let refunds = 0;
  let refundSum = 0n;
  for (const l of lines) {
    if (l.status === '5') {
      refunds += 1;
      refundSum += BigInt(l.amountMinor);
    } else {
      success += 1;
      successSum += BigInt(l.amountMinor);
    }
  }
  const fmt = (sum: bigint): string => yuan(Number(sum), 'trim');
  return [success + refunds, success, fmt(successSum), refunds, fmt(refundSum), 0, 0].join('|');
}

/**
 * A difference the simulator puts into a day's files, on top of what its traffic gives (a lost
 * notification, a refund made on the merchant site and a payment retried after a failure come
 * from traffic).
 */
export type SimStatementFault =
  /** The order's line shows another amount (fen). */
  | { readonly kind: 'amount'; readonly orderId: string; readonly amountMinor: number }
  /** The order's line charges another fee (fen). */
  | { readonly kind: 'fee'; readonly orderId: string; readonly feeMinor: number }
  /** The order's line is listed twice (the summary counts both, as a duplicate from LianLian would). */
  | { readonly kind: 'duplicate'; readonly orderId: string }
  /** The order's line is left out (and from the summary). */
  | { readonly kind: 'omit'; readonly orderId: string }
  /** A success line for an order the merchant never made. */
  | { readonly kind: 'extra'; readonly line: SimStatementLine }
  /** A line that is not a reconciliation line at all (the summary does not count it). */
  | { readonly kind: 'garbage'; readonly text: string }
  /** The summary states this many more successes than the lines hold. */
  | { readonly kind: 'summary'; readonly successCountBy: number };

/** The day's lines with the faults applied, and the summary line, faults included. */
export function applySimStatementFaults(lines: readonly SimStatementLine[], faults: readonly SimStatementFault[]): { readonly lines: SimStatementLine[]; readonly summary: string; readonly garbage: readonly string[] } {
  const of = <K extends SimStatementFault['kind']>(kind: K, orderId: string) =>
    faults.find((f): f is Extract<SimStatementFault, { kind: K }> => f.kind === kind && 'orderId' in f && f.orderId === orderId);
  const out: SimStatementLine[] = [];
  for (const l of lines) {
    const id = l.status === '5' ? l.paybill : l.orderNo;
    if (l.status === '0' && of('omit', id)) continue;
    const amount = l.status === '0' ? of('amount', id)?.amountMinor : undefined;
    const fee = l.status === '0' ? of('fee', id)?.feeMinor : undefined;
    const line = { ...l, ...(amount !== undefined ? { amountMinor: amount } : {}), ...(fee !== undefined ? { feeMinor: fee } : {}) };
    out.push(line);
    if (l.status === '0' && of('duplicate', id)) out.push(line);
  }
  for (const f of faults) if (f.kind === 'extra') out.push(f.line);
  const stated = simSummaryLine(out).split('|');
  const by = faults.reduce((n, f) => n + (f.kind === 'summary' ? f.successCountBy : 0), 0);
  if (by !== 0) {
    stated[0] = String(Number(stated[0]) + by);
    stated[1] = String(Number(stated[1]) + by);
  }
  return { lines: out, summary: stated.join('|'), garbage: faults.flatMap((f) => (f.kind === 'garbage' ? [f.text] : [])) };
}

/** A simulated file: its published name and bytes. */
export interface SimStatementFileBytes {
  /** File name per spec 5.1/5.5. */
  readonly name: string;
  /** The encoded content. */
  readonly bytes: Uint8Array;
}

/** The files of one settlement day. */
export interface SimStatementDay {
  /** JYMX_<partner>_<day>.txt. */
  readonly transactions: SimStatementFileBytes;
  /** FKMX_<partner>_<day>.txt (the simulator makes no payouts: no lines). */
  readonly payouts: SimStatementFileBytes;
  /** JYMXSUM_<partner>_<day>.txt. */
  readonly summary: SimStatementFileBytes;
  /** The lines written, for inspection. */
  readonly lines: readonly SimStatementLine[];
}

/**
 * Produces a settlement day's reconciliation files from the simulator's order ledger, with the
 * given {@link SimStatementFault}s applied.
 *
 * @example
 * ```ts
 * const day = simStatementDay(ledger.values(), { partnerId, settleDate: '20240101', layout: 'pipe', encoding: 'GBK' });
 * ```
 */
export function simStatementDay(
  records: Iterable<SimOrderRecord>,
  o: { readonly partnerId: string; readonly settleDate: string; readonly layout: StatementLayout; readonly encoding: SimStatementEncoding },
  faults: readonly SimStatementFault[] = [],
): PayResult<SimStatementDay> {
  const day = applySimStatementFaults(simStatementLines(records, o.settleDate), faults);
  const lines = day.lines;
  const text = [...lines.map((l) => formatSimStatementLine(l, o.layout)), ...day.garbage].map((l) => `${l}\r\n`).join('');
  return encodeText(text, o.encoding).andThen((details) => encodeText(`${day.summary}\r\n`, o.encoding).map((summary) => ({
    transactions: { name: `JYMX_${o.partnerId}_${o.settleDate}.txt`, bytes: details },
    payouts: { name: `FKMX_${o.partnerId}_${o.settleDate}.txt`, bytes: new Uint8Array(0) },
    summary: { name: `JYMXSUM_${o.partnerId}_${o.settleDate}.txt`, bytes: summary },
    lines,
  })));
}

/** Streams bytes in chunks of a given size (tests vary it to cut lines and characters anywhere). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += Math.max(1, size)) yield bytes.subarray(at, at + Math.max(1, size));
}

/** A {@link StatementFile} over bytes, streamed in chunks. */
export function simStatementFile(file: SimStatementFileBytes, chunkSize = 64 * 1024): StatementFile {
  return { name: file.name, content: chunked(file.bytes, chunkSize) };
}

/** Options of {@link syntheticStatement}. */
export interface SyntheticStatementOptions {
  /** Number of lines. */
  readonly lines: number;
  /** Layout. */
  readonly layout: StatementLayout;
  /** Encoding. */
  readonly encoding: SimStatementEncoding;
  /** oid_partner (18 digits). */
  readonly partnerId?: string;
  /** Settlement day. */
  readonly settleDate?: string;
}

/**
 * Line `i` (0-based) of a synthetic file: amount 1.00 + (i mod 100000) fen, fee i mod 50 fen;
 * every tenth line (i mod 10 = 9) is a refund of the same magnitudes, negative.
 */
export function syntheticLine(i: number, partnerId: string, settleDate: string): SimStatementLine {
  const refund = i % 10 === 9;
  const amount = 100 + (i % 100000);
  const fee = i % 50;
  const id = String(i).padStart(10, '0');
  return {
    orderNo: refund ? `R${id}` : `O${id}`, partnerId, dtOrder: `${settleDate}120000`, busiPartner: '101001',
    paybill: refund ? `O${String(i - 1).padStart(10, '0')}` : `2024${String(i).padStart(12, '0')}`, settleDate,
    amountMinor: refund ? -amount : amount, feeMinor: refund ? -fee : fee, status: refund ? '5' : '0', dtUpdate: `${settleDate}120001`,
    payType: i % 3 === 0 ? '3' : '2', info: '彩票连连支付充值',
  };
}

/**
 * A synthetic JYMX file of any length, generated and encoded as it is read (about 64 KiB per
 * chunk): it never exists in memory as a whole.
 */
export function syntheticStatement(o: SyntheticStatementOptions): StatementFile {
  const partnerId = o.partnerId ?? '201403251000001147';
  const settleDate = o.settleDate ?? '20240101';
  async function* content(): AsyncGenerator<Uint8Array> {
    let batch: string[] = [];
    let size = 0;
    for (let i = 0; i < o.lines; i += 1) {
      const line = `${formatSimStatementLine(syntheticLine(i, partnerId, settleDate), o.layout)}\n`;
      batch.push(line);
      size += line.length;
      if (size >= 32 * 1024) {
        yield encode(batch.join(''));
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) yield encode(batch.join(''));
  }
  const encode = (text: string): Uint8Array => {
    const r = encodeText(text, o.encoding);
    // The generator writes only characters both encodings hold.
    return r.isOk() ? r.value : new Uint8Array(0);
  };
  return { name: `JYMX_${partnerId}_${settleDate}.txt`, content: content() };
}
