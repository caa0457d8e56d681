import type { KeyObject } from 'node:crypto';
import * as t from 'io-ts';
import { loadPrivateKey, loadPublicKey, PositiveMoneyCodec, Secret, UrlString, type Money } from '@paykit/core';
import { notifyUrlTooLong } from './requests.js';
import { CONFIRM_NOTIFY_URL_MAX } from './wire.js';

/** LianLian's production payout API base (instant pay, spec "付款 API 功能接口"). */
export const DEFAULT_BASE_URL = 'https://instantpay.lianlianpay.com/paymentapi';

const RSA_ONLY = 'payout requests are RSA only (guide section 十: "提现接口只支持 rsa 签名方式"): remove the MD5 setting and configure privateKey and lianlianPublicKey; if the merchant site signs result notifications with MD5, set notifySignType "MD5" and notifyMd5Key instead';

function keyCodec(name: string, load: (text: string) => ReturnType<typeof loadPrivateKey>): t.Type<KeyObject, string, unknown> {
  return new t.Type<KeyObject, string, unknown>(
    name,
    (u): u is KeyObject => typeof u === 'object' && u !== null && 'asymmetricKeyType' in u,
    (u, c) => {
      if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c, `expected the ${name} as PEM or base64 DER text`);
      const key = load(u);
      return key.isOk() ? t.success(key.value) : t.failure('[REDACTED]', c, key.error.message);
    },
    () => '[REDACTED]',
  );
}

/** The merchant's RSA private key (PKCS#8 or PKCS#1, PEM or bare base64): signs every request. */
export const MerchantPrivateKey = keyCodec('merchant private key', loadPrivateKey);
/** LianLian's RSA public key (X.509 SPKI `MIGf…`, PEM or bare base64): encrypts `pay_load`, verifies replies. */
export const LianlianPublicKey = keyCodec('LianLian public key', loadPublicKey);

const OidPartner = new t.Type<string, string, unknown>('oid_partner', (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^\d{18}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected the 18-digit LianLian merchant number (oid_partner)')),
  t.identity);

const RsaOnly = new t.Type<'RSA', string, unknown>('signType', (u): u is 'RSA' => u === 'RSA',
  (u, c) => (u === 'RSA' ? t.success('RSA') : t.failure(u, c, RSA_ONLY)), t.identity);

const NoMd5Key = new t.Type<undefined, undefined, unknown>('md5Key', (u): u is undefined => u === undefined,
  (u, c) => (u === undefined ? t.success(undefined) : t.failure('[REDACTED]', c, RSA_ONLY)), t.identity);

const NotifySignTypeCodec = t.union([t.literal('RSA'), t.literal('MD5')], 'notifySignType');

/** The merchant site's MD5 key: letters, digits and "_", at most 100 (guide 三: "支持字母数字下划线，100 位以内"). */
const NotifyMd5Key = new t.Type<Secret, string, unknown>('notifyMd5Key', (u): u is Secret => u instanceof Secret,
  (u, c) => {
    const text = u instanceof Secret ? u.reveal() : u;
    return typeof text === 'string' && /^[A-Za-z0-9_]{1,100}$/.test(text) ? t.success(u instanceof Secret ? u : new Secret(text))
      : t.failure('[REDACTED]', c, 'expected the MD5 key set on the merchant site: 1-100 letters, digits or "_" (guide 三)');
  },
  (k) => k.reveal());

/** A CNY limit in fen, as money: `{ "amount": 5000000, "currency": "CNY" }` is 50 000.00 yuan. */
const CnyLimit = new t.Type<Money, Money, unknown>('CnyLimit', (u): u is Money => PositiveMoneyCodec.is(u) && u.currency === 'CNY',
  (u, c) => {
    const r = PositiveMoneyCodec.validate(u, c);
    if (r._tag === 'Left') return r;
    return r.right.currency === 'CNY' ? r : t.failure(u, c, 'expected a CNY amount in fen (LianLian pays out CNY only), e.g. { "amount": 5000000, "currency": "CNY" } for 50000.00 yuan');
  },
  t.identity);

const Platform = new t.Type<string, string, unknown>('platform', (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && u.length >= 1 && u.length <= 32 ? t.success(u) : t.failure(u, c, 'expected 1-32 characters (platform, String(32))')),
  t.identity);

const TimeoutMs = new t.Type<number, number, unknown>('timeoutMs', (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u > 0 ? t.success(u) : t.failure(u, c, 'expected a positive whole number of milliseconds')),
  t.identity);

/** A default notify URL: an http(s) URL that confirmPayment.htm can take too (String(64)). */
const NotifyUrl = new t.Type<string, string, unknown>('notifyUrl', (u): u is string => typeof u === 'string',
  (u, c) => {
    const r = UrlString.validate(u, c);
    if (r._tag === 'Left') return r;
    return r.right.length <= CONFIRM_NOTIFY_URL_MAX ? r : t.failure(u, c, notifyUrlTooLong(r.right));
  },
  t.identity);

/**
 * The key card ledgers are found by (`HMAC-SHA256(key, card number)`): a plain hash of a card
 * number is reversed by trying every number of its BIN, so the store keeps only this keyed one.
 */
const CardLedgerKey = new t.Type<Secret, string, unknown>('cardLedgerKey', (u): u is Secret => u instanceof Secret,
  (u, c) => (u instanceof Secret || (typeof u === 'string' && u.length >= 32) ? t.success(u instanceof Secret ? u : new Secret(u))
    : t.failure('[REDACTED]', c, 'expected at least 32 random characters (e.g. the output of `openssl rand -base64 32`, "env:PAYKIT_CARD_LEDGER_KEY")')),
  (s) => s.reveal());

/**
 * The options of a `lianlian-payout` instance.
 *
 * @example
 * ```json
 * { "plugin": "lianlian-payout", "options": {
 *     "oidPartner": "201606221000921503", "privateKey": "file:keys/merchant-private.pem",
 *     "lianlianPublicKey": "env:LIANLIAN_PUBLIC_KEY", "notifyUrl": "https://shop.example/notify/payout" } }
 * ```
 */
export const LianlianPayoutOptionsCodec = t.intersection([
  t.type({ oidPartner: OidPartner, privateKey: MerchantPrivateKey, lianlianPublicKey: LianlianPublicKey }),
  t.partial({
    /** Only `RSA` is accepted; `MD5` is an InvalidConfig error. */
    signType: RsaOnly,
    /** Never accepted: payout requests are RSA only (MD5 notifications use `notifyMd5Key`). */
    md5Key: NoMd5Key,
    /**
     * The sign type the merchant site signs result notifications with (`RSA` by default). Only that
     * one is accepted. `MD5` needs `notifyMd5Key`; requests and replies stay RSA.
     */
    notifySignType: NotifySignTypeCodec,
    /** The MD5 key set on the merchant site, with `notifySignType: "MD5"` only. */
    notifyMd5Key: NotifyMd5Key,
    /** API base URL (the simulator's in tests); the production URL by default. */
    baseUrl: UrlString,
    /** Default result notification URL (`notify_url`), at most 64 characters (confirmPayment.htm's String(64)). */
    notifyUrl: NotifyUrl,
    /** `platform` sent with every request. */
    platform: Platform,
    /** Per-call timeout, 30 s by default. */
    timeoutMs: TimeoutMs,
    /** Largest single payout (CNY, in fen); a larger one is refused before it is recorded (`limit_exceeded`). */
    perPayoutLimit: CnyLimit,
    /**
     * Largest total of one day's payouts (CNY, in fen; the China Standard Time day of `dt_order`).
     * Failed, closed and returned payouts do not count. Kept in a day ledger in the store.
     */
    perDayLimit: CnyLimit,
    /** Enforce the "same card in, same card out" policy (guide 七) on every submit; needs `cardLedgerKey`. */
    sameCardPolicy: t.boolean,
    /** The secret card ledgers are keyed by; keep it for as long as the ledgers (a new key starts empty ones). */
    cardLedgerKey: CardLedgerKey,
    /**
     * Instances (LianLian web) whose payments feed the same-card ledger by themselves: a payment
     * created there with `payer.cardNumber` is linked to that card in the commit that records it,
     * counts as paid in once it succeeds, and counts less as it is refunded. Needs `sameCardPolicy`.
     */
    payInInstances: t.array(t.string),
  }),
], 'LianlianPayoutOptions');

/**
 * {@link LianlianPayoutOptionsCodec} plus the rules between options: the same-card policy needs its
 * ledger key; MD5 notifications need their key, and that key is only for them.
 */
export const LianlianPayoutConfigCodec = new t.Type<t.TypeOf<typeof LianlianPayoutOptionsCodec>, unknown, unknown>(
  'LianlianPayoutConfig',
  (u): u is t.TypeOf<typeof LianlianPayoutOptionsCodec> => LianlianPayoutOptionsCodec.is(u),
  (u, c) => {
    const r = LianlianPayoutOptionsCodec.validate(u, c);
    if (r._tag === 'Left') return r;
    const o = r.right;
    if (o.sameCardPolicy === true && o.cardLedgerKey === undefined) {
      return t.failure(undefined, [...c, { key: 'cardLedgerKey', type: CardLedgerKey, actual: undefined }],
        'sameCardPolicy needs cardLedgerKey, the secret card ledgers are keyed by (e.g. "env:PAYKIT_CARD_LEDGER_KEY" holding `openssl rand -base64 32`)');
    }
    if (o.payInInstances !== undefined && o.sameCardPolicy !== true) {
      return t.failure(o.payInInstances, [...c, { key: 'payInInstances', type: t.array(t.string), actual: o.payInInstances }],
        'payInInstances feeds the same-card ledger: it needs sameCardPolicy: true (and cardLedgerKey)');
    }
    if (o.notifySignType === 'MD5' && o.notifyMd5Key === undefined) {
      return t.failure(undefined, [...c, { key: 'notifyMd5Key', type: NotifyMd5Key, actual: undefined }],
        'notifySignType "MD5" needs notifyMd5Key, the MD5 key set on the merchant site (e.g. "env:LIANLIAN_MD5_KEY")');
    }
    if (o.notifyMd5Key !== undefined && o.notifySignType !== 'MD5') {
      return t.failure('[REDACTED]', [...c, { key: 'notifyMd5Key', type: NotifyMd5Key, actual: '[REDACTED]' }],
        'notifyMd5Key is only used when notifySignType is "MD5": set notifySignType "MD5" if the merchant site signs notifications with MD5, else remove the key');
    }
    return r;
  },
  (a) => LianlianPayoutOptionsCodec.encode(a),
);

/** Decoded options of a `lianlian-payout` instance. */
export type LianlianPayoutOptions = t.TypeOf<typeof LianlianPayoutOptionsCodec>;
