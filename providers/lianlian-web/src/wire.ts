/**
 * LianLian web payment v2.2: every wire field of every message, with its documented length and
 * required flag. Field names are the wire names. Lengths count characters (the spec's 变(n)/定(n)).
 */
import * as t from 'io-ts';

/** Surrogate halves: only astral characters (pairs of them) make a character count differ from `.length`. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * What a wire string must be. Kept on its codec so a {@link closed} codec can check a field
 * with one direct call instead of a call through the field's codec.
 */
export interface WireRule {
  /** Fewest characters. */
  readonly min: number;
  /** Most characters. */
  readonly max: number;
  /** What the whole string must match, if anything. */
  readonly pattern: RegExp | undefined;
  /**
   * The pattern matches ASCII text only: a string it matches has as many characters as UTF-16
   * units, and one with a surrogate fails it anyway, so the length needs no character count.
   */
  readonly asciiPattern: boolean;
}

/** A wire string codec, with its rule. */
export interface WireStringType extends t.Type<string, string, unknown> {
  /** The rule its `is` checks. */
  readonly rule: WireRule;
}

/** The number of characters (code points) of `u`. */
function charCount(u: string): number {
  return SURROGATE.test(u) ? [...u].length : u.length;
}

/** Whether `u` is a string meeting `rule` (length in characters, then pattern). */
export function meetsRule(u: unknown, rule: WireRule): u is string {
  if (typeof u !== 'string') return false;
  const units = u.length;
  // Characters never outnumber UTF-16 units, so too few units is too few characters.
  if (units < rule.min) return false;
  if (units > rule.max || rule.min > 1) {
    // Surrogate pairs only lower the count: it is needed beyond max, or for a minimum above 1 —
    // unless an ASCII-only pattern is to be met, which no string with a surrogate meets.
    if (rule.asciiPattern) {
      if (units > rule.max) return false;
    } else {
      const chars = charCount(u);
      if (chars < rule.min || chars > rule.max) return false;
    }
  }
  return rule.pattern === undefined || rule.pattern.test(u);
}

/**
 * A string of `min`–`max` characters, optionally matching a pattern; `what` names the rule in errors.
 * Its `is` checks the whole rule (length and pattern), so a closed codec can check a message without
 * building per-field results. Pass `asciiPattern` only for a pattern that matches ASCII text alone.
 */
export function wireString(name: string, min: number, max: number, pattern?: RegExp, what?: string, asciiPattern = false): WireStringType {
  const text = what ?? (min === max ? `exactly ${max} characters` : `${min}-${max} characters`);
  // Every rule has the same four properties, so meetsRule sees one object shape.
  const rule: WireRule = { min, max, pattern, asciiPattern: pattern !== undefined && asciiPattern };
  const is = (u: unknown): u is string => meetsRule(u, rule);
  const codec = new t.Type<string, string, unknown>(
    name,
    is,
    (u, c) => {
      if (is(u)) return t.success(u);
      if (typeof u !== 'string') return t.failure(u, c, `expected a string of ${text}`);
      const len = charCount(u);
      return t.failure(u, c, len < min || len > max ? `expected ${text} (got ${len})` : `expected ${text}`);
    },
    t.identity,
  );
  return Object.assign(codec, { rule });
}

/** 变(n): 1–n characters. */
const v = (n: number): WireStringType => wireString(`varchar(${n})`, 1, n);
/** 定(n) digits. */
const digits = (n: number): WireStringType => wireString(`digits(${n})`, n, n, new RegExp(`^\\d{${n}}$`), `${n} digits`, true);
/** `YYYYMMDDHHmmss`. */
const dateTime14 = wireString('YYYYMMDDHHmmss', 14, 14, /^\d{14}$/, 'YYYYMMDDHHmmss (14 digits, China Standard Time)', true);
/** `YYYYMMDD`. */
const date8 = wireString('YYYYMMDD', 8, 8, /^\d{8}$/, 'YYYYMMDD (8 digits)', true);
/** An amount in yuan: up to 12 characters, at most two decimals (precision is checked when parsed). */
const amountYuan = wireString('money(12)', 1, 12, /^\d+(\.\d+)?$/, 'a yuan amount such as 49.65 (at most 12 characters)', true);
/**
 * `oid_paybill`: the tables say 定(16), but spec 4.4's own example reply carries "2013051500001"
 * (13 digits), so 1–16 digits are accepted, and sent, alike.
 */
const paybill = wireString('oid_paybill', 1, 16, /^\d{1,16}$/, '1-16 digits', true);
/** `sign_type`. */
export const SignTypeCodec = t.union([t.literal('MD5'), t.literal('RSA')], 'sign_type');
/** Sign types LianLian uses. */
export type SignType = t.TypeOf<typeof SignTypeCodec>;
/** `sign`: base64 RSA or 32 hex MD5. */
const sign = wireString('sign', 1, 255);
/** `ret_code`: 4 characters. */
const retCode = wireString('ret_code', 4, 4);

/**
 * A value LianLian sends for "no value" and leaves out of the signing text (README "LianLian:
 * signing" rule 1): empty, the text `null`, JSON null, or none at all.
 */
export function isNoValue(value: unknown): boolean {
  return value === '' || value === 'null' || value === null || value === undefined;
}

/** A codec of a closed field set: it rejects keys it does not list, and knows its keys in signing order. */
export interface ClosedCodec<A> extends t.Type<A, unknown, unknown> {
  /**
   * Every key the codec allows, sorted as the signing string sorts them. A value it decoded has no
   * other keys, so its signing string is built by walking this list (no per-message sort).
   */
  readonly sortedKeys: readonly string[];
  /** The same keys, for membership tests. */
  readonly knownKeys: ReadonlySet<string>;
  /**
   * The keys its table marks optional (否). An incoming message may send one empty or as `null`,
   * which LianLian does not sign (README "LianLian: signing" rule 1): see `readSignedMessage`.
   */
  readonly optionalKeys: ReadonlySet<string>;
}

/** A codec that also rejects keys it does not list (nothing is silently dropped or smuggled in). */
export function closed<P extends t.Props, O extends t.Props>(name: string, required: P, optional: O): ClosedCodec<t.TypeOf<t.TypeC<P>> & t.TypeOf<t.PartialC<O>>> {
  type A = t.TypeOf<t.TypeC<P>> & t.TypeOf<t.PartialC<O>>;
  const req = t.type(required);
  const opt = t.partial(optional);
  const ruleOf = (codec: t.Mixed): WireRule | undefined => ('rule' in codec ? (codec as WireStringType).rule : undefined);
  const fields = new Map<string, { readonly codec: t.Mixed; readonly rule: WireRule | undefined; readonly required: boolean }>([
    ...Object.entries(optional).map(([k, codec]) => [k, { codec, rule: ruleOf(codec), required: false }] as const),
    ...Object.entries(required).map(([k, codec]) => [k, { codec, rule: ruleOf(codec), required: true }] as const),
  ]);
  const requiredCount = Object.keys(required).length;
  // The usual case, a valid message, in one pass over its own keys: every key known, no undefined
  // values, every value passing its field's full check, every required field present.
  const wellFormed = (u: unknown): u is A => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
    let present = 0;
    for (const k in u) {
      const f = fields.get(k);
      const value = (u as Record<string, unknown>)[k];
      if (f === undefined || value === undefined) return false;
      // A wire string's rule is checked by one direct call (the usual field); other codecs by their own `is`.
      if (f.rule !== undefined ? !meetsRule(value, f.rule) : !f.codec.is(value)) return false;
      if (f.required) present += 1;
    }
    return present === requiredCount;
  };
  const validate = (u: unknown, c: t.Context): t.Validation<A> => {
    if (wellFormed(u)) return t.success(u);
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'expected a JSON object');
    for (const k in u) {
      if (!fields.has(k)) {
        return t.failure(u, [...c, { key: k, type: t.never, actual: (u as Record<string, unknown>)[k] }], `unexpected field "${k.slice(0, 40)}" (not in the spec's table)`);
      }
    }
    // The error report (or optional keys holding undefined): both halves against the same context so paths read `root.field`.
    const a = req.validate(u, c);
    const b = opt.validate(u, c);
    if (a._tag === 'Left' || b._tag === 'Left') return t.failures([...(a._tag === 'Left' ? a.left : []), ...(b._tag === 'Left' ? b.left : [])]);
    // Each field from its own half's result: a field codec may transform its value (AgreementCodec does).
    const out: Record<string, unknown> = {};
    for (const [k, f] of fields) {
      const value = ((f.required ? a.right : b.right) as Record<string, unknown>)[k];
      if (value !== undefined) out[k] = value;
    }
    return t.success(out as A);
  };
  const codec = new t.Type<A, unknown, unknown>(name, (u): u is A => validate(u, [])._tag === 'Right', validate, t.identity);
  return Object.assign(codec, { sortedKeys: [...fields.keys()].sort(), knownKeys: new Set(fields.keys()), optionalKeys: new Set([...fields].filter(([, f]) => !f.required).map(([k]) => k)) });
}

/** A signed request codec (`sign` required, as the tables say) and its form before signing. */
export type SignedRequestCodec<A> = ClosedCodec<A & { sign: string }> & {
  /** The same fields without `sign`: what a request is checked against before it is signed. */
  readonly unsigned: ClosedCodec<A>;
};

/** A request codec whose `sign` (变(255), required in every request table) is checked once signed. */
function signedRequest<P extends t.Props, O extends t.Props>(name: string, required: P, optional: O): SignedRequestCodec<t.TypeOf<t.TypeC<P>> & t.TypeOf<t.PartialC<O>>> {
  const signed = closed(name, { ...required, sign }, optional) as unknown as ClosedCodec<t.TypeOf<t.TypeC<P>> & t.TypeOf<t.PartialC<O>> & { sign: string }>;
  return Object.assign(signed, { unsigned: closed(`${name} (before signing)`, required, optional) });
}

// ---------------------------------------------------------------- 4.1 web payment request

/** Spec 4.1: the cashier form (`bankgateway.htm`). */
export const WebPaymentRequestCodec = signedRequest('WebPaymentRequest', {
  version: v(6),
  oid_partner: digits(18),
  user_id: v(32),
  timestamp: dateTime14,
  sign_type: SignTypeCodec,
  busi_partner: digits(6),
  no_order: v(32),
  dt_order: dateTime14,
  name_goods: v(40),
  money_order: amountYuan,
  notify_url: v(128),
  // Spec 4.1 marks risk_item required, with no length limit.
  risk_item: wireString('risk_item', 2, Number.MAX_SAFE_INTEGER, /^\{[\s\S]*\}$/, 'a JSON object text'),
}, {
  charset_name: wireString('charset_name', 1, 18, /^(UTF-8|GBK|GB2312|GB18030)$/, 'one of UTF-8, GBK, GB2312, GB18030'),
  platform: v(32),
  info_order: v(255),
  url_return: v(128),
  userreq_ip: wireString('userreq_ip', 1, 32, /^[0-9A-Fa-f_:]+$/, 'an IP with "." replaced by "_" (at most 32 characters)'),
  url_order: v(255),
  valid_order: wireString('valid_order', 1, 8, /^[1-9]\d{0,7}$/, 'whole minutes, 1-8 digits'),
  bank_code: digits(8),
  pay_type: wireString('pay_type', 1, 1, /^[0-9A-Z]$/, 'one character'),
  no_agree: wireString('no_agree', 16, 16),
  shareing_data: v(1024),
  id_type: wireString('id_type', 1, 2, /^(\d|10|X)$/, 'an id type 0-10 or X'),
  id_no: v(32),
  acct_name: v(12),
  flag_modify: wireString('flag_modify', 1, 1, /^[01]$/, '0 or 1'),
  card_no: wireString('card_no', 15, 19, /^\d+$/, '15-19 digits'),
  back_url: v(128),
});
/** The cashier form fields, signed. */
export type WebPaymentRequest = t.TypeOf<typeof WebPaymentRequestCodec>;
/** The cashier form fields before signing. */
export type UnsignedWebPaymentRequest = t.TypeOf<typeof WebPaymentRequestCodec.unsigned>;

// ---------------------------------------------------------------- 4.2 sync return, 4.3 notification

/** The payment-result fields 4.2 and 4.3 share, required ones first. */
const RESULT_REQUIRED = {
  oid_partner: digits(18),
  sign_type: SignTypeCodec,
  sign: sign,
  dt_order: dateTime14,
  no_order: v(32),
  oid_paybill: paybill,
  money_order: amountYuan,
  result_pay: v(12),
};
const RESULT_OPTIONAL = {
  settle_date: date8,
  info_order: v(255),
  pay_type: wireString('pay_type', 1, 1),
  bank_code: digits(8),
};

/** Spec 4.2: the form LianLian's cashier posts to `url_return` through the payer's browser. */
export const SyncReturnCodec = closed('SyncReturn', RESULT_REQUIRED, RESULT_OPTIONAL);
/** The sync return form. */
export type SyncReturn = t.TypeOf<typeof SyncReturnCodec>;

/** Spec 4.3: the asynchronous notification (raw JSON body): the 4.2 fields plus the agreement and payer ones. */
export const NotificationCodec = closed('Notification', RESULT_REQUIRED, {
  ...RESULT_OPTIONAL,
  no_agree: wireString('no_agree', 16, 16),
  id_type: wireString('id_type', 1, 2),
  id_no: v(32),
  acct_name: v(12),
});
/** A notification. */
export type Notification = t.TypeOf<typeof NotificationCodec>;

/** Spec 4.3 reply: `{"ret_code":"0000","ret_msg":"交易成功"}` stops the retries. */
export const NotificationAckCodec = closed('NotificationAck', { ret_code: retCode, ret_msg: v(100) }, {});

// ---------------------------------------------------------------- 4.4 order query

/** Spec 4.4 request. */
export const OrderQueryRequestCodec = signedRequest('OrderQueryRequest', {
  oid_partner: digits(18),
  sign_type: SignTypeCodec,
  no_order: v(32),
  dt_order: dateTime14,
}, { oid_paybill: paybill, query_version: v(6) });
/** Order query request. */
export type OrderQueryRequest = t.TypeOf<typeof OrderQueryRequestCodec>;

/** Spec 4.4 reply with ret_code 0000 (query_version 1.1 adds the unsigned `bank_name` and `memo`). */
export const OrderQueryReplyCodec = closed('OrderQueryReply', {
  ret_code: retCode,
  ret_msg: v(100),
  sign_type: SignTypeCodec,
  sign: sign,
  result_pay: v(12),
  oid_partner: digits(18),
  dt_order: dateTime14,
  no_order: v(32),
  oid_paybill: paybill,
  money_order: amountYuan,
}, {
  settle_date: date8,
  info_order: v(255),
  pay_type: wireString('pay_type', 1, 1),
  bank_code: digits(8),
  bank_name: v(32),
  memo: v(255),
});
/** Order query reply. */
export type OrderQueryReply = t.TypeOf<typeof OrderQueryReplyCodec>;

/** An error reply of any API: `ret_code` other than 0000, sign fields when LianLian signed it. */
export const ErrorReplyCodec = closed('ErrorReply', { ret_code: retCode, ret_msg: wireString('ret_msg', 0, 100) }, {
  sign_type: SignTypeCodec, sign: sign,
});

// ---------------------------------------------------------------- 4.5 card BIN

/** Spec 4.5 request. */
export const CardBinRequestCodec = signedRequest('CardBinRequest', {
  oid_partner: digits(18),
  sign_type: SignTypeCodec,
  card_no: wireString('card_no', 15, 19, /^\d+$/, '15-19 digits'),
}, {});

/** Spec 4.5 reply. */
export const CardBinReplyCodec = closed('CardBinReply', {
  ret_code: retCode,
  ret_msg: v(100),
  sign_type: SignTypeCodec,
  sign: sign,
  card_no: wireString('card_no', 15, 19, /^\d+$/, '15-19 digits'),
  bank_code: digits(8),
  bank_name: v(32),
  card_type: wireString('card_type', 1, 1, /^[23]$/, '2 (debit) or 3 (credit)'),
}, {});
/** Card BIN reply. */
export type CardBinReply = t.TypeOf<typeof CardBinReplyCodec>;

// ---------------------------------------------------------------- 4.6 bound cards, 4.7 unbind

/** Spec 4.6 request. */
export const BindListRequestCodec = signedRequest('BindListRequest', {
  oid_partner: digits(18),
  user_id: v(32),
  sign_type: SignTypeCodec,
  offset: wireString('offset', 1, 8, /^\d+$/, '0-99999999'),
}, {
  platform: v(32),
  no_agree: wireString('no_agree', 16, 16),
  card_no: wireString('card_no', 15, 19, /^\d+$/, '15-19 digits'),
  // Not in the 4.6 table: the integration guide says bound cards of authenticated payments are
  // listed with pay_type D.
  pay_type: wireString('pay_type', 1, 1),
});

/** The fields of one `agreement_list` entry (spec 4.6): every one optional (否). */
const AgreementTable = closed('Agreement', {}, {
  no_agree: wireString('no_agree', 16, 16),
  card_no: wireString('card_no', 4, 4, /^\d{4}$/, 'the last 4 card digits'),
  bank_code: digits(8),
  bank_name: v(32),
  card_type: wireString('card_type', 1, 1, /^[23]$/, '2 (debit) or 3 (credit)'),
  bind_mobile: wireString('bind_mobile', 11, 11, /^[\d*]{11}$/, '11 digits'),
});
/** One bound card on the wire. */
export type Agreement = t.TypeOf<typeof AgreementTable>;

/**
 * One entry of `agreement_list` (spec 4.6). The list is not signed (不参与签名) and every entry field
 * is optional, so an entry is read leniently: a field sent empty or null is absent (README
 * "LianLian: signing" rule 1) and a field the table lacks is dropped, as nothing vouches for it.
 * A field present with a malformed value, and an entry that is not an object, are still refused.
 */
export const AgreementCodec = new t.Type<Agreement, unknown, unknown>('Agreement', AgreementTable.is, (u, c) => {
  if (AgreementTable.is(u)) return t.success(u);
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'expected a JSON object');
  const known: Record<string, unknown> = {};
  for (const k of AgreementTable.knownKeys) {
    const value: unknown = Object.hasOwn(u, k) ? (u as Record<string, unknown>)[k] : undefined;
    if (!isNoValue(value)) known[k] = value;
  }
  return AgreementTable.validate(known, c);
}, t.identity);

/** Spec 4.6 reply. */
export const BindListReplyCodec = closed('BindListReply', {
  ret_code: retCode,
  ret_msg: v(100),
  user_id: v(32),
  count: wireString('count', 1, 8, /^\d+$/, 'a record count'),
  sign_type: SignTypeCodec,
  sign: sign,
}, { agreement_list: t.array(AgreementCodec) });
/** Bound card list reply. */
export type BindListReply = t.TypeOf<typeof BindListReplyCodec>;

/** Spec 4.7 request. */
export const UnbindRequestCodec = signedRequest('UnbindRequest', {
  oid_partner: digits(18),
  user_id: v(32),
  sign_type: SignTypeCodec,
  no_agree: wireString('no_agree', 16, 16),
}, { platform: v(32), pay_type: wireString('pay_type', 1, 1) });

/** Spec 4.7 reply. */
export const UnbindReplyCodec = closed('UnbindReply', { ret_code: retCode, ret_msg: v(100), sign_type: SignTypeCodec, sign: sign }, {});

/** Reply fields LianLian leaves out of the signature (README, LianLian signing rule 5). */
export const UNSIGNED_FIELDS = {
  orderQuery: ['bank_name', 'memo'],
  bindList: ['agreement_list'],
} as const;

/** The exact acknowledgement body of spec 4.3. */
export const NOTIFICATION_ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';
