import type { ConfigReference, ConfigText } from '@paykit/core';

/**
 * The options of an `allinpay-mobile` instance as written in a config (`instances.<id>.options`).
 * String options may be `env:NAME` / `file:PATH` references; write every key that way.
 *
 * @example
 * ```ts
 * const options: AllinpayOptionsInput = {
 *   merchantId: '100020091218001', md5Key: 'env:ALLINPAY_MD5_KEY', certificate: 'file:./TLCert.cer',
 *   environment: 'production', receiveUrl: 'https://shop.example/paykit/notify/app',
 * };
 * ```
 */
export interface AllinpayOptionsInput {
  /** The merchant number Allinpay assigned (1–30 digits). */
  readonly merchantId: ConfigText;
  /** The MD5 key set on Allinpay's merchant site: signs every request. Write `env:NAME` or `file:PATH`. */
  readonly md5Key: ConfigText;
  /** Where Allinpay posts payment results (payData `receiveUrl`). */
  readonly receiveUrl: ConfigText;
  /**
   * `1` (default): requests MD5-signed, Allinpay's replies and notifications verified with its
   * certificate; `0`: everything MD5.
   */
  readonly signType?: '0' | '1' | ConfigReference;
  /**
   * Allinpay's certificate (PEM, or DER as base64), e.g. `file:./TLCert.cer`; needed for signType 1
   * and for batch queries.
   */
  readonly certificate?: ConfigText;
  /** `test` (default; control mode `01`, Allinpay's test host) or `production` (mode `00`). */
  readonly environment?: 'test' | 'production' | ConfigReference;
  /** Overrides the gateway host (a simulator, a proxy), e.g. `http://127.0.0.1:4100`. */
  readonly baseUrl?: ConfigText;
  /** The currency of this instance's orders (notifications do not carry it); `CNY` when absent. */
  readonly currency?: ConfigText;
  /** payData `inputCharset`: `1` UTF-8 (default), `2` GBK, `3` GB2312. */
  readonly inputCharset?: '1' | '2' | '3' | ConfigReference;
  /** payData `language` for international cards: `1` simplified Chinese, `2` traditional, `3` English. */
  readonly language?: '1' | '2' | '3' | ConfigReference;
  /** Default payData `payType`: `0` payer chooses (default), `27` card entry, `30` international card. */
  readonly payType?: '0' | '27' | '30' | ConfigReference;
  /** Per-call timeout in milliseconds; 15 000 when absent. */
  readonly timeoutMs?: number;
  /**
   * With `environment: "test"`: use Allinpay's documented test endpoint, `http://ceshi.allinpay.com`,
   * over plain http (requests, replies and notifications travel unencrypted). Or set `baseUrl` to
   * `https://ceshi.allinpay.com` instead.
   */
  readonly insecureHttpTestEndpoint?: true;
  /** Numeric code of AUD on cross-border payments: `036` (default; table 6.3, ISO 4217) or `032` as table 6.2 prints it. */
  readonly crossBorderAudCode?: '036' | '032';
  /** The merchant's site has buyer accounts: international-card payments then need the registration fields. */
  readonly buyerAccounts?: boolean;
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** Allinpay mobile payments (`@paykit/provider-allinpay-mobile`). */
    'allinpay-mobile': AllinpayOptionsInput;
  }
}
