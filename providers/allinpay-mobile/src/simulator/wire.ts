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

/** The international-card fields in the order spec 5.4 concatenates them for ext1. */
export const SIM_INTERNATIONAL_ORDER = [
  'ship_to_country', 'ship_to_state', 'ship_to_city', 'ship_to_street1', 'ship_to_street2', 'ship_to_phonenumber', 'ship_to_postalcode',
  'ship_to_firstname', 'ship_to_lastname', 'registration_name', 'registration_email', 'registration_phone', 'buyerid_period', 'fnpay_mode',
  'bill_firstname', 'bill_lastname', 'expireddate', 'cvv2', 'bill_email', 'bill_country', 'bill_address', 'bill_city', 'bill_state', 'bill_zip',
  'mdd07', 'mdd08', 'mdd09', 'mdd10', 'mdd11', 'mdd12', 'mdd13', 'mdd14', 'mdd15', 'mdd16', 'mdd17', 'mdd18',
] as const;

/** `a=1&b=2` of the non-empty fields in order. */
export function simSource(fields: Readonly<Record<string, string | undefined>>, order: readonly string[]): string {
  return order.filter((k) => (fields[k] ?? '') !== '').map((k) => `${k}=${fields[k] as string}`).join('&');
}

/** Uppercase MD5 hex of UTF-8 text, or of its GBK bytes (payData `inputCharset` 2 and 3). */
export function simMd5(text: string, charset: 'utf8' | 'gbk' = 'utf8'): string {
  return createHash('md5').update(charset === 'utf8' ? Buffer.from(text, 'utf8') : gbkBytes(text)).digest('hex').toUpperCase();
}

let GBK: Map<string, number> | undefined;

/**
 * GBK bytes of a text, from a table the platform's GBK *decoder* gives (every lead/trail pair
 * decoded once): independent of the plugin, which encodes with iconv-lite through core.
 */
function gbkBytes(text: string): Buffer {
  if (GBK === undefined) {
    GBK = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead += 1) {
      for (let trail = 0x40; trail <= 0xfe; trail += 1) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(Uint8Array.of(lead, trail));
        if (ch.length === 1 && ch !== '\ufffd' && !GBK.has(ch)) GBK.set(ch, (lead << 8) | trail);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) { out.push(code); continue; }
    const pair = GBK.get(ch);
    if (pair === undefined) throw new Error(`simulator: ${ch} is not a GBK character`);
    out.push(pair >> 8, pair & 0xff);
  }
  return Buffer.from(out);
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
