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
  /**
   * The merchant's RSA private key (PKCS#8 or PKCS#1, PEM or bare base64, with or without line
   * breaks): signs every request (MD5withRSA).
   */
  readonly privateKey: ConfigText;
  /**
   * LianLian's RSA public key (X.509 SPKI `MIGf…`, PEM or bare base64, or a certificate): encrypts
   * `pay_load` and verifies every reply and notification.
   */
  readonly lianlianPublicKey: ConfigText;
  /** Only `RSA`, and it may be left out: payout requests are RSA only, so `MD5` is an `InvalidConfig`. */
  readonly signType?: 'RSA';
  /**
   * Never accepted (payout requests are RSA only); present in the type only so that setting it
   * reads as the error it is. MD5-signed notifications use `notifyMd5Key`.
   */
  readonly md5Key?: undefined;
  /** The API base URL; `https://instantpay.lianlianpay.com/paymentapi` when absent (a simulator's in tests). */
  readonly baseUrl?: ConfigText;
  /**
   * Default `notify_url`: where LianLian posts payout results. **At most 64 characters**: apply
   * takes 255, but confirm takes 64 and any payout may need a confirm (a longer one is an
   * `InvalidConfig`).
   */
  readonly notifyUrl?: ConfigText;
  /** `platform` sent with every request (1–32 characters). */
  readonly platform?: ConfigText;
  /** Timeout of each call in milliseconds; 30 000 when absent. */
  readonly timeoutMs?: number;
  /**
   * The sign type the merchant site signs **result notifications** with: `RSA` (default) or `MD5`
   * (needs `notifyMd5Key`). Only that one is accepted (a notification cannot choose its own
   * check); requests and replies stay RSA.
   */
  readonly notifySignType?: 'RSA' | 'MD5';
  /**
   * The MD5 key set on the merchant site (letters, digits and `_`, at most 100), with
   * `notifySignType: "MD5"` only: refused without it, and `notifySignType: "MD5"` is refused
   * without this key. Never echoed.
   */
  readonly notifyMd5Key?: ConfigText;
  /**
   * Largest single payout, CNY in fen (`{ "amount": 5000000, "currency": "CNY" }` is 50 000.00
   * yuan): a larger one is refused (`limit_exceeded`) before it is recorded or sent.
   */
  readonly perPayoutLimit?: { readonly amount: number; readonly currency: 'CNY' };
  /**
   * Largest total of one day's payouts, CNY in fen; the day is the China Standard Time day the
   * payout was recorded. Failed, closed and returned payouts do not count.
   */
  readonly perDayLimit?: { readonly amount: number; readonly currency: 'CNY' };
  /**
   * Enforce "same card in, same card out" (LianLian's integration guide, section 七) on every
   * submit: a card may be paid out only what it paid in (plus declared gains). Needs
   * `cardLedgerKey`.
   */
  readonly sameCardPolicy?: boolean;
  /**
   * Instance ids (LianLian web) whose payments with `payer.cardNumber` feed the same-card ledger by
   * themselves; needs `sameCardPolicy`.
   */
  readonly payInInstances?: readonly string[];
  /**
   * The secret card ledgers are keyed by: at least 32 characters (`openssl rand -base64 32`, as
   * `env:PAYKIT_CARD_LEDGER_KEY`). Ledgers are stored under `HMAC-SHA256(cardLedgerKey, card
   * number)`, so keep the key as long as the ledgers: a new key starts from empty ledgers.
   */
  readonly cardLedgerKey?: ConfigText;
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** LianLian payouts (`@paykit/provider-lianlian-payout`). */
    'lianlian-payout': LianlianPayoutOptionsInput;
  }
}
