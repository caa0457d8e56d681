/** Example Pay payments and refunds. */
import { inject, injectable } from 'inversify';
import {
  decodeWith, PaymentErrors, type CreatedPayment, type CreatePaymentInput, type PaymentReport,
  type PaymentsCapability, type PaymentRef, type PayResult, type PayResultAsync, type RawHttpRequest, type RefundReport, type RefundRequest,
  type RefundsCapability, type ReturnClaim,
} from '@paykit/core';
import { errAsync, okAsync } from 'neverthrow';
import { ExampleApi } from './api.js';
import { paymentReport, refundReport, toWireAmount, toWireTime } from './mapping.js';
import { verifyReturnRequest } from './notifications.js';
import { signFields } from './signer.js';
import { PayForm, QueryReply, RefundReply, WIRE_CURRENCIES } from './wire.js';

/** Payments: a signed cashier form, a signed query, and the signed return to `return_url`. */
@injectable()
export class ExamplePayments implements PaymentsCapability {
  readonly #api: ExampleApi;

  /** Built by the container. */
  constructor(@inject(ExampleApi) api: ExampleApi) {
    this.#api = api;
  }

  /** Builds the signed form the payer's browser posts to the cashier. Sends nothing. */
  create(input: CreatePaymentInput): PayResultAsync<CreatedPayment> {
    const o = this.#api.options;
    if (!(WIRE_CURRENCIES as readonly string[]).includes(input.amount.currency)) {
      return errAsync(PaymentErrors.invalidRequest(`Example Pay settles ${WIRE_CURRENCIES.join(', ')}, not ${input.amount.currency}`, { path: 'amount.currency', code: 'invalid_amount' }));
    }
    const returnUrl = input.returnUrl ?? o.returnUrl;
    const amount = toWireAmount(input.amount);
    if (amount.isErr()) return errAsync(amount.error);
    const fields = signFields({
      merchant_id: o.merchantId, order_no: input.orderId, amount: amount.value, currency: input.amount.currency,
      subject: input.description, notify_url: input.notifyUrl ?? o.notifyUrl,
      created_at: toWireTime(input.createdAt ?? this.#api.now()),
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
      ...(input.validForMinutes !== undefined ? { valid_minutes: String(input.validForMinutes) } : {}),
    }, o.key);
    // The codec checks every length before anything leaves: a 200-character subject is the caller's to fix.
    const form = decodeWith(PayForm, fields, 'payments.create');
    if (form.isErr()) return errAsync(form.error);
    return okAsync({
      action: { kind: 'redirect', method: 'POST', url: this.#api.url('/pay'), fields: form.value, charset: 'UTF-8' },
      report: { orderId: input.orderId, status: 'pending', amount: input.amount },
    });
  }

  /** Asks Example Pay for the order's state. */
  query(ref: PaymentRef): PayResultAsync<PaymentReport> {
    const o = this.#api.options;
    return this.#api.call('/query', { merchant_id: o.merchantId, order_no: ref.orderId }, QueryReply, { kind: 'query' })
      .andThen((wire) => {
        if (wire.order_no !== ref.orderId || wire.merchant_id !== o.merchantId) {
          return errAsync(PaymentErrors.decode(`example/query reply is about order ${wire.order_no}, not ${ref.orderId}`, { providerId: 'example' }));
        }
        const report = paymentReport(wire, ref.amount?.currency);
        return report.isOk() ? okAsync(report.value) : errAsync(report.error);
      });
  }

  /** Verifies the payer's return to `return_url` (see {@link verifyReturnRequest}). */
  verifyReturn(request: RawHttpRequest): PayResult<ReturnClaim> {
    return verifyReturnRequest(request, this.#api.options);
  }
}

/** Refunds: a signed refund call (money-moving) and a signed refund query. */
@injectable()
export class ExampleRefunds implements RefundsCapability {
  readonly #api: ExampleApi;

  /** Built by the container. */
  constructor(@inject(ExampleApi) api: ExampleApi) {
    this.#api = api;
  }

  /** Asks for a refund; a lost reply is `OutcomeUnknown`, resolved with `refunds.query`. */
  refund(request: RefundRequest): PayResultAsync<RefundReport> {
    const o = this.#api.options;
    const resolution = { operation: 'refunds.query', reference: request.refundId, hint: `call paykit.refunds.query("${request.refundId}") before refunding again` };
    const amount = toWireAmount(request.amount);
    if (amount.isErr()) return errAsync(amount.error);
    return this.#api.call('/refund', {
      merchant_id: o.merchantId, order_no: request.payment.orderId, refund_no: request.refundId,
      refund_amount: amount.value, currency: request.amount.currency,
    }, RefundReply, { kind: 'money', resolution }).andThen((wire) => this.#report(wire, request));
  }

  /** Asks for a refund's state. */
  query(request: RefundRequest): PayResultAsync<RefundReport> {
    const o = this.#api.options;
    return this.#api.call('/refund-query', { merchant_id: o.merchantId, refund_no: request.refundId }, RefundReply, { kind: 'query' })
      .andThen((wire) => this.#report(wire, request));
  }

  #report(wire: RefundReply, request: RefundRequest): PayResultAsync<RefundReport> {
    if (wire.refund_no !== request.refundId) {
      return errAsync(PaymentErrors.decode(`example refund reply is about refund ${wire.refund_no}, not ${request.refundId}`, { providerId: 'example' }));
    }
    const report = refundReport(wire, request.amount.currency);
    return report.isOk() ? okAsync(report.value) : errAsync(report.error);
  }
}
