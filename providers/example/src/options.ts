import type { ConfigText } from '@paykit/core';

/**
 * The options of an `example` (Example Pay) instance as written in a config
 * (`instances.<id>.options`). String options may be `env:NAME` / `file:PATH` references.
 *
 * @example
 * ```ts
 * const options: ExampleOptionsInput = {
 *   merchantId: 'M100200', key: 'env:EXAMPLE_KEY',
 *   baseUrl: 'https://api.example-pay.test', notifyUrl: 'https://shop.example/paykit/notify/shop',
 * };
 * ```
 */
export interface ExampleOptionsInput {
  /** The merchant id from the Example Pay console. */
  readonly merchantId: ConfigText;
  /** The HMAC-SHA256 key every request and notification is signed with. Write `env:NAME` or `file:PATH`. */
  readonly key: ConfigText;
  /** The API base URL, e.g. `https://api.example-pay.test` (a simulator's URL in tests). */
  readonly baseUrl: ConfigText;
  /** The default URL Example Pay posts notifications to. */
  readonly notifyUrl: ConfigText;
  /** The default URL the payer's browser returns to. */
  readonly returnUrl?: ConfigText;
  /** Per-call timeout in milliseconds; 10 000 when absent. */
  readonly timeoutMs?: number;
}

declare module '@paykit/core' {
  interface PaykitPluginOptions {
    /** Example Pay, the template plugin (`@paykit/provider-example`). */
    example: ExampleOptionsInput;
  }
}
