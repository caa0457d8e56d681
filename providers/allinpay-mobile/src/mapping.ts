/**
 * Allinpay vocabularies ↔ paykit domain: currencies (spec 6.2, 6.3), payment and refund statuses,
 * and the payment control's synchronous result (2.2.2).
 */
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import {
  decodeWith, isCurrencyCode, parseMinorUnits, PaymentErrors, type CurrencyCode, type Money, type PaymentStatus, type PayResult,
  type RefundStatus, type StatusMapping,
} from '@paykit/core';
import { AndroidSyncResult, IosSyncResult } from './wire.js';

/** Which Allinpay currency table applies to a payment. */
export type CurrencyTable = 'cross-border' | 'international-card';

/** Spec 6.2, cross-border payments: currency → Allinpay's code. CNY may also be sent as `0`. */
export const CROSS_BORDER_CURRENCIES: Readonly<Partial<Record<CurrencyCode, string>>> = {
  CNY: '156', USD: '840', HKD: '344', JPY: '392', EUR: '978', MYR: '458',
  // Spec 6.2 lists Australian dollars as "032", which ISO 4217 gives the Argentine peso; table 6.3
  // and ISO 4217 give 036. Every other code of 6.2 is its ISO code, so 032 is read as a typo and
  // 036 is sent, unless the instance says Allinpay asked for 032 (option crossBorderAudCode).
  AUD: '036',
};

/** The AUD codes an instance may send for cross-border payments: 6.3's (and ISO's) 036, or 6.2's 032. */
export type AudCode = '036' | '032';

/** Spec 6.3, international-card payments: currency → ISO numeric code. */
export const INTERNATIONAL_CARD_CURRENCIES: Readonly<Partial<Record<CurrencyCode, string>>> = {
  CNY: '156', USD: '840', GBP: '826', HKD: '344', EUR: '978', CAD: '124', AUD: '036', JPY: '392', SGD: '702', SEK: '752',
};

/**
 * The Allinpay currency code of a currency in a table, or an error naming the ones accepted.
 * `crossBorderAudCode` replaces AUD's cross-border code (default 036, see {@link CROSS_BORDER_CURRENCIES}).
 */
export function allinpayCurrency(currency: CurrencyCode, table: CurrencyTable, crossBorderAudCode?: AudCode): PayResult<string> {
  if (typeof currency !== 'string') return err(PaymentErrors.invalidRequest('currency must be an ISO 4217 code such as "CNY"', { path: 'amount.currency', code: 'invalid_amount' }));
  if (table !== 'cross-border' && table !== 'international-card') return err(PaymentErrors.invalidRequest('table must be "cross-border" or "international-card"', { path: 'table' }));
  if (crossBorderAudCode !== undefined && crossBorderAudCode !== '036' && crossBorderAudCode !== '032') {
    return err(PaymentErrors.invalidRequest('crossBorderAudCode must be "036" or "032", or left out', { path: 'crossBorderAudCode' }));
  }
  const codes = table === 'cross-border' ? CROSS_BORDER_CURRENCIES : INTERNATIONAL_CARD_CURRENCIES;
  // Own keys only: "toString" or "__proto__" is no currency.
  const code = table === 'cross-border' && currency === 'AUD' && crossBorderAudCode !== undefined ? crossBorderAudCode : Object.hasOwn(codes, currency) ? codes[currency] : undefined;
  if (code !== undefined) return ok(code);
  const section = table === 'cross-border' ? '6.2' : '6.3';
  return err(PaymentErrors.invalidRequest(
    `Allinpay does not take ${currency} for ${table} payments (spec ${section}); use one of ${Object.keys(codes).join(', ')}`,
    { path: 'amount.currency', code: 'invalid_amount' },
  ));
}

/** Payment results (`payResult`, spec 2.2.3): `1` paid, `0` unpaid. Anything else is still processing. */
export const paymentStatuses: StatusMapping<PaymentStatus> = {
  wire: ['1', '0'],
  map: (wire) => (wire === '1' ? 'succeeded' : wire === '0' ? 'pending' : 'processing'),
};

/** Refund status query results (spec 3.8) and the refund reply's `20` (accepted). */
export const refundStatuses: StatusMapping<RefundStatus> = {
  wire: ['TKSUCC0001', 'TKSUCC0002', 'TKSUCC0003', 'TKSUCC0004', 'TKSUCC0005', 'TKSUCC0006', 'TKSUCC0007', 'TKSUCC0008', '20'],
  map: (wire) => {
    switch (wire) {
      case 'TKSUCC0001': return 'pending'; // 退款未受理: not yet taken up
      case 'TKSUCC0002': // 待通联审核: waiting for Allinpay's review
      case 'TKSUCC0003': // 通联审核通过: approved, not yet paid back
      case 'TKSUCC0005': // 处理中
      case '20': return 'processing'; // refund reply (3.6): application accepted
      case 'TKSUCC0006': return 'succeeded';
      case 'TKSUCC0004': // 退款冲销: the refund was reversed
      case 'TKSUCC0007': // 退款失败
      case 'TKSUCC0008': return 'failed'; // 通联审核不通过: review refused
      default: return 'processing'; // unknown: never a success
    }
  },
};

/**
 * The query parameter of `receiveUrl` that names an order's currency when it differs from the
 * instance's. Allinpay's notifications (2.2.3), single query replies (3.2) and batch lines (3.4)
 * carry `orderAmount` in the order's currency but not the currency itself; `receiveUrl` is the one
 * value of the order the merchant chooses, signs in the payData, and gets back as the address
 * Allinpay posts to (2.2.1).
 */
export const CURRENCY_PARAM = 'paykit_currency';

/** `receiveUrl` carrying the order's currency when it is not the instance's (see {@link CURRENCY_PARAM}). */
export function receiveUrlFor(url: string, currency: CurrencyCode, instanceCurrency: CurrencyCode): string {
  if (currency === instanceCurrency) return url;
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${CURRENCY_PARAM}=${currency}${fragment}`;
}

/**
 * The currency a notification posted to `url` (path and query) is in: the {@link CURRENCY_PARAM}
 * of its address, or the instance's. The address is not covered by Allinpay's signature, so a
 * wrong one can only make the amount disagree with the order (core then answers `Conflict`), never
 * settle an order for a different sum.
 */
export function notificationCurrency(url: string, instanceCurrency: CurrencyCode): PayResult<CurrencyCode> {
  // Plain checks, no guard: this runs on every notification.
  if (typeof url !== 'string') return err(PaymentErrors.invalidRequest("url must be the notification request's address (path and query) as a string", { path: 'url' }));
  if (!isCurrencyCode(instanceCurrency)) return err(PaymentErrors.invalidRequest('instanceCurrency must be an ISO 4217 currency code such as "CNY"', { path: 'instanceCurrency' }));
  const query = url.indexOf('?');
  if (query === -1 || !url.includes(CURRENCY_PARAM, query)) return ok(instanceCurrency);
  const tag = new URLSearchParams(url.slice(query + 1).split('#')[0]).get(CURRENCY_PARAM);
  if (tag === null) return ok(instanceCurrency);
  return isCurrencyCode(tag) ? ok(tag)
    : err(PaymentErrors.decode(`the notification address names ${CURRENCY_PARAM}="${tag.slice(0, 10)}", which is not an ISO 4217 currency code: post Allinpay's notifications to the receiveUrl paykit signed`, { path: CURRENCY_PARAM }));
}

/** A whole number of minor units from the wire, in a currency. */
export function wireAmount(text: string, currency: CurrencyCode, path: string): PayResult<Money> {
  // A branch rather than mapErr: on every notification's path, and an Ok passes through unwrapped.
  const amount = parseMinorUnits(text, currency, { path });
  return amount.isOk() ? amount : err(PaymentErrors.decode(`${path}: ${amount.error.message}`, { path }));
}

/** What the payment control says when it closes: only whether the payment was accepted (2.2.2). */
export type SyncOutcome = 'accepted' | 'failed' | 'cancelled';

/**
 * The payment status a control outcome claims (spec 2.2.2: "同步接口返回的仅为该笔订单的受理情况"):
 * `accepted` means Allinpay took the attempt, not that it was paid, so it claims `processing`; a
 * cancel leaves the order waiting for the payer (`pending`).
 */
export function syncOutcomeStatus(outcome: SyncOutcome): PaymentStatus {
  switch (outcome) {
    case 'accepted': return 'processing';
    case 'failed': return 'failed';
    case 'cancelled': return 'pending';
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** The control's synchronous result. Never a final payment state: wait for the notification or query. */
export interface SyncResult {
  /** The platform whose format it was. */
  readonly platform: 'ios' | 'android';
  /** Accepted, failed or cancelled by the payer. */
  readonly outcome: SyncOutcome;
  /** The control's own result code, verbatim (iOS `payResult`, Android `allinpay_pay_res`). */
  readonly code: string;
  /** Amount the control reports, when given. */
  readonly amount?: Money;
  /** Payment time text as given. */
  readonly payTime?: string;
  /** Allinpay's payment order id of the last attempt ('' when none was made). */
  readonly payOrderId?: string;
}

const IOS_OUTCOMES: Readonly<Record<string, SyncOutcome>> = { '0': 'accepted', '1': 'failed', '-1': 'cancelled' };
const ANDROID_OUTCOMES: Readonly<Record<string, SyncOutcome>> = { allinpay_pay_success: 'accepted', allinpay_pay_fail: 'failed' };

/**
 * Parses the result JSON the iOS (`APayResult:`) or Android (`onActivityResult` extra `result`)
 * control returns (spec 2.2.2). It says only whether Allinpay accepted the payment request; the
 * notification (or a query) decides the payment's state.
 *
 * @example
 * ```ts
 * parseSyncResult('{"payResult":0,"payAmount":1000,"payTime":"20240101120000","payOrderId":"P1"}')
 * // Ok({ platform: 'ios', outcome: 'accepted', amount: { amount: 1000, currency: 'CNY' }, … })
 * ```
 */
export function parseSyncResult(json: string, currency: CurrencyCode = 'CNY'): PayResult<SyncResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return err(PaymentErrors.decode('the control result is not JSON: pass the string the control returned, unchanged'));
  }
  const isAndroid = typeof parsed === 'object' && parsed !== null && 'allinpay_pay_res' in parsed;
  type Parsed = { readonly payAmount?: number | string; readonly payTime?: string; readonly payOrderId?: string };
  const fields: PayResult<{ platform: 'ios' | 'android'; code: string; r: Parsed }> = isAndroid
    ? decodeWith(AndroidSyncResult, parsed, 'syncResult', 'reply').map((r) => ({ platform: 'android' as const, code: r.allinpay_pay_res, r }))
    : decodeWith(IosSyncResult as t.Decoder<unknown, t.TypeOf<typeof IosSyncResult>>, parsed, 'syncResult', 'reply').map((r) => ({ platform: 'ios' as const, code: String(r.payResult), r }));
  return fields.andThen(({ platform, code, r }) => {
    const table = platform === 'ios' ? IOS_OUTCOMES : ANDROID_OUTCOMES;
    // Own entries only: the app posts this unauthenticated, and "toString" must not find a function.
    const outcome = Object.hasOwn(table, code) ? table[code] : undefined;
    if (outcome === undefined) {
      const expected = platform === 'ios' ? 'payResult 0, 1 or -1' : 'allinpay_pay_res allinpay_pay_success or allinpay_pay_fail';
      return err(PaymentErrors.decode(`unknown ${platform} control result "${code.slice(0, 30)}": expected ${expected}`));
    }
    const amount = r.payAmount === undefined || r.payAmount === '' ? ok(undefined) : wireAmount(String(r.payAmount), currency, 'payAmount');
    return amount.map((m) => ({
      platform, outcome, code,
      ...(m !== undefined ? { amount: m } : {}),
      ...(r.payTime !== undefined ? { payTime: r.payTime } : {}),
      ...(r.payOrderId !== undefined ? { payOrderId: r.payOrderId } : {}),
    }));
  });
}
