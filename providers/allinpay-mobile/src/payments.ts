/** Payments: the payData for the mobile control (spec 2.1) and the single order query v1.5 (3.1/3.2). */
import { inject, injectable } from 'inversify';
import * as t from 'io-ts';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  decodeWith, formatCst, formatMinorUnits, guard, guardAsync, parseKv, PaymentErrors, Tokens, type Clock,
  type CreatedPayment, type CreatePaymentInput, type HttpTransport, type PaymentRef, type PaymentReport,
  type PaymentsCapability, type PayResult, type PayResultAsync, type RawHttpRequest, type ReturnClaim,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { verifyControlReturn } from './control-return.js';
import { checkOrderNo, checkQueryWindow, errorReplyOf, isErrorReply, PATHS, postForm, PROVIDER_ID } from './http.js';
import { allinpayCurrency, receiveUrlFor } from './mapping.js';
import { verifyPaymentResult } from './notifications.js';
import { checkInternationalCard, forControl } from './international.js';
import { INPUT_CHARSETS, internationalExt1, md5SignMsg, md5SignMsgIn } from './signer.js';
import { InternationalFields, OrderQuery, PayData } from './wire.js';

/**
 * Allinpay options of a payment, in `CreatePaymentInput.extra`.
 *
 * @example
 * ```ts
 * extra: { payType: '30', issuerId: 'visa', tradeNature: 'GOODS', international: { ship_to_country: 'US', … } }
 * ```
 */
export const AllinpayPaymentExtra = t.partial({
  /** `0` payer chooses, `27` card entry, `30` international card (spec 2.1). */
  payType: t.union([t.literal('0'), t.literal('27'), t.literal('30')]),
  /** Card scheme, international cards only. */
  issuerId: t.union([t.literal('visa'), t.literal('mastercard'), t.literal('jcb')]),
  /** Trade nature: required for non-CNY currencies (spec 2.1). */
  tradeNature: t.union([t.literal('GOODS'), t.literal('SERVICES')]),
  /** Allinpay member id (member mode, spec 1.4.1): sent as `<USER>id</USER>` in ext1. */
  memberId: t.string,
  /** Card number to show in the control (unsigned, never logged in full). */
  cardNo: t.string,
  /** The international-card fields of spec 2.1; ext1 becomes their 5.4 digest. */
  international: InternationalFields.codec,
}, 'AllinpayPaymentExtra');

/** The input a payData field comes from, for errors about free text (the other fields are ASCII by construction). */
const INPUT_PATHS: Readonly<Record<string, string>> = { productName: 'description', receiveUrl: 'notifyUrl', ext1: 'extra.memberId' };

/** The payData of an order: its JSON text and the fields (for tests and the CLI). */
export interface BuiltPayData {
  /** The JSON string the control takes. */
  readonly json: string;
  /** The fields, in payData order, signMsg included. */
  readonly fields: Readonly<Record<string, string>>;
  /** The signed text, key shown as `<md5Key>`. */
  readonly signedText: string;
}

/** Builds and signs the payData of an order (spec 2.1, 5.1, 5.2). Validates every field first. */
export function buildPayData(input: CreatePaymentInput, settings: AllinpaySettings, now: Date): PayResult<BuiltPayData> {
  return guard('allinpay-mobile.buildPayData', () => {
    return checkOrderNo(input.orderId, 'orderId')
      .andThen(() => decodeWith(AllinpayPaymentExtra, input.extra ?? {}, 'payments.create.extra'))
      .andThen((extra) => {
        const payType = extra.payType ?? settings.payType;
        const international = payType === '30' || extra.international !== undefined;
        const currency = input.amount.currency;
        if (currency !== 'CNY' && extra.tradeNature === undefined) {
          return err(PaymentErrors.invalidRequest(`a ${currency} payment needs extra.tradeNature "GOODS" or "SERVICES" (spec 2.1: required for non-CNY currencies)`, { path: 'extra.tradeNature' }));
        }
        if (international && extra.international === undefined) {
          return err(PaymentErrors.invalidRequest('an international-card payment (payType 30) needs extra.international with the shipping fields of spec 2.1', { path: 'extra.international' }));
        }
        if (international && extra.memberId !== undefined) {
          return err(PaymentErrors.invalidRequest('ext1 carries either the member id or the international-card digest, not both: drop extra.memberId', { path: 'extra.memberId' }));
        }
        if (extra.international !== undefined) {
          const card = checkInternationalCard(extra.international, settings.buyerAccounts);
          if (card.isErr()) return err(card.error);
        }
        const amount = formatMinorUnits(input.amount);
        if (amount.isErr()) return err(amount.error);
        const amountText = amount.value;
        if (input.amount.amount <= 0 || amountText.length > 10) {
          return err(PaymentErrors.invalidRequest('amount must be 1 to 9999999999 minor units (orderAmount has 10 digits)', { path: 'amount', code: 'invalid_amount' }));
        }
        const ext1 = international && extra.international !== undefined ? internationalExt1(extra.international)
          : extra.memberId !== undefined ? `<USER>${extra.memberId}</USER>` : undefined;
        return allinpayCurrency(currency, international ? 'international-card' : 'cross-border', settings.crossBorderAudCode).andThen((orderCurrency) => {
          const unsigned: Record<string, string | undefined> = {
            inputCharset: settings.inputCharset, receiveUrl: receiveUrlFor(input.notifyUrl ?? settings.receiveUrl, currency, settings.currency), version: 'v1.0',
            language: settings.language, signType: settings.signType, merchantId: settings.merchantId, orderNo: input.orderId,
            orderAmount: amountText, orderCurrency, orderDatetime: formatCst(input.createdAt ?? now), productName: input.description,
            ext1, payType, issuerId: extra.issuerId, tradeNature: extra.tradeNature,
          };
          const signing = md5SignMsgIn(unsigned, PayData.order, settings.md5Key, INPUT_CHARSETS[settings.inputCharset]);
          if (signing.isErr()) {
            const path = INPUT_PATHS[signing.error.path ?? ''] ?? `payData.${signing.error.path ?? ''}`;
            return err({ ...signing.error, path, message: `${signing.error.message} (inputCharset ${settings.inputCharset}; from ${path})` });
          }
          const signed = signing.value;
          const cardNo = extra.cardNo ?? input.payer?.cardNumber;
          const all = { ...unsigned, signMsg: signed.signature, ...(cardNo !== undefined ? { cardNo } : {}) };
          return decodeWith(PayData.codec, dropEmpty(all), 'payData').map((fields) => {
            const ordered: Record<string, string> = {};
            for (const n of PayData.order) if ((fields as Record<string, string | undefined>)[n] !== undefined) ordered[n] = (fields as Record<string, string>)[n] as string;
            // The international fields travel in payData too (unsigned; ext1 is their digest), the CVV2 masked.
            if (extra.international !== undefined) Object.assign(ordered, forControl(extra.international));
            return { json: JSON.stringify(ordered), fields: ordered, signedText: signed.explained };
          });
        });
      });
  });
}

function dropEmpty(fields: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Builds the signed single order query v1.5 (spec 3.1). */
export function buildOrderQuery(ref: PaymentRef, settings: AllinpaySettings, now: Date): PayResult<Record<string, string>> {
  return guard('allinpay-mobile.buildOrderQuery', () => {
    if (ref.createdAt === undefined) return err(PaymentErrors.invalidRequest('the order query needs the order time (orderDatetime) the payment was created with', { path: 'createdAt' }));
    const fields: Record<string, string> = {
      merchantId: settings.merchantId, version: 'v1.5', signType: settings.signType, orderNo: ref.orderId,
      orderDatetime: formatCst(ref.createdAt), queryDatetime: formatCst(now),
    };
    const signMsg = md5SignMsg(fields, OrderQuery.order, settings.md5Key).signature;
    return decodeWith(OrderQuery.codec, { ...fields, signMsg }, 'orderQuery').map(() => ({ ...fields, signMsg }));
  });
}

/** Allinpay payments: payData for the control, the single order query, and the control's result passed on by the app. */
@injectable()
export class AllinpayPayments implements PaymentsCapability {
  readonly #settings: AllinpaySettings;

  /** @param options instance options; @param transport HTTP; @param clock time. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(Tokens.Transport) private readonly transport: HttpTransport,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {
    this.#settings = settingsOf(options as AllinpayOptions);
  }

  /** Builds the SDK action: the payData JSON string and the control's environment mode. */
  create(input: CreatePaymentInput): PayResultAsync<CreatedPayment> {
    return guardAsync('allinpay-mobile.payments.create', () => {
      const built = buildPayData(input, this.#settings, this.clock.now());
      if (built.isErr()) return errAsync({ ...built.error, providerId: PROVIDER_ID });
      return okAsync({
        action: { kind: 'sdk' as const, payload: built.value.json, mode: this.#settings.mode },
        report: { orderId: input.orderId, status: 'pending' as const, amount: input.amount },
      });
    });
  }

  /**
   * Single order query v1.5. Allinpay answers only for paid orders (spec 3.2); "order does not exist"
   * (ZF10027) for an order it knows nothing paid about is reported as still pending.
   */
  query(ref: PaymentRef): PayResultAsync<PaymentReport> {
    return guardAsync('allinpay-mobile.payments.query', () => {
      const now = this.clock.now();
      const window = checkQueryWindow(ref.createdAt, now, `order ${ref.orderId}`, '3.1', 'createdAt');
      if (window.isErr()) return errAsync(window.error);
      const request = buildOrderQuery(ref, this.#settings, now);
      if (request.isErr()) return errAsync(request.error);
      const currency = ref.amount?.currency ?? this.#settings.currency;
      return postForm(this.transport, this.#settings, PATHS.gateway, request.value, 'query', 'orderQuery').andThen((text) => {
        if (isErrorReply(text)) {
          const e = errorReplyOf(text, 'order query');
          if (e.providerCode === 'ZF10027' && ref.amount !== undefined) {
            return okAsync<PaymentReport>({ orderId: ref.orderId, status: 'pending', amount: ref.amount, providerStatus: 'ZF10027' });
          }
          return errAsync(e);
        }
        const verified = verifyPaymentResult(parseKv(text), this.#settings, currency);
        if (verified.isErr()) return errAsync(verified.error);
        if (verified.value.wire.orderNo !== ref.orderId) {
          return errAsync(PaymentErrors.decode(`order query for ${ref.orderId} answered for order ${verified.value.wire.orderNo}`, { providerId: PROVIDER_ID }));
        }
        return ok(verified.value.report);
      });
    });
  }

  /**
   * Decodes the control's result (spec 2.2.2) the merchant's app posts with the order number (see
   * {@link verifyControlReturn}): an `unsigned` claim, since Allinpay signs nothing on this path.
   * `payments.handleReturn` queries the order before the page shows a payment.
   */
  verifyReturn(request: RawHttpRequest): PayResult<ReturnClaim> {
    return guard('allinpay-mobile.payments.verifyReturn', () => verifyControlReturn(request, this.#settings));
  }
}
