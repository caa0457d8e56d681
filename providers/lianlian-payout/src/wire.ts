/**
 * Exact wire shapes of the LianLian payout API (`lianlian-instantpay-payout-api.md`), with every
 * field's length and required flag. Nothing outside this package sees these types.
 */
import * as t from 'io-ts';

/** A string of `min`–`max` characters, optionally matching a pattern; the message names the rule. */
function str(name: string, max: number, o: { min?: number; pattern?: RegExp; rule?: string } = {}): t.Type<string, string, unknown> {
  const min = o.min ?? 0;
  const rule = o.rule ?? `${min > 0 ? `${min}-` : 'at most '}${max} characters`;
  return new t.Type<string, string, unknown>(name, (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' && u.length >= min && u.length <= max && (o.pattern === undefined || o.pattern.test(u))
      ? t.success(u) : t.failure(u, c, `expected ${name}: ${rule}`)),
    t.identity);
}

/** `Number(p, s)` amounts in yuan as decimal strings: at most `p - s` integer digits and `s` decimals. */
function amount(name: string, precision: number, scale: number): t.Type<string, string, unknown> {
  const pattern = new RegExp(`^(0|[1-9]\\d{0,${precision - scale - 1}})(\\.\\d{1,${scale}})?$`);
  return str(name, precision + 1, { min: 1, pattern, rule: `a yuan amount such as "49.65" with at most ${scale} decimals (Number(${precision},${scale}))` });
}

const Unbounded = Number.MAX_SAFE_INTEGER;
const OidPartner = str('oid_partner', 18, { min: 18, pattern: /^\d{18}$/, rule: 'the 18-digit merchant number' });
const Timestamp = str('dt_order', 14, { min: 14, pattern: /^\d{14}$/, rule: 'YYYYMMDDHHmmss (14 digits, China Standard Time)' });
const NoOrder = str('no_order', 32, { min: 1 });
const Sign = str('sign', Unbounded, { min: 1, rule: 'a non-empty base64 signature' });
const RetCode = str('ret_code', 4, { min: 4, pattern: /^\d{4}$/, rule: 'four digits' });
/** `oid_paybill` of a reply or notification: String(18). */
const OidPaybill = str('oid_paybill', 18, { min: 1 });
/** `info_order` of a reply or notification: String(255) (on a failure, the reason). */
const InfoOrder = str('info_order', 255, { min: 1 });
/** `settle_date`: YYYYMMDD, sent once the payout is settled. */
const SettleDate = str('settle_date', 8, { min: 8, pattern: /^\d{8}$/, rule: 'YYYYMMDD' });
/** `result_pay` is String with no length in the query table: any non-empty text (unknown values map to processing). */
const ResultPayText = str('result_pay', Unbounded, { min: 1, rule: 'a non-empty status such as SUCCESS' });

/** Fields every payout request carries (spec tables of payment.htm, confirmPayment.htm, queryPayment.htm). */
const RequestBase = {
  oid_partner: OidPartner,
  api_version: t.literal('1.0'),
  sign_type: t.literal('RSA'),
  no_order: NoOrder,
};

/** Payout apply (`payment.htm`) request, before signing. */
export const ApplyFields = t.intersection([
  t.type({
    ...RequestBase,
    dt_order: Timestamp,
    money_order: amount('money_order', 10, 2),
    card_no: str('card_no', 32, { min: 1, pattern: /^\d+$/, rule: '1-32 digits' }),
    acct_name: str('acct_name', Unbounded, { min: 1, rule: 'the account holder name (not empty)' }),
    info_order: str('info_order', 255, { min: 1 }),
    flag_card: t.union([t.literal('0'), t.literal('1')]),
    notify_url: str('notify_url', 255, { min: 1 }),
    memo: str('memo', 24, { min: 1, pattern: /^[a-zA-Z0-9\u4e00-\u9fa5_-]+$/u, rule: '1-24 letters, digits, CJK characters, "-" or "_"' }),
  }),
  t.partial({
    platform: str('platform', 32),
    bank_name: str('bank_name', Unbounded),
    prcptcd: str('prcptcd', 12, { min: 12, pattern: /^\d{12}$/, rule: 'the 12-digit large-value clearing number' }),
    bank_code: str('bank_code', Unbounded, { min: 1, pattern: /^\d+$/, rule: 'a LianLian bank code such as 01020000' }),
    city_code: str('city_code', Unbounded, { min: 1, pattern: /^\d+$/, rule: 'a standard city code (digits)' }),
    brabank_name: str('brabank_name', Unbounded, { min: 1 }),
  }),
], 'ApplyFields');
/** Payout apply fields. */
export type ApplyFields = t.TypeOf<typeof ApplyFields>;

/**
 * The longest `notify_url` confirmPayment.htm takes (String(64); apply takes String(255)). A payout
 * may be held for review and need a confirm, so every payout's notify URL must fit this one.
 */
export const CONFIRM_NOTIFY_URL_MAX = 64;

/** Confirm payout (`confirmPayment.htm`) request, before signing. Note `notify_url` is String(64) here. */
export const ConfirmFields = t.intersection([
  t.type({
    ...RequestBase,
    confirm_code: str('confirm_code', 6, { min: 1 }),
    notify_url: str('notify_url', CONFIRM_NOTIFY_URL_MAX, { min: 1, rule: `at most ${CONFIRM_NOTIFY_URL_MAX} characters (confirmPayment.htm limits notify_url to String(${CONFIRM_NOTIFY_URL_MAX}))` }),
  }),
  t.partial({ platform: str('platform', Unbounded) }),
], 'ConfirmFields');
/** Confirm payout fields. */
export type ConfirmFields = t.TypeOf<typeof ConfirmFields>;

/** Payout query (`queryPayment.htm`) request, before signing. */
export const QueryFields = t.intersection([
  t.type(RequestBase),
  t.partial({ platform: str('platform', 32), oid_paybill: str('oid_paybill', 16) }),
], 'QueryFields');
/** Payout query fields. */
export type QueryFields = t.TypeOf<typeof QueryFields>;

/** The signature fields added to a request. */
export const Signed = t.type({ sign: Sign }, 'Signed');

/** The encrypted envelope posted to `payment.htm` and `confirmPayment.htm`. */
export const Envelope = t.type({ oid_partner: OidPartner, pay_load: str('pay_load', Unbounded, { min: 1, pattern: /^lianpay1_0_1\$/, rule: 'a lianpay1_0_1$… payload' }) }, 'Envelope');
/** The encrypted envelope. */
export type Envelope = t.TypeOf<typeof Envelope>;

/** A codec of a message LianLian signs, with the names of the fields its table leaves optional. */
export type ReceivedCodec<A> = t.Decoder<unknown, A> & {
  /**
   * The optional fields. LianLian may send one empty or as `null`, which it does not sign (README
   * "LianLian: signing" rule 1): a reader leaves such a field out (see `decodeReceived`).
   */
  readonly optionalKeys: ReadonlySet<string>;
};

/** An optional field's codec that also refuses the text `null`: LianLian does not sign that value. */
function signedValue<C extends t.Mixed>(codec: C): C {
  return new t.Type(codec.name, codec.is, (u, c) => (u === 'null' ? t.failure(u, c, `expected ${codec.name}: the text "null" is not signed`) : codec.validate(u, c)), codec.encode) as unknown as C;
}

/**
 * The codec of a message LianLian signs: its required fields, then its optional ones. An optional
 * field here refuses what LianLian leaves out of the signing text (an empty string, the text `null`),
 * so a message carrying one is refused by the first decode and read again without it: a value no
 * signature covers is never taken for data (someone adding `"oid_paybill":"null"` changes nothing).
 */
function received<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O): t.IntersectionC<[t.TypeC<R>, t.PartialC<O>]> & ReceivedCodec<t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>> {
  const checked = Object.fromEntries(Object.entries(optional).map(([k, c]) => [k, signedValue(c)])) as O;
  return Object.assign(t.intersection([t.type(required), t.partial(checked)], name), { optionalKeys: new Set(Object.keys(optional)) });
}

const ReplyBase = {
  ret_code: RetCode,
  ret_msg: str('ret_msg', 100),
  sign_type: t.literal('RSA'),
  sign: Sign,
  oid_partner: OidPartner,
};

/**
 * Apply and confirm replies. `no_order` is required by the table but the spec's own 4005 sample
 * omits it, so it is optional here and checked against the request whenever present.
 */
export const ApplyReply = received('ApplyReply', ReplyBase, { no_order: NoOrder, oid_paybill: OidPaybill, confirm_code: str('confirm_code', 6, { min: 1 }) });
/** Apply / confirm reply. */
export type ApplyReply = t.TypeOf<typeof ApplyReply>;

/** Query reply: the base fields always; the order fields when `ret_code` is 0000 ({@link QueryFound}). */
export const QueryReply = received('QueryReply', ReplyBase, {
  no_order: NoOrder, dt_order: Timestamp, money_order: amount('money_order', 8, 2), oid_paybill: OidPaybill,
  result_pay: ResultPayText, settle_date: SettleDate, info_order: InfoOrder,
});
/** Query reply. */
export type QueryReply = t.TypeOf<typeof QueryReply>;

/** The fields a query reply must carry when it found the order (ret_code 0000). */
export const QueryFound = t.type({ no_order: NoOrder, dt_order: Timestamp, money_order: amount('money_order', 8, 2), result_pay: ResultPayText }, 'QueryFound');

/** The payout result notification (README "Notification fields"; old spec section 3.3). */
export const PayoutNotification = received('PayoutNotification', {
  oid_partner: OidPartner, sign_type: t.string, sign: Sign, no_order: NoOrder, dt_order: Timestamp,
  money_order: amount('money_order', 10, 2), result_pay: ResultPayText,
}, { oid_paybill: OidPaybill, info_order: InfoOrder, settle_date: SettleDate });
/** Payout notification. */
export type PayoutNotification = t.TypeOf<typeof PayoutNotification>;
