import type { Store } from '../ports/store.js';
import type { PaykitDeps } from '../container/create-paykit.js';
import type { Paykit } from '../container/paykit.js';
import type { PaymentStatus } from '../domain/payment.js';
import type { PayResultAsync } from '../errors/result.js';
import type { CurrencyCode } from '../money/currency.js';
import type { CreatePaymentInput, PaymentAction } from '../plugin/capabilities.js';
import type { ProviderPlugin } from '../plugin/contract.js';
import type { RawHttpRequest } from '../ports/transport.js';

/** A fault a harness can make its simulator play on the next call. */
export type HarnessFault = 'timeout-after-processing' | 'drop-reply-after-processing' | 'server-error' | 'malformed-reply' | 'bad-signature';

/**
 * A running simulator plus an instance configured against it. Everything a conformance test needs
 * to drive the real plugin through its wire protocol on 127.0.0.1.
 */
export interface HarnessContext {
  /** The instance's raw `options` for the paykit config (pointing at the simulator). */
  readonly options: unknown;
  /** Extra deps (environment for `env:` references…); transport, store, clock, logger are set by the kit. */
  readonly deps?: Partial<Pick<PaykitDeps, 'env' | 'baseDir'>>;
  /** Currencies the provider accepts; the kit round-trips money in each. */
  readonly currencies: readonly CurrencyCode[];
  /** A valid payment input for a fresh order id and amount (the kit overrides orderId and amount). */
  samplePayment(orderId: string, amount: { amount: number; currency: CurrencyCode }): CreatePaymentInput;
  /**
   * Plays the payer: submits the action to the simulator (over HTTP) and makes the simulator record
   * the order with the given outcome. Resolves with the amount the simulator decoded from the wire,
   * in minor units, decoded by the simulator's own code.
   */
  pay(action: PaymentAction, outcome: 'succeeded' | 'failed'): Promise<{ readonly orderId: string; readonly wireAmountMinor: number }>;
  /** A notification for an order exactly as the provider would send it, signed by the simulator. */
  notification(orderId: string, outcome: 'succeeded' | 'failed'): RawHttpRequest;
  /** The same notification with a changed amount and the original signature. */
  tamper(notification: RawHttpRequest): RawHttpRequest;
  /** The same notification with its signature removed. */
  unsign(notification: RawHttpRequest): RawHttpRequest;
  /** Whether a reply body is the provider's exact positive acknowledgement. */
  isAck(body: string): boolean;
  /** Makes the simulator play a fault on its next call. */
  injectFault(fault: HarnessFault): void;
  /**
   * A money-moving operation of this plugin (refund, payout, capture…) through the facade, for an
   * order the kit has paid with {@link HarnessContext.pay}. Absent only when the plugin moves no
   * money by server call (then it must declare none of refunds, payouts, preauth).
   */
  moneyMovingCall?(paykit: Paykit, paidOrderId: string): PayResultAsync<unknown>;
  /**
   * A read-only query through the facade (e.g. `payouts.query`) for a reference the kit created with
   * {@link HarnessContext.moneyMovingCall}. The kit uses `payments.query` when the plugin declares
   * payments; a plugin that declares payouts but not payments must give this.
   */
  queryCall?(paykit: Paykit, reference: string): PayResultAsync<unknown>;
  /** Secrets configured (keys, passwords): none may appear in any error or log line. */
  readonly secrets: readonly string[];
  /** A full card number the harness puts in requests: it may appear only masked. */
  readonly cardNumber?: string;
  /** Provider error codes with the standard code each must map to (a sample; the full map is checked for totality). */
  readonly expectedErrorCodes?: Readonly<Record<string, string>>;
  /**
   * The largest amount, in minor units, the provider accepts for one payment (the kit round-trips it).
   * 99 999 999 (999 999.99 in a two-decimal currency) when absent.
   */
  readonly maxAmountMinor?: number;
  /** Stops the simulator. */
  close(): Promise<void>;
}

/** What a provider package gives the conformance kit. */
export interface ConformanceHarness {
  /** The plugin under test. */
  readonly plugin: ProviderPlugin<any>;
  /** Starts the simulator and returns the context. Called before each test group. */
  setup(): Promise<HarnessContext>;
  /** Statuses an order can be driven to by {@link HarnessContext.pay} (for the mapping tests). */
  readonly payOutcomes?: readonly PaymentStatus[];
  /**
   * The store each group's paykit is built with; an in-memory store when absent. Set by
   * `describeProviderConformance(harness, { store })`, not by plugins.
   */
  readonly store?: () => Store;
}
