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
 *   goodsCategory: '5003', // spec 6.3 luxury goods; a 4xxx code also needs riskGroups: ['logistics']
 * };
 * ```
 */
export interface LianlianWebOptionsInput {
  /** The 18-digit merchant number LianLian assigned (`oid_partner`). */
  readonly oidPartner: ConfigText;
  /**
   * How requests are signed (`sign_type`), and how query replies are verified: `MD5` with
   * `md5Key`, or `RSA` (MD5withRSA) with `privateKey`.
   */
  readonly signType: 'MD5' | 'RSA' | ConfigReference;
  /**
   * The sign type set **on LianLian's merchant site**: LianLian signs notifications with it, not
   * with the request's sign type. `signType` when absent. `RSA` needs `lianlianPublicKey`. A
   * notification signed with the other type is refused, so it cannot downgrade the check.
   */
  readonly notifySignType?: 'MD5' | 'RSA' | ConfigReference;
  /**
   * The MD5 key from LianLian's merchant site; needed when either sign type is `MD5`. A secret:
   * never logged. Write `env:NAME` or `file:PATH`.
   */
  readonly md5Key?: ConfigText;
  /**
   * The merchant's RSA private key: PKCS#8 (base64 or DER) or PKCS#1 PEM, with or without armour
   * and line breaks; needed when `signType` is `RSA`. Write `file:keys/merchant-private.pem` or
   * `env:NAME`.
   */
  readonly privateKey?: ConfigText;
  /**
   * LianLian's RSA public key (base64 SPKI `MIGf…`, PEM or a certificate); needed when either sign
   * type is `RSA`, to verify replies and notifications.
   */
  readonly lianlianPublicKey?: ConfigText;
  /**
   * `charset_name` of the cashier form, and the charset the sync return form is decoded in:
   * `UTF-8` (default), `GBK`, `GB2312`, `GB18030`. Every form value must exist in it (GB2312 is
   * checked character by character); otherwise the payment is an `InvalidRequest` naming the field.
   */
  readonly charset?: 'UTF-8' | 'GBK' | 'GB2312' | 'GB18030' | ConfigReference;
  /**
   * Which bytes MD5 and RSA cover in the cashier form and the sync return: `UTF-8` (default: the
   * signing text in UTF-8, whatever `charset` is) or `form-charset` (its bytes in `charset`).
   * LianLian's documents do not settle it: keep the default unless LianLian confirms the other
   * for your merchant number.
   */
  readonly signedBytes?: 'UTF-8' | 'form-charset';
  /** The cashier URL; `https://cashier.lianlianpay.com/payment/bankgateway.htm` when absent (a simulator's in tests). */
  readonly cashierUrl?: ConfigText;
  /**
   * The API base URL of the order query and the card services; `https://yintong.com.cn` when
   * absent (paths `/queryapi/orderquery.htm`, `/queryapi/bankcardbin.htm`,
   * `/queryapi/bankcardbindlist.htm`, `/traderapi/bankcardunbind.htm`).
   */
  readonly apiBaseUrl?: ConfigText;
  /**
   * Default `notify_url`: the public https URL LianLian posts payment results to. A payment with
   * no `notifyUrl` of its own and none here is refused.
   */
  readonly notifyUrl?: ConfigText;
  /** Default `url_return`: where the payer's browser comes back after paying. */
  readonly returnUrl?: ConfigText;
  /** Default `busi_partner`: `101001` virtual goods (when absent), `109001` physical goods, `108001` top-up. */
  readonly busiPartner?: '101001' | '109001' | '108001' | ConfigReference;
  /** `platform`: the main merchant number whose payers' data this merchant shares. */
  readonly platform?: ConfigText;
  /**
   * The merchant's goods category (a code of section 6.3 of LianLian's web payment document, e.g.
   * `5003`): `frms_ware_category` of every payment's `risk_item`, which LianLian requires on every
   * payment (a payment's `extra.goodsCategory`, or a `risk_item` of its own, may name another).
   * A code outside 6.3 fails `createPaykit`. Categories whose industry needs more risk data than
   * the base also need `riskGroups`.
   */
  readonly goodsCategory: ConfigText;
  /**
   * The industry risk groups (section 6.2.2) every payment carries in `extra.riskItem`:
   * `realName`, `airline`, `logistics`, `game`, `phoneCharge`. It must list what `goodsCategory`
   * needs: 2xxx (real-name goods) `realName`, 2001 also `airline`, 4xxx (physical goods)
   * `logistics`, 1010 (phone top-up) `phoneCharge`. Otherwise `createPaykit` fails with an
   * `InvalidConfig` at `riskGroups` saying which, instead of LianLian's risk control refusing the
   * first payment.
   */
  readonly riskGroups?: readonly RiskGroup[];
  /**
   * Cards per page of the bound-card list, as LianLian serves this merchant (the document names
   * no page size): a shorter page ends the list. Without it, the end of the list costs one call
   * that returns no card.
   */
  readonly bindListPageSize?: number;
  /** Timeout of each API call in milliseconds; 10 000 when absent. */
  readonly timeoutMs?: number;
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** LianLian web payments (`@paykit/provider-lianlian-web`). */
    'lianlian-web': LianlianWebOptionsInput;
  }
}
