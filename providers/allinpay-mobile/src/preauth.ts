/** International-card pre-authorisation: confirm v1.9 (capture) and cancel v1.8 (void), spec 4.1–4.4. */
import { inject, injectable } from 'inversify';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  guard, checkCapture, decodeWith, formatCst, formatMinorUnits, guardAsync, PaymentErrors, Tokens, type HttpTransport, type Money, type PaymentError,
  type PayResult, type PayResultAsync, type PreAuthCapability, type PreAuthReport, type PreAuthRequest,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { allinpayErrorCode } from './error-codes.js';
import { checkOrderNo, errorReplyOf, isErrorReply, moneyFailure, PATHS, postForm, PROVIDER_ID } from './http.js';
import { RESULT_UNKNOWN_CODES } from './error-table.js';
import { allinpayCurrency } from './mapping.js';
import { linesSignedText, md5SignMsg, verifyLinesSignature } from './signer.js';
import { PreAuthCancel, PreAuthConfirm, PreAuthReply, recordOf, type WireOf } from './wire.js';

/** Which pre-authorisation call. */
export type PreAuthOperation = 'confirm' | 'cancel';

/** Builds the signed confirm v1.9 or cancel v1.8 request (spec 4.1, 4.3). */
export function buildPreAuth(operation: PreAuthOperation, request: PreAuthRequest, settings: AllinpaySettings): PayResult<Record<string, string>> {
  const { payment } = request;
  return checkOrderNo(payment.orderId, 'orderId').andThen(() => {
    if (payment.createdAt === undefined) return err(PaymentErrors.invalidRequest('pre-authorisation calls need the original order time (orderDatetime)', { path: 'payment.createdAt' }));
    const confirmAmount: PayResult<Money | undefined> = operation === 'confirm'
      ? (request.amount === undefined ? err(PaymentErrors.invalidRequest('a confirm needs the amount to capture', { path: 'amount' })) : checkCapture(payment.amount, request.amount))
      : ok(undefined);
    return confirmAmount.andThen((capture) => allinpayCurrency(payment.amount.currency, 'international-card').andThen((currency) => {
      const orderAmount = formatMinorUnits(payment.amount);
      if (orderAmount.isErr()) return err(orderAmount.error);
      const captureAmount = capture === undefined ? undefined : formatMinorUnits(capture);
      if (captureAmount?.isErr()) return err(captureAmount.error);
      const message = operation === 'confirm' ? PreAuthConfirm : PreAuthCancel;
      const fields: Record<string, string> = {
        version: operation === 'confirm' ? 'v1.9' : 'v1.8', merchantId: settings.merchantId,
        orderAmount: orderAmount.value, ...(captureAmount?.isOk() ? { confirmAmount: captureAmount.value } : {}),
        currency, orderNo: payment.orderId, orderDatetime: formatCst(payment.createdAt as Date), signType: settings.signType,
      };
      const signMsg = md5SignMsg(fields, message.order, settings.md5Key).signature;
      return decodeWith(message.codec, { ...fields, signMsg }, operation === 'confirm' ? 'preAuthConfirm' : 'preAuthCancel').map(() => ({ ...fields, signMsg }));
    }));
  });
}

/** A verified pre-auth reply (spec 4.2/4.4). */
export interface PreAuthReplyRecord {
  /** The record. */
  readonly wire: WireOf<typeof PreAuthReply.fields>;
  /** The text whose signature was checked. */
  readonly signedText: string;
}

/**
 * Verifies a `retCode|…|transDateTime` reply followed by its signature line. The spec does not say
 * what the signature covers; it is checked like the refund status query's (3.8): the record line,
 * MD5 with `|key` for type 0, SHA1withRSA over the uppercase MD5 hex for type 1.
 */
export function verifyPreAuthReply(text: string, settings: AllinpaySettings): PayResult<PreAuthReplyRecord> {
  return guard('allinpay-mobile.verifyPreAuthReply', () => {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length !== 2) return err(PaymentErrors.decode(`pre-authorisation reply must be one record line and one signature line (got ${lines.length} lines)`, { providerId: PROVIDER_ID }));
    const [line, signature] = lines as [string, string];
    const rec = recordOf(PreAuthReply, line);
    if (rec === undefined) return err(PaymentErrors.decode(`pre-authorisation reply record has fewer than the ${PreAuthReply.order.length} fields of spec 4.2/4.4`, { providerId: PROVIDER_ID }));
    // signType is the record's 4th field (spec 4.2/4.4), whatever follows the table's fields.
    const signType = rec.signType ?? '';
    if (!verifyLinesSignature(linesSignedText([line]), signType, signature, settings.md5Key, settings.certificate)) {
      return err(PaymentErrors.signature(`pre-authorisation reply failed signature verification (signType ${signType.slice(0, 2)}): check the MD5 key or certificate`, { providerId: PROVIDER_ID }));
    }
    return decodeWith(PreAuthReply.codec, rec, 'preAuthReply', 'reply').map((wire) => ({ wire, signedText: line }));
  });
}

/** Allinpay pre-authorisations. */
@injectable()
export class AllinpayPreAuth implements PreAuthCapability {
  readonly #settings: AllinpaySettings;

  /** @param options instance options; @param transport HTTP. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(Tokens.Transport) private readonly transport: HttpTransport,
  ) {
    this.#settings = settingsOf(options as AllinpayOptions);
  }

  /** Confirm v1.9: captures `amount` ≤ the authorised amount. */
  capture(request: PreAuthRequest): PayResultAsync<PreAuthReport> {
    return this.#call('confirm', request);
  }

  /** Cancel v1.8: releases the hold. */
  void(request: PreAuthRequest): PayResultAsync<PreAuthReport> {
    return this.#call('cancel', request);
  }

  #call(operation: PreAuthOperation, request: PreAuthRequest): PayResultAsync<PreAuthReport> {
    return guardAsync(`allinpay-mobile.preauth.${operation}`, () => {
      const fields = buildPreAuth(operation, request, this.#settings);
      if (fields.isErr()) return errAsync({ ...fields.error, providerId: PROVIDER_ID });
      const orderId = request.payment.orderId;
      const resolution = {
        operation: 'payments.query', reference: orderId,
        hint: `Allinpay has no pre-authorisation query: check order ${orderId} on Allinpay's merchant site before repeating the ${operation}`,
      };
      // The failure as moneyFailure classifies it: unknown outcome, or a refusal that stays one.
      const failed = (e: PaymentError) => errAsync(moneyFailure(e, resolution));
      return postForm(this.transport, this.#settings, PATHS.gateway, fields.value, 'money', `preAuth${operation === 'confirm' ? 'Confirm' : 'Cancel'}`)
        .mapErr((e) => moneyFailure(e, resolution))
        .andThen((text) => {
          if (isErrorReply(text)) return failed(errorReplyOf(text, `pre-authorisation ${operation}`));
          const reply = verifyPreAuthReply(text, this.#settings);
          if (reply.isErr()) return failed(reply.error);
          const { wire } = reply.value;
          if (wire.orderNo !== orderId || wire.merchantId !== this.#settings.merchantId) {
            return failed(PaymentErrors.decode(`pre-authorisation reply is for order ${wire.orderNo}, not ${orderId}`, { providerId: PROVIDER_ID }));
          }
          // Spec 4.2/4.4: the reply's orderAmount is the order's amount (for a confirm too, not the
          // confirmAmount) and currency its currency code: both as sent (4.1/4.3).
          const sent = fields.value;
          if (wire.orderAmount !== sent.orderAmount || wire.currency !== sent.currency) {
            return failed(PaymentErrors.decode(`pre-authorisation reply states ${wire.orderAmount} in currency ${wire.currency}, not the ${sent.orderAmount} in ${sent.currency} sent for order ${orderId}`, { providerId: PROVIDER_ID }));
          }
          if (wire.retCode !== '0000') {
            const m = allinpayErrorCode(wire.retCode);
            const refusal = PaymentErrors.providerRejected(`Allinpay refused the pre-authorisation ${operation} of ${orderId}: ${wire.retMsg ?? m.description} (${wire.retCode})`, {
              providerId: PROVIDER_ID, providerCode: wire.retCode, providerMessage: wire.retMsg ?? m.description, code: m.code, retryable: m.retryable,
            });
            // Spec 4.4: a confirm's signed answer other than 0000 is a failure (预授权完成失败: 其他),
            // except a code whose own text says the result is unknown (RESULT_UNKNOWN_CODES). Spec
            // 4.2 names one failure of a cancel (FC0003_000008); a code no table of the spec lists
            // is unknown (moneyFailure), a listed one a refusal.
            return operation === 'confirm' && !RESULT_UNKNOWN_CODES.has(wire.retCode) ? errAsync(refusal) : failed(refusal);
          }
          // preAuthId (4.2/4.4): the authorisation Allinpay confirmed or cancelled, kept for the merchant's records.
          const report: PreAuthReport = operation === 'confirm' && request.amount !== undefined
            ? { orderId, status: 'captured', captured: request.amount, providerStatus: wire.retCode, providerPreAuthId: wire.preAuthId }
            : { orderId, status: 'voided', providerStatus: wire.retCode, providerPreAuthId: wire.preAuthId };
          return okAsync(report);
        });
    });
  }
}
