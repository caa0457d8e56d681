/** Refunds v2.3 (spec 3.5/3.6) and the refund status query v2.4 (3.7/3.8). */
import { inject, injectable } from 'inversify';
import { err, errAsync, ok } from 'neverthrow';
import {
  guard, compareMoney, decodeWith, formatCst, formatMinorUnits, guardAsync, parseKv, PaymentErrors, Tokens,
  type Clock, type HttpTransport, type PayResult, type PayResultAsync, type RefundReport, type RefundRequest, type RefundsCapability,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { checkOrderNo, checkQueryWindow, errorReplyOf, isErrorReply, moneyFailure, PATHS, postForm, PROVIDER_ID } from './http.js';
import { refundStatuses, wireAmount } from './mapping.js';
import { linesSignedText, md5SignMsg, signSource, verifyLinesSignature, verifyMd5SignMsg } from './signer.js';
import { RefundApply, RefundQuery, RefundQueryRecord, RefundReply, recordOf, REFUND_REPLY_SIGN_ORDER, type WireOf } from './wire.js';

/** Checks what can be checked locally: currency, a positive amount, not above the payment. */
export function checkRefundRequest(request: RefundRequest): PayResult<RefundRequest> {
  return checkOrderNo(request.refundId, 'refundId').andThen(() => checkOrderNo(request.payment.orderId, 'orderId')).andThen(() => {
    if (request.amount.amount <= 0) return err(PaymentErrors.invalidRequest('refund amount must be greater than zero', { path: 'amount', code: 'invalid_amount' }));
    if (request.payment.createdAt === undefined) return err(PaymentErrors.invalidRequest('a refund needs the original order time (orderDatetime)', { path: 'payment.createdAt' }));
    return compareMoney(request.amount, request.payment.amount).andThen((c) => (c <= 0 ? ok(request)
      : err(PaymentErrors.conflict(`refund of ${request.amount.amount} exceeds the order's ${request.payment.amount.amount} ${request.amount.currency} minor units (spec 3.5: refund ≤ order amount)`, { path: 'amount', code: 'invalid_amount' }))));
  });
}

/** Builds the signed refund request v2.3 (spec 3.5). */
export function buildRefund(request: RefundRequest, settings: AllinpaySettings): PayResult<Record<string, string>> {
  return checkRefundRequest(request).andThen(() => formatMinorUnits(request.amount)).andThen((refundAmount) => {
    const fields: Record<string, string> = {
      version: 'v2.3', signType: settings.signType, merchantId: settings.merchantId, orderNo: request.payment.orderId,
      refundAmount, mchtRefundOrderNo: request.refundId,
      orderDatetime: formatCst(request.payment.createdAt as Date),
    };
    const signMsg = md5SignMsg(fields, RefundApply.order, settings.md5Key).signature;
    return decodeWith(RefundApply.codec, { ...fields, signMsg }, 'refund').map(() => ({ ...fields, signMsg }));
  });
}

/** Builds the signed refund status query v2.4 (spec 3.7). */
export function buildRefundQuery(request: RefundRequest, settings: AllinpaySettings): PayResult<Record<string, string>> {
  return checkRefundRequest(request).andThen(() => formatMinorUnits(request.amount)).andThen((refundAmount) => {
    const fields: Record<string, string> = {
      version: 'v2.4', signType: settings.signType, merchantId: settings.merchantId, orderNo: request.payment.orderId,
      refundAmount, mchtRefundOrderNo: request.refundId,
    };
    const signMsg = md5SignMsg(fields, RefundQuery.order, settings.md5Key).signature;
    return decodeWith(RefundQuery.codec, { ...fields, signMsg }, 'refundQuery').map(() => ({ ...fields, signMsg }));
  });
}

/** Verifies a refund reply (spec 3.6): MD5 over its signing order + `&key=` (specs README). */
export function verifyRefundReply(text: string, settings: AllinpaySettings): PayResult<{ wire: WireOf<typeof RefundReply.fields>; signedText: string }> {
  return guard('allinpay-mobile.verifyRefundReply', () => {
    return decodeWith(RefundReply.codec, parseKv(text), 'refundReply', 'reply').andThen((wire) => {
      const source = signSource(wire, REFUND_REPLY_SIGN_ORDER);
      if (!verifyMd5SignMsg(source, settings.md5Key, wire.signMsg)) {
        return err(PaymentErrors.signature(`refund reply for order ${wire.orderNo} failed MD5 verification: check the MD5 key`, { providerId: PROVIDER_ID }));
      }
      return wire.merchantId === settings.merchantId ? ok({ wire, signedText: source })
        : err(PaymentErrors.signature(`refund reply is for merchant ${wire.merchantId}, not ${settings.merchantId}`, { providerId: PROVIDER_ID }));
    });
  });
}

/** A verified refund status query reply (spec 3.8): its records and the signed text. */
export interface RefundQueryReply {
  /** Records, in reply order. */
  readonly records: readonly WireOf<typeof RefundQueryRecord.fields>[];
  /** The text whose signature was checked (records joined with `\r\n`). */
  readonly signedText: string;
}

/** Splits, verifies and decodes a refund status query reply: record lines, then a signature line. */
export function verifyRefundQueryReply(text: string, settings: AllinpaySettings): PayResult<RefundQueryReply> {
  return guard('allinpay-mobile.verifyRefundQueryReply', () => {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length < 2) return err(PaymentErrors.decode('refund query reply has no signature line: expected record lines followed by the signature', { providerId: PROVIDER_ID }));
    const signature = lines[lines.length - 1] as string;
    const recordLines = lines.slice(0, -1);
    if (signature.includes('|')) return err(PaymentErrors.decode('refund query reply ends with a record, not a signature line', { providerId: PROVIDER_ID }));
    const signedText = linesSignedText(recordLines);
    const signType = (recordLines[0] ?? '').split('|')[1] ?? '';
    if (signType === '1' && settings.certificate === undefined) {
      return err(PaymentErrors.invalidConfig('a certificate-signed refund query reply needs Allinpay\'s certificate: set "certificate"', { providerId: PROVIDER_ID, path: 'certificate' }));
    }
    if (!verifyLinesSignature(signedText, signType, signature, settings.md5Key, settings.certificate)) {
      return err(PaymentErrors.signature(`refund query reply failed signature verification (signType ${signType.slice(0, 2)}): check the MD5 key or certificate`, { providerId: PROVIDER_ID }));
    }
    const records: WireOf<typeof RefundQueryRecord.fields>[] = [];
    for (const [i, line] of recordLines.entries()) {
      const rec = recordOf(RefundQueryRecord, line);
      if (rec === undefined) return err(PaymentErrors.decode(`refund query record ${i + 1} has fewer than the ${RefundQueryRecord.order.length} fields of spec 3.8`, { providerId: PROVIDER_ID }));
      const decoded = decodeWith(RefundQueryRecord.codec, rec, `refundQuery.record${i + 1}`, 'reply');
      if (decoded.isErr()) return err(decoded.error);
      records.push(decoded.value);
    }
    return ok({ records, signedText });
  });
}

/** Allinpay refunds. */
@injectable()
export class AllinpayRefunds implements RefundsCapability {
  readonly #settings: AllinpaySettings;

  /** @param options instance options; @param transport HTTP; @param clock time (the query window). */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(Tokens.Transport) private readonly transport: HttpTransport,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {
    this.#settings = settingsOf(options as AllinpayOptions);
  }

  /** Refund v2.3. `refundResult` 20 is accepted (processing); the status query gives the end state. */
  refund(request: RefundRequest): PayResultAsync<RefundReport> {
    return guardAsync('allinpay-mobile.refunds.refund', () => {
      const fields = buildRefund(request, this.#settings);
      if (fields.isErr()) return errAsync({ ...fields.error, providerId: PROVIDER_ID });
      const resolution = { operation: 'refunds.query', reference: request.refundId, hint: `call paykit.refunds.query("${request.refundId}") before refunding again` };
      return postForm(this.transport, this.#settings, PATHS.gateway, fields.value, 'money', 'refund')
        .andThen((text) => {
          if (isErrorReply(text)) return errAsync(errorReplyOf(text, 'refund'));
          const verified = verifyRefundReply(text, this.#settings);
          if (verified.isErr()) return errAsync(verified.error);
          const { wire } = verified.value;
          if (wire.orderNo !== request.payment.orderId || (wire.mchtRefundOrderNo !== undefined && wire.mchtRefundOrderNo !== request.refundId)) {
            return errAsync(PaymentErrors.decode(`refund reply is for order ${wire.orderNo} / refund ${wire.mchtRefundOrderNo ?? '?'}, not ${request.payment.orderId} / ${request.refundId}`, { providerId: PROVIDER_ID }));
          }
          return wireAmount(wire.refundAmount, request.amount.currency, 'refundAmount').asyncMap(async (amount) => ({
            refundId: request.refundId, orderId: wire.orderNo, amount, providerStatus: wire.refundResult,
            status: wire.refundResult === '20' ? refundStatuses.map('20') : 'failed' as const,
          }));
        })
        .mapErr((e) => moneyFailure(e, resolution));
    });
  }

  /** Refund status query v2.4: finds this refund among the reply's records. */
  query(request: RefundRequest): PayResultAsync<RefundReport> {
    return guardAsync('allinpay-mobile.refunds.query', () => {
      const window = checkQueryWindow(request.requestedAt, this.clock.now(), `refund ${request.refundId}`, '3.7', 'requestedAt');
      if (window.isErr()) return errAsync(window.error);
      const fields = buildRefundQuery(request, this.#settings);
      if (fields.isErr()) return errAsync({ ...fields.error, providerId: PROVIDER_ID });
      return postForm(this.transport, this.#settings, PATHS.refundQuery, fields.value, 'query', 'refundQuery').andThen((text) => {
        if (isErrorReply(text)) return errAsync(errorReplyOf(text, 'refund query'));
        const reply = verifyRefundQueryReply(text, this.#settings);
        if (reply.isErr()) return errAsync(reply.error);
        const record = reply.value.records.find((r) => r.mchtRefundOrderNo === request.refundId && r.orderNo === request.payment.orderId);
        if (record === undefined) return errAsync(PaymentErrors.notFound(`Allinpay lists no refund ${request.refundId} for order ${request.payment.orderId}`, { providerId: PROVIDER_ID }));
        // Spec 3.8: merchantId is the merchant the order was submitted for; another merchant's record is not this refund.
        if (record.merchantId !== this.#settings.merchantId) {
          return errAsync(PaymentErrors.decode(`refund query record is for merchant ${record.merchantId}, not ${this.#settings.merchantId}`, { providerId: PROVIDER_ID }));
        }
        return wireAmount(record.refundAmount, request.amount.currency, 'refundAmount').asyncMap(async (amount) => ({
          refundId: request.refundId, orderId: record.orderNo, amount, status: refundStatuses.map(record.refundResult), providerStatus: record.refundResult,
        }));
      });
    });
  }
}
