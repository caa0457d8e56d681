/**
 * The one error type of paykit: a tagged union of plain data.
 *
 * Every public operation returns `Result`/`ResultAsync` whose error side is a {@link PaymentError}.
 * A card decline is *not* an error: it is an `Ok` carrying a failed status.
 */

/** The tag of a {@link PaymentError}: what went wrong, in one word. */
export type PaymentErrorKind =
  | 'InvalidRequest'
  | 'InvalidConfig'
  | 'Unsupported'
  | 'Signature'
  | 'Decode'
  | 'Network'
  | 'Timeout'
  | 'ProviderRejected'
  | 'OutcomeUnknown'
  | 'Conflict'
  | 'NotFound'
  | 'Internal';

/**
 * Standard error codes shared by every provider. Provider codes map onto this list so merchant code
 * can branch on one vocabulary whatever the acquirer.
 */
export type StandardCode =
  | 'invalid_request'
  | 'invalid_amount'
  | 'invalid_card'
  | 'invalid_account'
  | 'invalid_config'
  | 'unsupported_operation'
  | 'invalid_signature'
  | 'malformed_response'
  | 'network_error'
  | 'timeout'
  | 'outcome_unknown'
  | 'conflict'
  | 'not_found'
  | 'duplicate_order'
  | 'suspected_duplicate'
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired'
  | 'limit_exceeded'
  | 'permission_denied'
  | 'merchant_config'
  | 'provider_error'
  | 'rate_limited'
  | 'internal_error';

/** Every {@link StandardCode}, for exhaustiveness checks and documentation. */
export const STANDARD_CODES: readonly StandardCode[] = [
  'invalid_request', 'invalid_amount', 'invalid_card', 'invalid_account', 'invalid_config',
  'unsupported_operation', 'invalid_signature', 'malformed_response', 'network_error', 'timeout',
  'outcome_unknown', 'conflict', 'not_found', 'duplicate_order', 'suspected_duplicate', 'card_declined',
  'insufficient_funds', 'expired', 'limit_exceeded', 'permission_denied', 'merchant_config',
  'provider_error', 'rate_limited', 'internal_error',
];

/** How an {@link OutcomeUnknownError} is settled: which operation to call, for which reference. */
export interface Resolution {
  /** The operation that settles the outcome, e.g. `payments.query` or `payouts.resolve`. */
  readonly operation: string;
  /** The merchant reference (order number, payout id…) to pass to that operation. */
  readonly reference: string;
  /** A sentence for humans. */
  readonly hint: string;
}

/** Fields shared by every {@link PaymentError}. */
export interface PaymentErrorBase {
  /** A standard code from the shared list. */
  readonly code: StandardCode;
  /**
   * What happened and what to do about it; never contains a secret or a full card number (runs of
   * 13–19 digits that could be one, UnionPay's 62… or any passing the Luhn check, are masked to
   * their first 6 and last 4 digits when the error is made; merchant, order and transaction numbers
   * that cannot be one stay readable).
   */
  readonly message: string;
  /** Whether repeating the same call unchanged may succeed. */
  readonly retryable: boolean;
  /** The provider plugin id, when a provider was involved. */
  readonly providerId?: string;
  /** The provider's own error code, verbatim. */
  readonly providerCode?: string;
  /** The provider's own error message, verbatim but for card-number-like runs, masked as in `message`. */
  readonly providerMessage?: string;
  /** For input and config errors: the path of the offending field (`payments.create.amount`). */
  readonly path?: string;
  /** The underlying error, reduced to name and message, card-number-like runs masked (never a raw object that may hold secrets). */
  readonly cause?: { readonly name: string; readonly message: string };
}

/** A caller mistake: fix the input named by `path`. */
export interface InvalidRequestError extends PaymentErrorBase { readonly kind: 'InvalidRequest' }
/** A configuration mistake: fix the config entry named by `path`. */
export interface InvalidConfigError extends PaymentErrorBase { readonly kind: 'InvalidConfig' }
/** The provider (or plugin) cannot do this operation. */
export interface UnsupportedError extends PaymentErrorBase {
  readonly kind: 'Unsupported';
  /** The capability that is missing. */
  readonly capability: string;
}
/** A signature did not verify, or was missing. Nothing was trusted. */
export interface SignatureError extends PaymentErrorBase { readonly kind: 'Signature' }
/** A reply or notification could not be decoded into its wire shape. Nothing was trusted. */
export interface DecodeError extends PaymentErrorBase { readonly kind: 'Decode' }
/** The call failed at the network level. `sent` says whether it may have reached the provider. */
export interface NetworkError extends PaymentErrorBase {
  readonly kind: 'Network';
  /** false when the request provably never left (connection refused, DNS failure). */
  readonly sent: boolean;
}
/** The call timed out. For money-moving calls this becomes {@link OutcomeUnknownError}. */
export interface TimeoutError extends PaymentErrorBase { readonly kind: 'Timeout' }
/** The provider answered and refused the request (not a decline of a card: a rejected call). */
export interface ProviderRejectedError extends PaymentErrorBase { readonly kind: 'ProviderRejected' }
/** A money-moving call may or may not have taken effect. Do not retry blindly: follow `resolution`. */
export interface OutcomeUnknownError extends PaymentErrorBase {
  readonly kind: 'OutcomeUnknown';
  /** How to learn the outcome. */
  readonly resolution: Resolution;
}
/** The request conflicts with recorded state (illegal transition, refund above paid amount…). */
export interface ConflictError extends PaymentErrorBase { readonly kind: 'Conflict' }
/** The record does not exist. */
export interface NotFoundError extends PaymentErrorBase { readonly kind: 'NotFound' }
/** A bug in paykit or a plugin: an exception escaped where none should. */
export interface InternalError extends PaymentErrorBase { readonly kind: 'Internal' }

/** The one error type every public paykit operation returns. */
export type PaymentError =
  | InvalidRequestError
  | InvalidConfigError
  | UnsupportedError
  | SignatureError
  | DecodeError
  | NetworkError
  | TimeoutError
  | ProviderRejectedError
  | OutcomeUnknownError
  | ConflictError
  | NotFoundError
  | InternalError;
