/**
 * The order query (spec 4.4, query_version 1.1: `bank_name` and `memo` are not signed), by the
 * merchant's order (`no_order` + `dt_order`, spec 3.1) and optionally by LianLian's payment number
 * (`oid_paybill`: "也可以通过连连支付的支付单号来提供"). `payments.query` uses the first; the
 * second is the provider extension {@link LianlianWebOrders}, bound to `LianlianWebTokens.Orders`.
 */
import { inject, injectable } from 'inversify';
import { errAsync, okAsync } from 'neverthrow';
import {
  decodeWith, formatCst, guardAsync, PaymentErrors, Tokens, type HttpTransport, type Logger, type PaymentRef, type PaymentReport,
  type PayResultAsync,
} from '@paykit/core';
import { callApi } from './api.js';
import type { LianlianWebOptions } from './config.js';
import { InstanceKeys } from './keys.js';
import { dtOrderOf, PROVIDER_ID, reportOf } from './mapping.js';
import { OrderQueryReplyCodec, OrderQueryRequestCodec, UNSIGNED_FIELDS } from './wire.js';

/** An order to query: the merchant's order, and LianLian's payment number when known. */
export interface OrderQueryRef extends PaymentRef {
  /**
   * LianLian's payment number (`oid_paybill`, up to 16 digits, a report's `providerPaymentId`). Sent
   * with the order number and date, which spec 4.4's table requires; the reply must be for it.
   */
  readonly providerPaymentId?: string;
}

/** LianLian web's order query with the options `payments.query` does not take. */
export interface LianlianWebOrdersService {
  /** Queries an order, by its number and date and, when given, LianLian's payment number (spec 4.4). */
  query(ref: OrderQueryRef): PayResultAsync<PaymentReport>;
}

/** What a query needs of an instance. */
export interface OrderQueryDeps {
  readonly options: LianlianWebOptions;
  readonly keys: InstanceKeys;
  readonly transport: HttpTransport;
  readonly logger: Logger;
}

/** Sends one order query and maps the verified reply; `operation` names the caller in errors. */
export function queryOrder(deps: OrderQueryDeps, ref: OrderQueryRef, operation: string): PayResultAsync<PaymentReport> {
  const o = deps.options;
  const keys = deps.keys.get();
  if (keys.isErr()) return errAsync(keys.error);
  const created = dtOrderOf(ref.createdAt, 'ref.createdAt');
  if (created.isErr()) return errAsync(created.error);
  const request: Record<string, string> = { oid_partner: o.oidPartner, sign_type: o.signType, no_order: ref.orderId, dt_order: formatCst(created.value), query_version: '1.1' };
  if (ref.providerPaymentId !== undefined) request.oid_paybill = ref.providerPaymentId;
  // Spec 4.4's table: no_order ≤ 32 characters; oid_paybill 1-16 digits, as LianLian's own replies carry it (wire.ts).
  const valid = decodeWith(OrderQueryRequestCodec.unsigned, request, operation);
  if (valid.isErr()) return errAsync(valid.error);
  return callApi({ options: o, keys: keys.value, transport: deps.transport, logger: deps.logger },
    'orderQuery', request, OrderQueryReplyCodec, UNSIGNED_FIELDS.orderQuery, 'query')
    .andThen(({ wire: reply, extra }) => {
      if (reply.oid_partner !== o.oidPartner || reply.no_order !== ref.orderId) {
        return errAsync(PaymentErrors.decode(`order query reply is for ${reply.no_order} of merchant ${reply.oid_partner}, not ${ref.orderId}`, { providerId: PROVIDER_ID }));
      }
      if (ref.providerPaymentId !== undefined && reply.oid_paybill !== ref.providerPaymentId) {
        return errAsync(PaymentErrors.decode(`order query reply is for LianLian payment ${reply.oid_paybill}, not ${ref.providerPaymentId}`, { providerId: PROVIDER_ID }));
      }
      const report = reportOf(reply, { extra });
      return report.isErr() ? errAsync(report.error) : okAsync(report.value);
    });
}

/**
 * The order query by LianLian's payment number, bound to `LianlianWebTokens.Orders`.
 *
 * @example
 * ```ts
 * const orders = paykit.extension('shop', LianlianWebTokens.Orders);
 * if (orders.isOk()) await orders.value.query({ orderId: 'A1001', createdAt, providerPaymentId: '2013051613121201' });
 * ```
 */
@injectable()
export class LianlianWebOrders implements LianlianWebOrdersService {
  readonly #deps: OrderQueryDeps;

  /** Built by the container. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(InstanceKeys) keys: InstanceKeys,
    @inject(Tokens.Transport) transport: HttpTransport,
    @inject(Tokens.Logger) logger: Logger,
  ) {
    this.#deps = { options: options as LianlianWebOptions, keys, transport, logger };
  }

  /** Queries an order (spec 4.4), with `oid_paybill` when `providerPaymentId` is given. */
  query(ref: OrderQueryRef): PayResultAsync<PaymentReport> {
    return guardAsync('lianlian-web.orders.query', () => queryOrder(this.#deps, ref, 'orders.query'));
  }
}
