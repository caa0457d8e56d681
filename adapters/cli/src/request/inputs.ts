import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { MoneyCodec, PositiveMoneyCodec, Reference } from '@paykit/core';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** io-ts codec: an ISO 8601 date-time string with a zone (`2024-05-01T10:00:00+08:00`) → Date. */
export const IsoDate = new t.Type<Date, string, unknown>(
  'IsoDate',
  (u): u is Date => u instanceof Date,
  (u, c) => {
    const at = typeof u === 'string' && ISO_DATE_TIME.test(u) ? new Date(u) : undefined;
    return at !== undefined && !Number.isNaN(at.getTime())
      ? t.success(at)
      : t.failure(u, c, 'expected an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00+08:00');
  },
  (d) => d.toISOString(),
);

/**
 * An object with required and optional properties that rejects properties it does not know (typos).
 * Validated member by member (not with `t.intersection`), so error paths name fields only.
 */
function closed<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) {
  const req = t.type(required);
  const opt = t.partial(optional);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  return new t.Type<t.TypeOf<typeof req> & t.TypeOf<typeof opt>, unknown, unknown>(
    name,
    (u): u is t.TypeOf<typeof req> & t.TypeOf<typeof opt> => req.is(u) && opt.is(u),
    (u, c) => {
      if (typeof u === 'object' && u !== null && !Array.isArray(u)) {
        const unknownKey = Object.keys(u).find((k) => !known.has(k));
        if (unknownKey !== undefined) {
          return t.failure((u as Record<string, unknown>)[unknownKey], [...c, { key: unknownKey, type: t.never, actual: u }],
            `unknown field; allowed are ${[...known].join(', ')}`);
        }
      }
      const a = req.validate(u, c);
      const b = opt.validate(u, c);
      if (isLeft(a) || isLeft(b)) return t.failures([...(isLeft(a) ? a.left : []), ...(isLeft(b) ? b.left : [])]);
      const out: Record<string, unknown> = { ...a.right };
      for (const k of Object.keys(optional)) if (k in b.right) out[k] = (b.right as Record<string, unknown>)[k];
      return t.success(out as t.TypeOf<typeof req> & t.TypeOf<typeof opt>);
    },
    t.identity,
  );
}

const PayerCodec = closed('Payer', {}, {
  id: t.string, ip: t.string, name: t.string, idType: t.string, idNumber: t.string, cardNumber: t.string,
  phone: t.string, email: t.string, registeredAt: IsoDate,
});

/** `payments.create` input: `CreatePaymentInput`. */
export const CreatePaymentCodec = closed('CreatePaymentInput', { orderId: Reference, amount: PositiveMoneyCodec, description: t.string }, {
  createdAt: IsoDate, details: t.string, validForMinutes: t.number, payer: PayerCodec, returnUrl: t.string, notifyUrl: t.string,
  extra: t.UnknownRecord,
});

/** `payments.query` input: `PaymentRef`. */
export const PaymentRefCodec = closed('PaymentRef', { orderId: Reference }, { createdAt: IsoDate, amount: MoneyCodec });

const PaidRefCodec = closed('PaymentRef', { orderId: Reference, amount: PositiveMoneyCodec }, { createdAt: IsoDate });

/** `refunds.create` / `refunds.query` input: `RefundRequest`. */
export const RefundRequestCodec = closed('RefundRequest', { refundId: Reference, amount: PositiveMoneyCodec, payment: PaidRefCodec }, { requestedAt: IsoDate });

/** `preauth.capture` / `preauth.void` input: `PreAuthRequest`. */
export const PreAuthRequestCodec = closed('PreAuthRequest', { payment: PaidRefCodec }, { amount: PositiveMoneyCodec });

const PayoutAccountCodec = closed('PayoutAccount', {
  type: t.union([t.literal('private'), t.literal('corporate')]), accountNumber: t.string, accountName: t.string,
}, { bankName: t.string, bankCode: t.string, branchCode: t.string, cityCode: t.string, branchName: t.string });

/** `payouts.submit` / `payouts.query` input: `PayoutRequest`. */
export const PayoutRequestCodec = closed('PayoutRequest', {
  payoutId: Reference, providerOrderId: Reference, amount: PositiveMoneyCodec, account: PayoutAccountCodec, description: t.string, createdAt: IsoDate,
}, { memo: t.string, notifyUrl: t.string });

/** `payouts.confirm` input: `PayoutConfirmation`. */
export const PayoutConfirmationCodec = closed('PayoutConfirmation', { request: PayoutRequestCodec, confirmCode: t.string }, {});

const Day = new t.Type<string, string, unknown>(
  'Day',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^\d{8}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected a day as YYYYMMDD')),
  t.identity,
);

/** `statements.fetch` input: `DayRange`. */
export const DayRangeCodec = closed('DayRange', { from: Day, to: Day }, {});
