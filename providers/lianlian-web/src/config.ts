import * as t from 'io-ts';
import { SecretFromString, UrlString, type Secret } from '@paykit/core';
import { isGoodsCategoryCode, RISK_GROUPS, type GoodsCategoryCode, type RiskGroup } from './reference/index.js';
import { SignTypeCodec, type SignType } from './wire.js';

/** LianLian's production cashier (spec 4.1). */
export const DEFAULT_CASHIER_URL = 'https://cashier.lianlianpay.com/payment/bankgateway.htm';
/** LianLian's API host (spec 4.4–4.7: `/queryapi/…`, `/traderapi/…`). */
export const DEFAULT_API_BASE_URL = 'https://yintong.com.cn';

const OidPartner = new t.Type<string, string, unknown>('oid_partner', (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^\d{18}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected the 18-digit LianLian merchant number')), t.identity);

const CharsetName = t.union([t.literal('UTF-8'), t.literal('GBK'), t.literal('GB2312'), t.literal('GB18030')], 'charset');
const GoodsCategory = new t.Type<GoodsCategoryCode, string, unknown>('goodsCategory', isGoodsCategoryCode,
  (u, c) => (isGoodsCategoryCode(u) ? t.success(u) : t.failure(u, c, 'expected a goods category code of spec 6.3 such as 1002 (frms_ware_category)')), t.identity);
const RiskGroupName = t.union(RISK_GROUPS.map((g) => t.literal(g)) as unknown as [t.LiteralC<RiskGroup>, t.LiteralC<RiskGroup>, ...t.LiteralC<RiskGroup>[]], 'riskGroup');
const PositiveInt = new t.Type<number, number, unknown>('positive integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u > 0 ? t.success(u) : t.failure(u, c, 'expected a whole number above 0')), t.identity);
const BusiPartnerName = t.union([t.literal('101001'), t.literal('109001'), t.literal('108001')], 'busi_partner');

/**
 * Options of a `lianlian-web` instance (the `options` of its config entry).
 *
 * @example
 * ```json
 * { "plugin": "lianlian-web", "options": {
 *   "oidPartner": "201408071000001543", "signType": "MD5", "md5Key": "env:LL_MD5_KEY",
 *   "notifyUrl": "https://shop.example/ll/notify", "returnUrl": "https://shop.example/ll/return", "goodsCategory": "1002" } }
 * ```
 */
export const LianlianWebOptionsCodec = t.intersection([
  t.type({
    /** 18-digit merchant number (`oid_partner`). */
    oidPartner: OidPartner,
    /** Sign type of requests (`sign_type`). */
    signType: SignTypeCodec,
    /**
     * The merchant's goods category (spec 6.3): `frms_ware_category` of every payment's
     * `risk_item`, which spec 4.1 requires on every payment (`extra.goodsCategory` or a
     * `risk_item` of its own may name another).
     */
    goodsCategory: GoodsCategory,
  }),
  t.partial({
    /** Sign type configured on the merchant site for notifications (default: `signType`). */
    notifySignType: SignTypeCodec,
    /** MD5 key (needed when either sign type is MD5). */
    md5Key: SecretFromString,
    /** Merchant RSA private key, PKCS#8 base64/DER or PKCS#1 PEM (needed for RSA requests). */
    privateKey: SecretFromString,
    /** LianLian's RSA public key (`MIGf…` base64 SPKI; needed to verify RSA replies and notifications). */
    lianlianPublicKey: t.string,
    /** Charset of the cashier form (`charset_name`) and of the sync return form, UTF-8 by default. */
    charset: CharsetName,
    /**
     * Which bytes MD5 and RSA cover in the form and the sync return: `UTF-8` (default, whatever
     * `charset` is), or `form-charset` (the bytes of `charset`). The documents do not settle it
     * (README, LianLian signing rule 4): pick what LianLian confirms for your merchant number.
     */
    signedBytes: t.union([t.literal('UTF-8'), t.literal('form-charset')], 'signedBytes'),
    /** Cashier URL (the simulator's in tests). */
    cashierUrl: UrlString,
    /** API base URL (the simulator's in tests). */
    apiBaseUrl: UrlString,
    /** Default `notify_url`. */
    notifyUrl: UrlString,
    /** Default `url_return`. */
    returnUrl: UrlString,
    /** Default `busi_partner`: 101001 virtual goods, 109001 physical goods, 108001 top-up. */
    busiPartner: BusiPartnerName,
    /** `platform` (main merchant number for shared user data). */
    platform: t.string,
    /**
     * The industry risk groups of spec 6.2.2 this merchant sends with every payment (in
     * `extra.riskItem`): `realName`, `airline`, `logistics`, `game`, `phoneCharge`. Required to
     * include the groups `goodsCategory` needs (`requiredRiskGroups`), so a merchant learns it
     * when the config is loaded, not from LianLian's risk control at the first payment.
     */
    riskGroups: t.array(RiskGroupName),
    /**
     * Cards per page of the bound-card list as LianLian serves this merchant (spec 4.6 leaves it
     * unsaid): a page with fewer cards is the last. Without it, only an empty page ends the list.
     */
    bindListPageSize: PositiveInt,
    /** Per-call timeout of API calls, ms (default 10 000). */
    timeoutMs: t.number,
  }),
], 'LianlianWebOptions');

/** Decoded instance options. */
export type LianlianWebOptions = t.TypeOf<typeof LianlianWebOptionsCodec>;

/** The keys a message of a sign type needs. */
export interface SigningKeys {
  /** MD5 key. */
  readonly md5Key?: Secret;
  /** Merchant private key text. */
  readonly privateKey?: Secret;
  /** LianLian public key text. */
  readonly lianlianPublicKey?: string;
}

/** The sign type notifications are verified with (the merchant site's setting, README rule 6). */
export function notifySignTypeOf(o: LianlianWebOptions): SignType {
  return o.notifySignType ?? o.signType;
}
