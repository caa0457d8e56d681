/** LianLian payout vocabularies mapped onto the domain: payout statuses and return codes. */
import type { CodeMapping, PayoutStatus } from '@paykit/core';

/** Every `result_pay` the payout API documents (spec query table; README adds WAITING). */
export const RESULT_PAY = ['APPLY', 'CHECK', 'WAITING', 'PROCESSING', 'SUCCESS', 'FAILURE', 'CANCEL', 'CLOSED'] as const;
/** A documented `result_pay`. */
export type ResultPay = (typeof RESULT_PAY)[number];

function isResultPay(s: string): s is ResultPay {
  return (RESULT_PAY as readonly string[]).includes(s);
}

function assertNever(x: never): never {
  throw new Error(`unmapped value ${String(x)}`);
}

/**
 * Maps `result_pay` onto a payout status. Undocumented values map to `processing` (never to a
 * success or a final state): the payout is resolved by a later query.
 */
export function payoutStatusOf(resultPay: string): PayoutStatus {
  if (!isResultPay(resultPay)) return 'processing';
  switch (resultPay) {
    case 'APPLY': return 'accepted'; // 付款申请: the order exists, not yet in a batch
    case 'CHECK': return 'held_for_review'; // 复核申请: waiting for confirmPayment.htm
    case 'WAITING': return 'processing'; // queued for the next batch (10:30 / 14:00)
    case 'PROCESSING': return 'processing';
    case 'SUCCESS': return 'succeeded';
    case 'FAILURE': return 'failed';
    case 'CANCEL': return 'returned'; // 付款退款: only ever after a SUCCESS
    case 'CLOSED': return 'closed'; // 付款关闭, e.g. a review hold never confirmed
    default: return assertNever(resultPay);
  }
}

/** What a return code means for the call that got it. */
export type RetCodeClass =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'held' }
  | { readonly kind: 'rejected'; readonly mapping: CodeMapping }
  | { readonly kind: 'query-first' }
  | { readonly kind: 'no-record' };

/** Review holds: 4002 suspected duplicate, 4003 name/card mismatch, 4004 both (README). */
export const HOLD_CODES = ['4002', '4003', '4004'] as const;
/** "Query before doing anything else" codes (README): the outcome is unknown. */
export const QUERY_FIRST_CODES = ['1002', '2005', '4006', '4007', '4009', '9999'] as const;

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map(Object.entries({
  '0000': 'accepted / query succeeded',
  '4002': 'suspected duplicate payout: held for review, confirm with confirm_code',
  '4003': 'account name and card number do not match: held for review, confirm with confirm_code',
  '4004': 'suspected duplicate and name/card mismatch: held for review, confirm with confirm_code',
  '4005': 'merchant has no payout permission (商户未开通权限)',
  '1002': 'outcome unknown: query first', '2005': 'outcome unknown: query first', '4006': 'outcome unknown: query first',
  '4007': 'outcome unknown: query first', '4009': 'outcome unknown: query first', '9999': 'outcome unknown: query first',
  '8901': 'no record of the order (query)',
}));

/** Every return code the plugin knows. */
export const RET_CODES: readonly string[] = [...DESCRIPTIONS.keys()];

/**
 * Classifies a `ret_code` of a money-moving call (apply, confirm). Codes the README does not list
 * are treated as "query first": an undocumented code never lets a payout be marked failed while
 * it may exist.
 */
export function classifyMoneyCode(code: string): RetCodeClass {
  if (code === '0000') return { kind: 'accepted' };
  if ((HOLD_CODES as readonly string[]).includes(code)) return { kind: 'held' };
  if (code === '4005') return { kind: 'rejected', mapping: mapErrorCode(code) };
  return { kind: 'query-first' };
}

/**
 * Classifies a `ret_code` of a query: 0000 found, 8901 no record, anything else a refusal. A
 * "query first" code answering the query itself means LianLian could not say yet: asking again
 * may succeed, so that refusal is retryable (on apply or confirm the same codes are never
 * repeated blindly: they are unknown outcomes, settled by a query).
 */
export function classifyQueryCode(code: string): RetCodeClass {
  if (code === '0000') return { kind: 'accepted' };
  if (code === '8901') return { kind: 'no-record' };
  if ((QUERY_FIRST_CODES as readonly string[]).includes(code)) {
    return { kind: 'rejected', mapping: { ...mapErrorCode(code), retryable: true, description: 'LianLian could not answer the query yet: query again later' } };
  }
  return { kind: 'rejected', mapping: mapErrorCode(code) };
}

/** Maps any return code onto the shared error vocabulary (total: unknown codes are provider errors). */
export function mapErrorCode(code: string): CodeMapping {
  const description = DESCRIPTIONS.get(code);
  const d = description !== undefined ? { description } : {};
  if (code === '4005') return { code: 'permission_denied', retryable: false, category: 'merchant', ...d };
  // 4002 and 4004 (suspected duplicate, alone or with a name/card mismatch) may pay the same
  // beneficiary twice if confirmed: their own code, so confirming them can be made explicit.
  if (code === '4002' || code === '4004') return { code: 'suspected_duplicate', retryable: false, category: 'merchant', ...d };
  if (code === '4003') return { code: 'invalid_account', retryable: false, category: 'merchant', ...d };
  if ((QUERY_FIRST_CODES as readonly string[]).includes(code)) return { code: 'outcome_unknown', retryable: false, category: 'retry', ...d };
  if (code === '8901') return { code: 'not_found', retryable: false, category: 'merchant', ...d };
  if (code === '0000') return { code: 'provider_error', retryable: false, category: 'provider', description: 'success (not an error)' };
  return { code: 'provider_error', retryable: false, category: 'provider' };
}
