import type { CodeMapping } from '@paykit/core';
import { ERROR_TABLE_6_1, type ErrorCategory, type ErrorRow } from './error-table.js';

/** A core `CodeMapping` that keeps Allinpay's own code, description and user-facing message. */
export interface AllinpayCodeMapping extends CodeMapping {
  /** Who can act on it. */
  readonly category: ErrorCategory;
  /** Allinpay's code, verbatim. */
  readonly providerCode: string;
  /** Allinpay's description of the code. */
  readonly description: string;
  /** The message Allinpay suggests showing the payer (spec 6.1, third column). */
  readonly userMessage: string;
}

// Spec 3.8: the refund status query's error table has its columns swapped in the document
// (descriptions under 错误码, codes under 错误描述); the codes are 001–011.
const REFUND_QUERY_ROWS: readonly ErrorRow[] = [
  ['001', 'invalid_config', 'merchant', false, '商户号不能为空', '商户号不能为空'],
  ['002', 'invalid_config', 'merchant', false, '商户号不能超过 15 位', '商户号不能超过 15 位'],
  ['003', 'invalid_config', 'merchant', false, '商户号不存在', '商户号不存在'],
  ['004', 'invalid_request', 'merchant', false, '订单号不能为空', '订单号不能为空'],
  ['005', 'not_found', 'merchant', false, '订单号不存在', '订单号不存在'],
  ['006', 'invalid_amount', 'merchant', false, '退款金额不能为空', '退款金额不能为空'],
  ['007', 'invalid_amount', 'merchant', false, '退款金额必须大于 0', '退款金额必须大于 0'],
  ['008', 'invalid_amount', 'merchant', false, '退款金额必须为整数', '退款金额必须为整数'],
  ['009', 'invalid_request', 'merchant', false, '退款受理时间格式不匹配', '退款受理时间格式不匹配'],
  ['010', 'invalid_signature', 'merchant', false, '摘要错误', '摘要错误'],
  ['011', 'not_found', 'merchant', false, '退款订单不存在', '退款订单不存在'],
];

// Spec 4.2: the one documented failure code of a pre-authorisation cancel.
const PREAUTH_ROWS: readonly ErrorRow[] = [
  ['FC0003_000008', 'provider_error', 'provider', false, '预授权撤销失败', '预授权撤销失败'],
];

function mappingOf([providerCode, code, category, retryable, description, userMessage]: ErrorRow): AllinpayCodeMapping {
  return { code, retryable, category, providerCode, description, userMessage };
}

const TABLE: ReadonlyMap<string, AllinpayCodeMapping> = new Map(
  [...ERROR_TABLE_6_1, ...REFUND_QUERY_ROWS, ...PREAUTH_ROWS].map((row) => [row[0], mappingOf(row)]),
);

/** Whether `code` is one of the documented codes (spec 6.1, 3.8 and 4.2). */
export function isDocumentedAllinpayCode(code: string): boolean {
  return typeof code === 'string' && TABLE.has(code.trim());
}

/** Every Allinpay error code paykit knows (spec 6.1, 3.8 and 4.2). */
export const ALLINPAY_ERROR_CODES: readonly string[] = [...TABLE.keys()];

/**
 * Maps an Allinpay error code to the shared vocabulary. An unknown code maps to a safe default:
 * a provider error, not retryable, with Allinpay's code kept verbatim.
 *
 * @example
 * ```ts
 * allinpayErrorCode('EM0001_000009').code // 'invalid_card'
 * allinpayErrorCode('EM0001_000009').userMessage // '卡片有效期不正确，请重新输入'
 * ```
 */
export function allinpayErrorCode(code: string): AllinpayCodeMapping {
  const key = typeof code === 'string' ? code.trim() : '';
  return TABLE.get(key) ?? {
    code: 'provider_error', retryable: false, category: 'provider', providerCode: key.slice(0, 40),
    description: 'unknown Allinpay error code', userMessage: '操作失败，请稍后重试',
  };
}
