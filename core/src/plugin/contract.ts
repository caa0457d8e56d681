import type { ContainerModule } from 'inversify';
import type * as t from 'io-ts';
import type { PaymentStatus } from '../domain/payment.js';
import type { PayoutStatus } from '../domain/payout.js';
import type { RefundStatus } from '../domain/refund.js';
import type { StandardCode } from '../errors/payment-error.js';
import type { PayResult } from '../errors/result.js';
import type { Capability } from './capabilities.js';

/** How a provider code maps onto the shared vocabulary. */
export interface CodeMapping {
  /** Standard code. */
  readonly code: StandardCode;
  /** Whether the same call may succeed if repeated. */
  readonly retryable: boolean;
  /** Who can act: the payer, the merchant's config, the provider, or nobody but a retry. */
  readonly category?: 'user' | 'merchant' | 'provider' | 'retry';
  /** The provider's description of the code. */
  readonly description?: string;
}

/** A provider's status vocabulary and its total mapping onto a domain status. */
export interface StatusMapping<S extends string> {
  /** Every status string the provider documents. */
  readonly wire: readonly string[];
  /** Maps any string (documented or not); unknown strings must never map to a success. */
  readonly map: (wire: string) => S;
}

/**
 * What a plugin exposes about its vocabularies, so the conformance kit can prove the mappings total
 * and the docs can list them.
 */
export interface ProviderIntrospection {
  /** Payment statuses. */
  readonly paymentStatuses?: StatusMapping<PaymentStatus>;
  /** Refund statuses. */
  readonly refundStatuses?: StatusMapping<RefundStatus>;
  /** Payout statuses. */
  readonly payoutStatuses?: StatusMapping<PayoutStatus>;
  /** Provider error codes. */
  readonly errorCodes?: {
    /** Every code the provider documents. */
    readonly codes: readonly string[];
    /** Maps any code (documented or not) onto the shared vocabulary. */
    readonly map: (code: string) => CodeMapping;
  };
}

/** Options of `paykit sign`. */
export interface SignToolOptions {
  /** Sign type (provider vocabulary: `MD5`, `RSA`, `0`, `1`…). */
  readonly signType?: string;
  /** MD5 key. */
  readonly md5Key?: string;
  /** Private key text (PEM or base64 DER). */
  readonly privateKey?: string;
  /** Which message to sign, for providers with several request formats. */
  readonly message?: string;
}

/** Result of `paykit sign`. */
export interface SignToolResult {
  /** The field name the signature goes in. */
  readonly field: string;
  /** The signature. */
  readonly signature: string;
  /** The exact text that was signed (for `--explain`). */
  readonly signedText: string;
}

/** Options of `paykit verify`. */
export interface VerifyToolOptions {
  /** MD5 key. */
  readonly md5Key?: string;
  /** Public key text. */
  readonly publicKey?: string;
  /** Certificate text (PEM or DER bytes as latin1/base64). */
  readonly cert?: string | Uint8Array;
  /** Which message this is, when the provider has several formats and it cannot be guessed. */
  readonly message?: string;
}

/** Result of `paykit verify`. */
export interface VerifyToolResult {
  /** What kind of message was recognised (e.g. `notification`, `order query reply`). */
  readonly message: string;
  /** The decoded domain result. */
  readonly result: unknown;
  /** The exact text whose signature was checked. */
  readonly signedText: string;
}

/** Debugging tools the CLI exposes per provider. */
export interface ProviderTools {
  /** Signs request fields. */
  sign(fields: Readonly<Record<string, unknown>>, options: SignToolOptions): PayResult<SignToolResult>;
  /** Verifies a message the provider sends (reply or notification) given as raw bytes. */
  verify(raw: Uint8Array, options: VerifyToolOptions): PayResult<VerifyToolResult>;
}

/**
 * A provider plugin: a package exporting one of these. paykit builds a child container per
 * configured instance, binds the ports and the decoded options, and loads `module`, which binds the
 * capability tokens the plugin serves.
 *
 * @example
 * ```ts
 * export const examplePlugin: ProviderPlugin<ExampleOptions> = {
 *   id: 'example', displayName: 'Example Pay', capabilities: ['payments', 'notifications'],
 *   configCodec: ExampleOptionsCodec, module: exampleModule,
 * };
 * ```
 */
export interface ProviderPlugin<C = unknown> {
  /** Plugin id used in config (`"plugin": "lianlian-web"`). */
  readonly id: string;
  /** Human-readable name. */
  readonly displayName: string;
  /** Capabilities the module binds. */
  readonly capabilities: readonly Capability[];
  /** Validates an instance's `options` (after `env:`/`file:` references are resolved). */
  readonly configCodec: t.Type<C, unknown, unknown>;
  /** Binds the capability services. */
  readonly module: ContainerModule;
  /** Vocabularies, for the conformance kit and docs. */
  readonly introspection?: ProviderIntrospection;
  /** CLI debugging tools. */
  readonly tools?: ProviderTools;
  /** Time limits on the provider's side that paykit plans around (query window, redelivery window). */
  readonly limits?: ProviderLimits;
}

/**
 * Time limits on the provider's side, in milliseconds. paykit uses them so that nothing waits for
 * an answer the provider can no longer give.
 */
export interface ProviderLimits {
  /**
   * How long after a record was created the provider still answers queries about it (Allinpay:
   * one month). Past it, `resolvePending` stops asking and marks the record `needs_attention`.
   */
  readonly queryWindowMs?: number;
  /**
   * How long the provider keeps redelivering a notification that was not acknowledged (LianLian:
   * 30 tries, 2 minutes apart). Notification-ledger entries older than this may be pruned.
   */
  readonly redeliveryWindowMs?: number;
}
