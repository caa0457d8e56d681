import type { ConfigReference, ConfigText } from '@paykit/core';
import type { RiskGroup } from './reference/index.js';

/**
 * The options of a `lianlian-web` instance as written in a config (`instances.<id>.options`).
 * String options may be `env:NAME` / `file:PATH` references; write every key that way. paykit
 * checks them when it starts (`createPaykit`, `paykit config check`).
 *
 * @example
 * ```ts
 * const options: LianlianWebOptionsInput = {
 *   oidPartner: '201408071000001543', signType: 'MD5', md5Key: 'env:LL_MD5_KEY',
 *   notifyUrl: 'https://shop.example/paykit/notify/shop', busiPartner: '109001',
 * };
 * ```
 */
export interface LianlianWebOptionsInput {
  /** The 18-digit merchant number LianLian assigned (`oid_partner`). */
  readonly oidPartner: ConfigText;
  /** How requests are signed (`sign_type`): `MD5` with `md5Key`, or `RSA` with `privateKey`. */
  readonly signType: 'MD5' | 'RSA' | ConfigReference;
  /**
   * How LianLian signs notifications and replies, as set on LianLian's merchant site; `signType`
   * when absent. `RSA` needs `lianlianPublicKey`.
   */
  readonly notifySignType?: 'MD5' | 'RSA' | ConfigReference;
  /** The MD5 key from LianLian's merchant site; needed when either sign type is `MD5`. Write `env:NAME` or `file:PATH`. */
  readonly md5Key?: ConfigText;
  /**
   * The merchant's RSA private key (PKCS#8 base64 or DER, or PKCS#1 PEM); needed when `signType` is
   * `RSA`. Write `file:keys/merchant-private.pem` or `env:NAME`.
   */
  readonly privateKey?: ConfigText;
  /** LianLian's RSA public key (base64 SPKI, `MIGf…`); needed to verify RSA-signed replies and notifications. */
  readonly lianlianPublicKey?: ConfigText;
  /** Charset of the cashier form and its signature (`charset_name`); `UTF-8` when absent. */
  readonly charset?: 'UTF-8' | 'GBK' | 'GB2312' | 'GB18030' | ConfigReference;
  /** The cashier page URL; LianLian's production cashier when absent (a simulator's in tests). */
  readonly cashierUrl?: ConfigText;
  /** The API base URL for queries and card services; LianLian's production host when absent. */
  readonly apiBaseUrl?: ConfigText;
  /** Default `notify_url`: the public https URL LianLian posts payment results to. */
  readonly notifyUrl?: ConfigText;
  /** Default `url_return`: where the payer's browser comes back after paying. */
  readonly returnUrl?: ConfigText;
  /** Default `busi_partner`: `101001` virtual goods, `109001` physical goods, `108001` top-up. */
  readonly busiPartner?: '101001' | '109001' | '108001' | ConfigReference;
  /** `platform`: the main merchant number whose payers' data this merchant shares. */
  readonly platform?: ConfigText;
  /**
   * The merchant's goods category (spec 6.3, e.g. `5003`): `frms_ware_category` of every payment's
   * `risk_item`, which spec 4.1 requires. A category whose industry needs more risk data than the
   * base (real name, logistics…) also needs `riskGroups`.
   */
  readonly goodsCategory: ConfigText;
  /**
   * Which bytes MD5 and RSA cover in the cashier form and the sync return: `UTF-8` (default,
   * whatever `charset` is) or `form-charset` (the bytes of `charset`). The documents do not settle
   * it: pick what LianLian confirms for your merchant number.
   */
  readonly signedBytes?: 'UTF-8' | 'form-charset';
  /**
   * The industry risk groups of spec 6.2.2 this merchant sends with every payment:
   * `realName`, `airline`, `logistics`, `game`, `phoneCharge`. Must include the groups
   * `goodsCategory` needs; checked when the config is loaded.
   */
  readonly riskGroups?: readonly RiskGroup[];
  /** Cards per page of the bound-card list for this merchant: a shorter page is the last. */
  readonly bindListPageSize?: number;
  /** Per-call timeout of API calls in milliseconds; 10 000 when absent. */
  readonly timeoutMs?: number;
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** LianLian web payments (`@paykit/provider-lianlian-web`). */
    'lianlian-web': LianlianWebOptionsInput;
  }
}
