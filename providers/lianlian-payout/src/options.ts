import type { ConfigText } from '@paykit/core';

/**
 * The options of a `lianlian-payout` instance as written in a config (`instances.<id>.options`).
 * Payouts are RSA only. String options may be `env:NAME` / `file:PATH` references; write every key
 * that way.
 *
 * @example
 * ```ts
 * const options: LianlianPayoutOptionsInput = {
 *   oidPartner: '201606221000921503', privateKey: 'file:keys/merchant-private.pem',
 *   lianlianPublicKey: 'env:LIANLIAN_PUBLIC_KEY', notifyUrl: 'https://shop.example/paykit/notify/payouts',
 * };
 * ```
 */
export interface LianlianPayoutOptionsInput {
  /** The 18-digit merchant number LianLian assigned (`oid_partner`). */
  readonly oidPartner: ConfigText;
  /** The merchant's RSA private key (PKCS#8 or PKCS#1, PEM or bare base64): signs every request. */
  readonly privateKey: ConfigText;
  /** LianLian's RSA public key (X.509 SPKI `MIGf…`, PEM or bare base64): encrypts `pay_load`, verifies replies. */
  readonly lianlianPublicKey: ConfigText;
  /** Only `RSA` is accepted (payouts are RSA only); it may be left out. */
  readonly signType?: 'RSA';
  /** Never accepted: payouts are RSA only. Present in the type only so that setting it reads as the error it is. */
  readonly md5Key?: undefined;
  /** The API base URL; LianLian's production URL (`https://instantpay.lianlianpay.com/paymentapi`) when absent. */
  readonly baseUrl?: ConfigText;
  /** Default `notify_url`: where LianLian posts payout results. */
  readonly notifyUrl?: ConfigText;
  /** `platform` sent with every request (1–32 characters). */
  readonly platform?: ConfigText;
  /** Per-call timeout in milliseconds; 30 000 when absent. */
  readonly timeoutMs?: number;
  /** Enforce the "same card in, same card out" policy (guide 七) on every submit; needs `cardLedgerKey`. */
  readonly sameCardPolicy?: boolean;
  /**
   * The secret card ledgers are keyed by (at least 32 random characters, e.g.
   * `env:PAYKIT_CARD_LEDGER_KEY` holding `openssl rand -base64 32`). Keep it as long as the ledgers.
   */
  readonly cardLedgerKey?: ConfigText;
  /**
   * Instances (LianLian web) whose payments with `payer.cardNumber` feed the same-card ledger by
   * themselves; needs `sameCardPolicy`.
   */
  readonly payInInstances?: readonly string[];
  /** Sign type of result notifications as set on the merchant site: `RSA` (default) or `MD5` (needs `notifyMd5Key`). */
  readonly notifySignType?: 'RSA' | 'MD5';
  /** The merchant site's MD5 key, with `notifySignType: "MD5"` only. */
  readonly notifyMd5Key?: ConfigText;
  /** Largest single payout, CNY in fen (`{ amount: 5000000, currency: 'CNY' }`): a larger one is refused before it is recorded. */
  readonly perPayoutLimit?: { readonly amount: number; readonly currency: 'CNY' };
  /** Largest total of one China-time day's payouts, CNY in fen; failed, closed and returned ones do not count. */
  readonly perDayLimit?: { readonly amount: number; readonly currency: 'CNY' };
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** LianLian payouts (`@paykit/provider-lianlian-payout`). */
    'lianlian-payout': LianlianPayoutOptionsInput;
  }
}
