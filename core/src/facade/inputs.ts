import * as t from 'io-ts';
import { MoneyCodec, PositiveMoneyCodec } from '../money/codec.js';

/** A merchant reference: 1–64 printable ASCII characters. */
export const Reference = new t.Type<string, string, unknown>(
  'Reference',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^[\x21-\x7e]{1,64}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected 1-64 printable ASCII characters without spaces')),
  t.identity,
);

/** A valid Date object. */
export const DateValue = new t.Type<Date, Date, unknown>(
  'Date',
  (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime()),
  (u, c) => (u instanceof Date && !Number.isNaN(u.getTime()) ? t.success(u) : t.failure(u, c, 'expected a valid Date')),
  t.identity,
);

/** The shape every provider's create-payment input must have; providers validate the rest. */
export const CreatePaymentInputCodec = t.intersection([
  t.type({ orderId: Reference, amount: PositiveMoneyCodec, description: t.string }),
  t.partial({
    createdAt: DateValue, details: t.string, validForMinutes: t.number, payer: t.UnknownRecord,
    returnUrl: t.string, notifyUrl: t.string, extra: t.UnknownRecord, preauth: t.boolean,
  }),
]);

/** Refund input. */
export const RefundInputCodec = t.type({ refundId: Reference, orderId: Reference, amount: PositiveMoneyCodec });

/** Capture input. */
export const CaptureInputCodec = t.type({ orderId: Reference, amount: PositiveMoneyCodec });

/** Payout account. */
export const PayoutAccountCodec = t.intersection([
  t.type({ type: t.union([t.literal('private'), t.literal('corporate')]), accountNumber: t.string, accountName: t.string }),
  t.partial({ bankName: t.string, bankCode: t.string, branchCode: t.string, cityCode: t.string, branchName: t.string }),
]);

/** Payout input. */
export const PayoutInputCodec = t.intersection([
  t.type({ payoutId: Reference, amount: PositiveMoneyCodec, account: PayoutAccountCodec, description: t.string }),
  t.partial({ memo: t.string, notifyUrl: t.string, providerOrderId: Reference }),
]);

/** Any money, for reuse. */
export { MoneyCodec };
