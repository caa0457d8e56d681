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
  /**
   * The MD5 key from Allinpay's merchant site: signs **every** request, whatever `signType` is. A
   * secret: never logged. Write `env:NAME` or `file:PATH`.
   */
  readonly md5Key: ConfigText;
  /** Where Allinpay posts payment results (payData `receiveUrl`); a payment's own `notifyUrl` overrides it. */
  readonly receiveUrl: ConfigText;
  /**
   * `1` (default): requests MD5-signed, Allinpay's replies and notifications verified with its
   * certificate; `0`: everything MD5.
   */
  readonly signType?: '0' | '1' | ConfigReference;
  /**
   * Allinpay's X.509 certificate (`TLCert.cer`), PEM or DER; needed for `signType` 1 and for batch
   * queries. `file:TLCert.cer` takes the file as Allinpay ships it, PEM or binary DER. Read once at
   * start-up: a missing or unreadable one fails `createPaykit` naming `certificate`.
   */
  readonly certificate?: ConfigText;
  /**
   * `production` (default: control mode `00`, `https://service.allinpay.com`) or `test` (mode
   * `01`). `test` also needs `baseUrl` (e.g. `https://ceshi.allinpay.com`) or
   * `insecureHttpTestEndpoint`: paykit never picks plain http by itself.
   */
  readonly environment?: 'test' | 'production' | ConfigReference;
  /**
   * Overrides the gateway host (a simulator, a proxy, `https://ceshi.allinpay.com`); paths are
   * `/gateway/index.do`, `/mchtoq/index.do`, `/mchtoq/refundQuery`.
   */
  readonly baseUrl?: ConfigText;
  /**
   * With `environment: "test"` only: use the test gateway Allinpay documents,
   * `http://ceshi.allinpay.com`, over **plain http**. Requests, replies and their data then travel
   * unencrypted, and a transport that refuses plain http to hosts other than loopback (paykit's
   * `@paykit/transport-ky` does) refuses every call. Never with production data.
   */
  readonly insecureHttpTestEndpoint?: true;
  /**
   * The instance's main currency; `CNY` when absent. An order in another currency gets its
   * currency added to its `receiveUrl` (Allinpay's notifications do not name it); batch query
   * lines, which carry no currency, are read in this one.
   */
  readonly currency?: ConfigText;
  /**
   * payData `inputCharset`: `1` UTF-8 (default), `2` GBK, `3` GB2312. The payData's `signMsg`
   * covers the sign string's bytes in that charset.
   */
  readonly inputCharset?: '1' | '2' | '3' | ConfigReference;
  /** payData `language` for international cards: `1` simplified Chinese, `2` traditional Chinese, `3` English. */
  readonly language?: '1' | '2' | '3' | ConfigReference;
  /** Default payData `payType`: `0` payer chooses (default), `27` card entry, `30` international card. */
  readonly payType?: '0' | '27' | '30' | ConfigReference;
  /** Timeout of each API call in milliseconds; 15 000 when absent. */
  readonly timeoutMs?: number;
  /**
   * `true` when the merchant's site has buyer accounts: international-card payments then need
   * `registration_name`, `registration_email` and `registration_phone`. `false` when absent.
   */
  readonly buyerAccounts?: boolean;
  /**
   * AUD's numeric code on cross-border payments: `036` (default; ISO 4217, as the international
   * card table prints it) or `032`, as the cross-border table prints it: only if Allinpay tells
   * you to send that.
   */
  readonly crossBorderAudCode?: '036' | '032';
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** Allinpay mobile payments (`@paykit/provider-allinpay-mobile`). */
    'allinpay-mobile': AllinpayOptionsInput;
  }
}
