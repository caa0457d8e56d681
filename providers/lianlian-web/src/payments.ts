/** The payments capability: the cashier form (spec 4.1) and the order query (spec 4.4). */
import { inject, injectable } from 'inversify';
import { errAsync, okAsync } from 'neverthrow';
import {
  guard, guardAsync, Tokens, type Clock, type CreatedPayment, type CreatePaymentInput, type HttpTransport, type Logger,
  type PaymentReport, type PaymentRef, type PaymentsCapability, type PayResult, type PayResultAsync, type RawHttpRequest, type ReturnClaim,
} from '@paykit/core';
import type { LianlianWebOptions } from './config.js';
import { buildPaymentFields, paymentAction } from './form.js';
import { InstanceKeys } from './keys.js';
import { verifyReturnRequest } from './notifications.js';
import { queryOrder } from './order-query.js';

/** LianLian web payments: a redirect to the cashier, the order query, and the payer's return to `url_return`. */
@injectable()
export class LianlianWebPayments implements PaymentsCapability {
  readonly #o: LianlianWebOptions;
  readonly #keys: InstanceKeys;
  readonly #transport: HttpTransport;
  readonly #clock: Clock;
  readonly #logger: Logger;

  /** Built by the container. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(InstanceKeys) keys: InstanceKeys,
    @inject(Tokens.Transport) transport: HttpTransport,
    @inject(Tokens.Clock) clock: Clock,
    @inject(Tokens.Logger) logger: Logger,
  ) {
    this.#o = options as LianlianWebOptions;
    this.#keys = keys;
    this.#transport = transport;
    this.#clock = clock;
    this.#logger = logger;
  }

  /**
   * Builds the signed cashier form (spec 4.1). Nothing is sent: the payer's browser posts the form,
   * so the payment starts `pending`.
   */
  create(input: CreatePaymentInput): PayResultAsync<CreatedPayment> {
    return guardAsync('lianlian-web.payments.create', () => {
      const built = this.#keys.get().andThen((keys) => buildPaymentFields(input, this.#o, this.#clock.now())
        .andThen((fields) => paymentAction(fields, this.#o, keys)));
      if (built.isErr()) return errAsync(built.error);
      this.#logger.log('info', 'lianlian-web cashier form built', { no_order: input.orderId });
      return okAsync({ action: built.value, report: { orderId: input.orderId, status: 'pending', amount: input.amount } });
    });
  }

  /**
   * Queries the order by its number and date (spec 4.4, query_version 1.1: `bank_name` and `memo`
   * are not signed). Spec 3.1 lets a failed order be paid again: a `FAILURE` while the form paykit
   * last handed out is still accepted (`ref.payableUntil`) is the last attempt's, so the order is
   * reported still `pending` (LianLian's `memo` in this report's `providerDetails`) and queried
   * again; after that, `failed`.
   */
  query(ref: PaymentRef): PayResultAsync<PaymentReport> {
    return guardAsync('lianlian-web.payments.query', () => queryOrder(
      { options: this.#o, keys: this.#keys, transport: this.#transport, logger: this.#logger }, { orderId: ref.orderId, ...(ref.createdAt !== undefined ? { createdAt: ref.createdAt } : {}) }, 'payments.query',
    ).map((report) => {
      const until = ref.payableUntil;
      if (report.status !== 'failed' || !(until instanceof Date) || this.#clock.now().getTime() >= until.getTime()) return report;
      const { failure, ...rest } = report;
      return { ...rest, status: 'pending' as const, providerDetails: { ...report.providerDetails, ...(failure !== undefined ? { memo: failure.message } : {}) } };
    }));
  }

  /**
   * Verifies the form LianLian's cashier has the payer's browser POST to `url_return` (spec 4.2):
   * signed with the request's or the notification's sign type, for this merchant. A claim of
   * success only (LianLian returns the browser after successes alone); `payments.handleReturn`
   * queries the order rather than recording it.
   */
  verifyReturn(request: RawHttpRequest): PayResult<ReturnClaim> {
    return guard('lianlian-web.payments.verifyReturn', () => this.#keys.get().andThen((keys) => verifyReturnRequest(request, this.#o, keys)));
  }
}
