/** LianLian web wire ↔ paykit domain: statuses, return codes, amounts, reports. */
import { err, ok } from 'neverthrow';
import {
  formatDecimal, maskCardNumbersIn, parseCst, parseDecimal, PaymentErrors, type CodeMapping, type Money, type PaymentError,
  type PaymentReport, type PaymentStatus, type PayResult, type StatusMapping,
} from '@paykit/core';

/** Plugin id, used in errors. */
export const PROVIDER_ID = 'lianlian-web';

/** `result_pay` values of spec 4.4 (4.2/4.3 only ever carry SUCCESS). */
export const RESULT_PAY = ['SUCCESS', 'WAITING', 'PROCESSING', 'REFUND', 'FAILURE'] as const;
/** A documented `result_pay`. */
export type ResultPay = (typeof RESULT_PAY)[number];

function assertNever(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}

function isResultPay(s: string): s is ResultPay {
  return (RESULT_PAY as readonly string[]).includes(s);
}

/** Maps `result_pay`; an undocumented value is `processing`, never a success. */
export function paymentStatusOf(resultPay: string): PaymentStatus {
  if (!isResultPay(resultPay)) return 'processing';
  switch (resultPay) {
    case 'SUCCESS': return 'succeeded';
    case 'WAITING': return 'pending';
    case 'PROCESSING': return 'processing';
    // REFUND: the order was paid and then refunded in full (spec 4.4).
    case 'REFUND': return 'refunded';
    case 'FAILURE': return 'failed';
    default: return assertNever(resultPay);
  }
}

/** The payment status vocabulary, for introspection. */
export const paymentStatuses: StatusMapping<PaymentStatus> = { wire: RESULT_PAY, map: paymentStatusOf };

/**
 * LianLian return codes this plugin knows. The web spec has no table: 0000 is spec 4.3–4.7, 1003
 * and 1008 come from the integration guide, 8901 and 9999 from the README's LianLian notes, 1001
 * is LianLian's signature failure.
 */
const CODES: Readonly<Record<string, CodeMapping>> = {
  '0000': { code: 'internal_error', retryable: false, description: '交易成功 (success: not an error)' },
  '1001': { code: 'invalid_signature', retryable: false, category: 'merchant', description: '签名验证失败: the request signature did not verify' },
  '1003': { code: 'card_declined', retryable: false, category: 'user', description: '交易有风险: blocked by risk control (check risk_item; whitelist test cards)' },
  '1008': { code: 'permission_denied', retryable: false, category: 'merchant', description: '域名或IP未配置: register the domain / server IP with LianLian' },
  '8901': { code: 'not_found', retryable: false, category: 'merchant', description: '没有记录: no such order' },
  '9999': { code: 'provider_error', retryable: true, category: 'provider', description: '系统错误: LianLian system error' },
};

/** Maps a return code onto the shared vocabulary; unknown codes are provider errors. */
export function codeMappingOf(retCode: string): CodeMapping {
  // Own keys only: "valueOf" or "__proto__" must not reach Object.prototype.
  const known = Object.prototype.hasOwnProperty.call(CODES, retCode) ? CODES[retCode] : undefined;
  return known ?? { code: 'provider_error', retryable: false, category: 'provider', description: 'undocumented LianLian return code' };
}

/** The return code vocabulary, for introspection. */
export const errorCodes = { codes: Object.keys(CODES), map: codeMappingOf } as const;

/** The error for a reply whose `ret_code` is not 0000. */
export function errorFromReply(retCode: string, retMsg: string, operation: string): PaymentError {
  const m = codeMappingOf(retCode);
  const d = { code: m.code, retryable: m.retryable, providerId: PROVIDER_ID, providerCode: retCode, providerMessage: retMsg.slice(0, 100) };
  const message = `LianLian ${operation} answered ${retCode}${m.description ? ` (${m.description})` : ''}`;
  if (m.code === 'not_found') return PaymentErrors.notFound(message, d);
  if (m.code === 'invalid_signature') return PaymentErrors.providerRejected(`${message}: check signType and keys`, d);
  return PaymentErrors.providerRejected(message, d);
}

/** Yuan decimal of the wire → fen. A malformed amount in a message from LianLian is a `Decode` error. */
export function amountFromWire(text: string, path: string): PayResult<Money> {
  const parsed = parseDecimal(text, 'CNY', { path, allowZero: false });
  return parsed.isOk() ? parsed : err(PaymentErrors.decode(`${parsed.error.message} (in a message from LianLian)`, { path, providerId: PROVIDER_ID }));
}

/** Fen → the yuan decimal of the wire (`49.65`); LianLian takes CNY only. */
export function amountToWire(m: Money, path = 'amount'): PayResult<string> {
  if (m.currency !== 'CNY') return err(PaymentErrors.invalidRequest(`${path}: LianLian web takes CNY only, got ${m.currency}`, { path, code: 'invalid_amount' }));
  if (!Number.isSafeInteger(m.amount) || m.amount <= 0) return err(PaymentErrors.invalidRequest(`${path} must be a positive integer of fen`, { path, code: 'invalid_amount' }));
  return formatDecimal(m, 'fixed').andThen((text) => (text.length > 12
    ? err(PaymentErrors.invalidRequest(`${path} ${text} exceeds money_order's 12 characters`, { path, code: 'invalid_amount' }))
    : ok(text)));
}

/** The fields of a payment result message (notification, sync return, query reply). */
export interface PaymentResultFields {
  readonly no_order: string;
  readonly dt_order?: string;
  readonly oid_paybill: string;
  readonly money_order: string;
  readonly result_pay: string;
  readonly settle_date?: string;
  readonly memo?: string;
  readonly no_agree?: string;
  readonly bank_code?: string;
  readonly pay_type?: string;
  readonly id_type?: string;
  readonly id_no?: string;
  readonly acct_name?: string;
}

/**
 * The signed fields of a payment result that become `providerDetails`, under their wire names
 * (spec 4.3, 4.4): the card agreement (the integration guide reuses `no_agree` on later payments),
 * bank and pay method, and the payer's id type, id number (masked) and account name.
 */
export const DETAIL_FIELDS = ['no_agree', 'bank_code', 'pay_type', 'id_type', 'id_no', 'acct_name'] as const;

/** An identity number with all but its last 4 characters masked (`**************1234`). */
export function maskIdNumber(id: string): string {
  const chars = [...id];
  const shown = chars.length > 8 ? 4 : chars.length > 4 ? 2 : 0;
  return '*'.repeat(chars.length - shown) + chars.slice(chars.length - shown).join('');
}

/** Options of {@link reportOf}. */
export interface ReportOptions {
  /** When the payment was paid (the notification's arrival): set on a success only. */
  readonly paidAt?: Date;
  /** Signed fields the spec's table lacks: kept in `providerDetails`, card-number-like runs masked. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The provider details of a verified message, or undefined when it has none. */
function detailsOf(w: PaymentResultFields, extra: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const k of DETAIL_FIELDS) {
    const v = w[k];
    if (v === undefined || v === '') continue;
    out ??= {};
    out[k] = k === 'id_no' ? maskIdNumber(v) : v;
  }
  if (extra !== undefined) {
    for (const k in extra) {
      out ??= {};
      out[k] = maskCardNumbersIn(extra[k] as string);
    }
  }
  return out;
}

/** Builds the domain report of a verified, decoded payment result message. */
export function reportOf(w: PaymentResultFields, o: ReportOptions = {}): PayResult<PaymentReport> {
  // Early return and plain assignments rather than map() and conditional spreads: this runs on
  // every notification, and the spreads cost more than the rest of the mapping.
  const amount = amountFromWire(w.money_order, 'money_order');
  if (amount.isErr()) return err(amount.error);
  const status = paymentStatusOf(w.result_pay);
  const report: { -readonly [K in keyof PaymentReport]: PaymentReport[K] } = {
    orderId: w.no_order,
    status,
    amount: amount.value,
    providerPaymentId: w.oid_paybill,
    providerStatus: w.result_pay,
  };
  if (w.settle_date !== undefined) report.settleDate = w.settle_date;
  // Spec 3.1: merchant, order date and order number name an order; an order paykit first learns
  // of from this message keeps its date, which every later query must send.
  if (w.dt_order !== undefined) {
    const orderedAt = parseCst(w.dt_order, 'dt_order');
    if (orderedAt.isOk()) report.orderedAt = orderedAt.value;
  }
  if (o.paidAt !== undefined && status === 'succeeded') report.paidAt = o.paidAt;
  if (status === 'failed') report.failure = { message: w.memo ?? 'LianLian reports the payment failed' };
  const details = detailsOf(w, o.extra);
  if (details !== undefined) report.providerDetails = details;
  return ok(report);
}

/** The order date of a payment reference as `dt_order` (spec 3.1: merchant, date and number identify an order). */
export function dtOrderOf(createdAt: Date | undefined, path: string): PayResult<Date> {
  return createdAt instanceof Date && !Number.isNaN(createdAt.getTime())
    ? ok(createdAt)
    : err(PaymentErrors.invalidRequest(`${path}: LianLian needs the order's creation time (dt_order)`, { path }));
}

/** Parses a `YYYYMMDDHHmmss` from LianLian; a malformed one is a `Decode` error. */
export function cstFromWire(text: string, path: string): PayResult<Date> {
  return parseCst(text, path).mapErr((e) => PaymentErrors.decode(e.message, { path, providerId: PROVIDER_ID }));
}
