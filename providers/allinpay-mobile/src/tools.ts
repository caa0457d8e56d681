/** `paykit sign` / `paykit verify` for Allinpay: any request's signMsg, and every reply format. */
import { err, ok } from 'neverthrow';
import {
  guard, loadPublicKey, PaymentErrors, Secret, type PayResult, type ProviderTools, type SignToolOptions, type SignToolResult,
  type VerifyToolOptions, type VerifyToolResult,
} from '@paykit/core';
import type { AllinpaySettings } from './config.js';
import { errorReplyOf, isErrorReply } from './http.js';
import { parseNotificationForm, verifyPaymentResult } from './notifications.js';
import { verifyPreAuthReply } from './preauth.js';
import { verifyRefundQueryReply, verifyRefundReply } from './refunds.js';
import { INPUT_CHARSETS, md5SignMsgIn } from './signer.js';
import { parseBatchReply } from './statements.js';
import { BatchQuery, OrderQuery, PayData, PreAuthCancel, PreAuthConfirm, PreAuthReply, recordOf, RefundApply, RefundQuery, RefundQueryRecord } from './wire.js';

/** Request messages `paykit sign --message NAME` can sign; `payData` by default. */
export const SIGNABLE_MESSAGES = {
  payData: PayData.order, orderQuery: OrderQuery.order, batchQuery: BatchQuery.order, refund: RefundApply.order,
  refundQuery: RefundQuery.order, preAuthConfirm: PreAuthConfirm.order, preAuthCancel: PreAuthCancel.order,
} as const;

/** Reply formats `paykit verify --message NAME` accepts; guessed from the bytes when absent. */
export type VerifiableMessage = 'notification' | 'orderQueryReply' | 'refundReply' | 'refundQueryReply' | 'preAuthReply' | 'batchQueryReply';

function textFields(fields: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) out[k] = typeof v === 'string' ? v : String(v);
  return out;
}

function sign(fields: Readonly<Record<string, unknown>>, options: SignToolOptions): PayResult<SignToolResult> {
  const name = (options.message ?? 'payData') as keyof typeof SIGNABLE_MESSAGES;
  const order = Object.hasOwn(SIGNABLE_MESSAGES, name) ? SIGNABLE_MESSAGES[name] : undefined;
  if (order === undefined) return err(PaymentErrors.invalidRequest(`unknown message "${String(options.message).slice(0, 30)}": use one of ${Object.keys(SIGNABLE_MESSAGES).join(', ')}`, { path: 'message' }));
  if (options.md5Key === undefined || options.md5Key === '') return err(PaymentErrors.invalidRequest('Allinpay requests are MD5-signed: pass the MD5 key (--md5-key)', { path: 'md5Key' }));
  const text = textFields(fields);
  // A payData is signed over the bytes of its own inputCharset (spec 5.1 c); every other request is ASCII or UTF-8.
  const charset = name === 'payData' ? INPUT_CHARSETS[text.inputCharset as keyof typeof INPUT_CHARSETS] ?? 'UTF-8' : 'UTF-8';
  return md5SignMsgIn(text, order, new Secret(options.md5Key), charset)
    .map((signed) => ({ field: 'signMsg', signature: signed.signature, signedText: signed.explained }));
}

function guess(text: string): VerifiableMessage {
  if (text.includes('refundResult=')) return 'refundReply';
  if (text.includes('paymentOrderId=') || text.includes('signMsg=')) return 'notification';
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first.startsWith('v2.4|')) return 'refundQueryReply';
  if (first.includes('|')) return 'preAuthReply';
  return 'batchQueryReply';
}

function verify(raw: Uint8Array, options: VerifyToolOptions): PayResult<VerifyToolResult> {
  const text = Buffer.from(raw).toString('utf8').trim();
  if (isErrorReply(text)) return err(errorReplyOf(text, 'the call'));
  const keyText = options.cert ?? options.publicKey;
  const cert = keyText === undefined ? ok(undefined) : loadPublicKey(keyText);
  if (cert.isErr()) return err(cert.error);
  const message = (options.message as VerifiableMessage | undefined) ?? guess(text);
  const settingsFor = (merchantId: string, signType: string): AllinpaySettings => ({
    merchantId, md5Key: new Secret(options.md5Key ?? ''), signType: signType === '0' ? '0' : '1',
    ...(cert.value !== undefined ? { certificate: cert.value } : {}), mode: '01', insecureHttp: false, baseUrl: '', receiveUrl: '', currency: 'CNY',
    inputCharset: '1', payType: '0', timeoutMs: 1, crossBorderAudCode: '036', buyerAccounts: false,
  });
  const needMd5 = (): PayResult<void> => (options.md5Key ? ok(undefined) : err(PaymentErrors.invalidRequest('this message is MD5-signed: pass the MD5 key (--md5-key)', { path: 'md5Key' })));
  // A line reply names its signType in its first record (spec 3.8, 4.2/4.4). Anything but the
  // certificate's 1 needs the key: an MD5 over an empty key is one anyone can compute.
  const needMd5ForLines = (record: typeof RefundQueryRecord | typeof PreAuthReply): PayResult<void> =>
    (recordOf(record, (text.split(/\r?\n/)[0] ?? '').trim())?.signType === '1' ? ok(undefined) : needMd5());
  switch (message) {
    case 'notification':
    case 'orderQueryReply':
      return parseNotificationForm(raw).andThen((f) => {
        const s = settingsFor(f.merchantId ?? '', f.signType ?? '');
        return (s.signType === '0' ? needMd5() : ok(undefined)).andThen(() => verifyPaymentResult(f, s, 'CNY'))
          .map((v) => ({ message: message === 'notification' ? 'payment notification' : 'order query reply', result: v.report, signedText: v.signedText }));
      });
    case 'refundReply':
      return needMd5().andThen(() => verifyRefundReply(text, settingsFor(/merchantId=(\d+)/.exec(text)?.[1] ?? '', '0')))
        .map((v) => ({ message: 'refund reply', result: v.wire, signedText: v.signedText }));
    case 'refundQueryReply':
      return needMd5ForLines(RefundQueryRecord).andThen(() => verifyRefundQueryReply(text, settingsFor('', ''))).map((v) => ({ message: 'refund query reply', result: v.records, signedText: v.signedText }));
    case 'preAuthReply':
      return needMd5ForLines(PreAuthReply).andThen(() => verifyPreAuthReply(text, settingsFor('', ''))).map((v) => ({ message: 'pre-authorisation reply', result: v.wire, signedText: v.signedText }));
    case 'batchQueryReply':
      return parseBatchReply(text, settingsFor('', '1')).map((v) => ({ message: 'batch query reply', result: { header: v.header, details: v.details }, signedText: v.signedText }));
    default:
      return err(PaymentErrors.invalidRequest(`unknown message "${String(message).slice(0, 30)}": use notification, orderQueryReply, refundReply, refundQueryReply, preAuthReply or batchQueryReply`, { path: 'message' }));
  }
}

/** The CLI tools of the Allinpay mobile plugin. */
export const allinpayTools: ProviderTools = {
  sign: (fields, options) => guard('allinpay-mobile.tools.sign', () => sign(fields, options)),
  verify: (raw, options) => guard('allinpay-mobile.tools.verify', () => verify(raw, options)),
};
