/** Builds and validates payout request fields from domain requests, before anything is signed or sent. */
import { err, ok } from 'neverthrow';
import { decodeWith, formatCst, formatDecimal, PaymentErrors, type PayoutConfirmation, type PayoutRequest, type PayResult } from '@paykit/core';
import type { LianlianPayoutOptions } from './config.js';
import { ApplyFields, CONFIRM_NOTIFY_URL_MAX, ConfirmFields, QueryFields } from './wire.js';

/** The spec's memo rule: characters matching `[^a-zA-Z0-9\u4e00-\u9fa5-_]` are filtered out. */
const MEMO_FILTERED = /[^a-zA-Z0-9\u4e00-\u9fa5_-]/gu;

/** Removes the characters the bank would drop from a memo (spec, `memo` row). */
export function filterMemo(memo: string): string {
  return memo.replace(MEMO_FILTERED, '');
}

/**
 * Banks whose corporate payouts may omit branch details (guide section 十: CCB for corporate
 * accounts). Every other bank needs `prcptcd`, or `city_code` with `brabank_name`.
 */
export const CORPORATE_BRANCH_EXEMPT: ReadonlyMap<string, string> = new Map([['01050000', 'China Construction Bank']]);

/**
 * Largest payout, in fen. Apply takes `money_order` Number(10,2), but the query reply carries it as
 * Number(8,2) (999999.99 yuan): a larger payout could be sent and then never resolved by query, so
 * the smaller bound applies.
 */
const MAX_FEN = 99_999_999;

function memoOf(request: PayoutRequest): PayResult<string> {
  if (request.memo === undefined) {
    // memo is required on the wire; default to the purpose, filtered and cut to String(24).
    const derived = [...filterMemo(request.description)].slice(0, 24).join('');
    return ok(derived === '' ? 'payout' : derived);
  }
  const filtered = filterMemo(request.memo);
  if (filtered === '') return err(PaymentErrors.invalidRequest('memo has no character the bank accepts: use letters, digits, Chinese characters, "-" or "_"', { path: 'memo' }));
  if ([...filtered].length > 24) return err(PaymentErrors.invalidRequest(`memo is ${[...filtered].length} characters after filtering; LianLian allows at most 24 (String(24))`, { path: 'memo' }));
  return ok(filtered);
}

function accountFields(request: PayoutRequest): PayResult<Record<string, string>> {
  const a = request.account;
  // Checked here, not by the codec, so the number never appears in an error message.
  if (!/^\d{1,32}$/.test(a.accountNumber.replace(/\s+/g, ''))) {
    return err(PaymentErrors.invalidRequest('account.accountNumber must be 1-32 digits (card_no, String(32))', { path: 'account.accountNumber', code: 'invalid_account' }));
  }
  const fields: Record<string, string> = {
    card_no: a.accountNumber.replace(/\s+/g, ''), acct_name: a.accountName, flag_card: a.type === 'corporate' ? '1' : '0',
  };
  if (a.bankName !== undefined) fields['bank_name'] = a.bankName;
  if (a.bankCode !== undefined) fields['bank_code'] = a.bankCode;
  if (a.branchCode !== undefined) fields['prcptcd'] = a.branchCode;
  if (a.cityCode !== undefined) fields['city_code'] = a.cityCode;
  if (a.branchName !== undefined) fields['brabank_name'] = a.branchName;
  if (a.type === 'corporate') {
    if (a.bankCode === undefined || a.bankCode === '') {
      return err(PaymentErrors.invalidRequest('a corporate payout (flag_card 1) needs account.bankCode (LianLian bank code, e.g. 01050000)', { path: 'account.bankCode', code: 'invalid_account' }));
    }
    const hasBranch = a.branchCode !== undefined || (a.cityCode !== undefined && a.branchName !== undefined);
    if (!hasBranch && !CORPORATE_BRANCH_EXEMPT.has(a.bankCode)) {
      return err(PaymentErrors.invalidRequest(`a corporate payout to bank ${a.bankCode} needs account.branchCode (prcptcd), or account.cityCode with account.branchName; only ${[...CORPORATE_BRANCH_EXEMPT.keys()].join(', ')} may omit them (guide 十)`, { path: 'account.branchCode', code: 'invalid_account' }));
    }
  }
  return ok(fields);
}

/** Why a notify URL cannot be used for payouts: confirmPayment.htm takes at most 64 characters. */
export function notifyUrlTooLong(url: string): string {
  return `notify_url is ${url.length} characters; confirmPayment.htm takes at most ${CONFIRM_NOTIFY_URL_MAX} (String(${CONFIRM_NOTIFY_URL_MAX})), and a payout held for review (4002/4003/4004) can only be released with it: use a notify URL of at most ${CONFIRM_NOTIFY_URL_MAX} characters`;
}

/** The apply (`payment.htm`) fields for a payout, validated against the wire codec. */
export function applyFields(request: PayoutRequest, o: LianlianPayoutOptions): PayResult<ApplyFields> {
  if (request.amount.currency !== 'CNY') return err(PaymentErrors.invalidRequest(`LianLian pays out CNY only, not ${request.amount.currency}`, { path: 'amount.currency', code: 'invalid_amount' }));
  if (!Number.isSafeInteger(request.amount.amount) || request.amount.amount <= 0 || request.amount.amount > MAX_FEN) {
    return err(PaymentErrors.invalidRequest('amount must be 1 to 99999999 fen (999999.99 yuan): the payout query reports money_order as Number(8,2), so a larger payout could not be resolved', { path: 'amount', code: 'invalid_amount' }));
  }
  const notifyUrl = request.notifyUrl ?? o.notifyUrl;
  if (notifyUrl === undefined) return err(PaymentErrors.invalidRequest('notify_url is required: pass notifyUrl or set options.notifyUrl', { path: 'notifyUrl' }));
  // Apply takes String(255), but a payout held for review (4002/4003/4004) is released only by
  // confirmPayment.htm, whose notify_url is String(64): refuse now, not once it is held.
  if (notifyUrl.length > CONFIRM_NOTIFY_URL_MAX) return err(PaymentErrors.invalidRequest(notifyUrlTooLong(notifyUrl), { path: 'notifyUrl' }));
  const moneyOrder = formatDecimal(request.amount, 'fixed');
  if (moneyOrder.isErr()) return err(moneyOrder.error);
  return memoOf(request).andThen((memo) => accountFields(request).andThen((account) => decodeWith(ApplyFields, {
    oid_partner: o.oidPartner, api_version: '1.0', sign_type: 'RSA', no_order: request.providerOrderId,
    dt_order: formatCst(request.createdAt), money_order: moneyOrder.value,
    info_order: request.description, notify_url: notifyUrl, memo, ...account,
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
  }, 'payouts.submit')));
}

/** The confirm (`confirmPayment.htm`) fields for a held payout. */
export function confirmFields(c: PayoutConfirmation, o: LianlianPayoutOptions): PayResult<ConfirmFields> {
  const notifyUrl = c.request.notifyUrl ?? o.notifyUrl;
  if (notifyUrl === undefined) return err(PaymentErrors.invalidRequest('notify_url is required: pass notifyUrl or set options.notifyUrl', { path: 'notifyUrl' }));
  return decodeWith(ConfirmFields, {
    oid_partner: o.oidPartner, api_version: '1.0', sign_type: 'RSA', no_order: c.request.providerOrderId,
    confirm_code: c.confirmCode, notify_url: notifyUrl, ...(o.platform !== undefined ? { platform: o.platform } : {}),
  }, 'payouts.confirm');
}

/** The query (`queryPayment.htm`) fields for a payout. */
export function queryFields(request: PayoutRequest, o: LianlianPayoutOptions): PayResult<QueryFields> {
  return decodeWith(QueryFields, {
    oid_partner: o.oidPartner, api_version: '1.0', sign_type: 'RSA', no_order: request.providerOrderId,
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
  }, 'payouts.query');
}
