/**
 * The simulator's own view of Allinpay's signing (written apart from the plugin's signer so a
 * mistake on one side is caught by the other).
 */
import { createHash, createSign, type KeyObject } from 'node:crypto';

/** Signing orders of the requests the simulator receives and the replies it sends (specs README). */
export const SIM_ORDERS = {
  payData: ['inputCharset', 'receiveUrl', 'version', 'language', 'signType', 'merchantId', 'orderNo', 'orderAmount', 'orderCurrency', 'orderDatetime', 'productName', 'ext1', 'payType', 'issuerId', 'tradeNature'],
  orderQuery: ['merchantId', 'version', 'signType', 'orderNo', 'orderDatetime', 'queryDatetime'],
  batchQuery: ['version', 'merchantId', 'beginDateTime', 'endDateTime', 'pageNo', 'signType'],
  refund: ['version', 'signType', 'merchantId', 'orderNo', 'refundAmount', 'mchtRefundOrderNo', 'orderDatetime'],
  refundQuery: ['version', 'signType', 'merchantId', 'orderNo', 'refundAmount', 'refundDatetime', 'mchtRefundOrderNo'],
  preAuthCancel: ['merchantId', 'version', 'orderAmount', 'currency', 'orderNo', 'orderDatetime', 'signType'],
  preAuthConfirm: ['version', 'merchantId', 'orderAmount', 'confirmAmount', 'currency', 'orderNo', 'orderDatetime', 'signType'],
  paymentResult: ['merchantId', 'version', 'language', 'signType', 'payType', 'issuerId', 'paymentOrderId', 'orderNo', 'orderDatetime', 'orderAmount', 'payDatetime', 'payAmount', 'ext1', 'ext2', 'payResult', 'errorCode', 'returnDatetime'],
  refundReply: ['merchantId', 'version', 'signType', 'orderNo', 'orderAmount', 'orderDatetime', 'refundAmount', 'refundDatetime', 'refundResult', 'errorCode', 'returnDatetime'],
} as const;

/** `a=1&b=2` of the non-empty fields in order. */
export function simSource(fields: Readonly<Record<string, string | undefined>>, order: readonly string[]): string {
  return order.filter((k) => (fields[k] ?? '') !== '').map((k) => `${k}=${fields[k] as string}`).join('&');
}

/** Uppercase MD5 hex of UTF-8 text. */
export function simMd5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** SHA1withRSA base64 signature of UTF-8 text. */
export function simRsa(key: KeyObject, text: string): string {
  return createSign('RSA-SHA1').update(text, 'utf8').sign(key, 'base64');
}

/** Turns a valid signature into a wrong one of the same shape (fault injection). */
export function spoil(signature: string): string {
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${first}${signature.slice(1)}`;
}
