import type {
  ConflictError, DecodeError, InternalError, InvalidConfigError, InvalidRequestError, NetworkError,
  NotFoundError, OutcomeUnknownError, PaymentError, PaymentErrorBase, ProviderRejectedError,
  Resolution, SignatureError, StandardCode, TimeoutError, UnsupportedError,
} from './payment-error.js';
import { maskCardNumbersIn } from '../ports/secret.js';
import { textOf, UNPRINTABLE } from './text.js';

/** Optional details accepted by every error constructor. */
export interface ErrorDetails {
  /** Override the default standard code of the kind. */
  readonly code?: StandardCode;
  /** Override the default retryable flag of the kind. */
  readonly retryable?: boolean;
  /** Provider plugin id. */
  readonly providerId?: string;
  /** Provider's own code. */
  readonly providerCode?: string;
  /** Provider's own message. */
  readonly providerMessage?: string;
  /** Path of the offending input or config field. */
  readonly path?: string;
  /** Underlying cause; only its name and message are kept. */
  readonly cause?: unknown;
}

/** Reduces any thrown value to `{ name, message }` so no raw object (and no secret in it) is kept. */
export function describeCause(cause: unknown): { readonly name: string; readonly message: string } | undefined {
  if (cause === undefined) return undefined;
  try {
    if (cause instanceof Error) return { name: textOf(cause.name), message: textOf(cause.message) };
    if (typeof cause === 'object' && cause !== null && 'kind' in cause && 'message' in cause) {
      return { name: textOf((cause as { kind: unknown }).kind), message: textOf((cause as { message: unknown }).message) };
    }
    return { name: typeof cause, message: textOf(cause) };
  } catch {
    // A hostile value (a proxy whose traps throw): nothing of it can be read safely.
    return { name: typeof cause, message: UNPRINTABLE };
  }
}

// Messages quote what they were given (a body that is not JSON, an amount that is not one, a
// provider's own message, a driver's): the card numbers in them are masked here, when the error is
// made, so that no error object holds one, whoever logs or returns it. A run of digits that cannot
// be a card number (neither 62… nor passing the Luhn check: a merchant, order or transaction
// number) stays readable, as do references (a resolution's order id, a path): they are what the
// reader acts on.
const KEEP_IDENTIFIERS = { keepIdentifiers: true } as const;
const maskCard = (text: unknown): string => maskCardNumbersIn(textOf(text), KEEP_IDENTIFIERS);

function base(message: string, code: StandardCode, retryable: boolean, d: ErrorDetails = {}, neverRetryable = false): PaymentErrorBase {
  const out: { -readonly [K in keyof PaymentErrorBase]: PaymentErrorBase[K] } = { code, message: maskCard(message), retryable };
  try {
    out.code = d.code ?? code;
    out.retryable = d.retryable ?? retryable;
    if (d.providerId !== undefined) out.providerId = d.providerId;
    if (d.providerCode !== undefined) out.providerCode = d.providerCode;
    if (d.providerMessage !== undefined) out.providerMessage = maskCard(d.providerMessage);
    if (d.path !== undefined) out.path = d.path;
    const cause = describeCause(d.cause);
    if (cause !== undefined) out.cause = { name: cause.name, message: maskCard(cause.message) };
  } catch {
    // Details that cannot be read (not an object, a getter or proxy that throws) are left out: the
    // error is still made, with its message and code.
  }
  if (neverRetryable) out.retryable = false;
  return out;
}

/**
 * Constructors for every {@link PaymentError} kind, with sensible default codes and retry flags.
 *
 * @example
 * ```ts
 * return err(PaymentErrors.invalidRequest('amount must be positive', { path: 'amount' }));
 * ```
 */
export const PaymentErrors = {
  /** A caller mistake. */
  invalidRequest: (message: string, d?: ErrorDetails): InvalidRequestError =>
    ({ kind: 'InvalidRequest', ...base(message, 'invalid_request', false, d) }),
  /** A configuration mistake. */
  invalidConfig: (message: string, d?: ErrorDetails): InvalidConfigError =>
    ({ kind: 'InvalidConfig', ...base(message, 'invalid_config', false, d) }),
  /** The capability is missing. */
  unsupported: (capability: string, message: string, d?: ErrorDetails): UnsupportedError =>
    ({ kind: 'Unsupported', capability, ...base(message, 'unsupported_operation', false, d) }),
  /** A signature did not verify. */
  signature: (message: string, d?: ErrorDetails): SignatureError =>
    ({ kind: 'Signature', ...base(message, 'invalid_signature', false, d) }),
  /** A message could not be decoded. */
  decode: (message: string, d?: ErrorDetails): DecodeError =>
    ({ kind: 'Decode', ...base(message, 'malformed_response', false, d) }),
  /** A network failure; retryable only when the request provably never left. */
  network: (message: string, sent: boolean, d?: ErrorDetails): NetworkError =>
    ({ kind: 'Network', sent, ...base(message, 'network_error', !sent, d) }),
  /** A timeout. */
  timeout: (message: string, d?: ErrorDetails): TimeoutError =>
    ({ kind: 'Timeout', ...base(message, 'timeout', true, d) }),
  /** The provider refused the call. */
  providerRejected: (message: string, d?: ErrorDetails): ProviderRejectedError =>
    ({ kind: 'ProviderRejected', ...base(message, 'provider_error', false, d) }),
  /** A money-moving call of unknown outcome. Never retryable blindly. */
  outcomeUnknown: (message: string, resolution: Resolution, d?: ErrorDetails): OutcomeUnknownError =>
    ({ kind: 'OutcomeUnknown', resolution, ...base(message, 'outcome_unknown', false, d, true) }),
  /** A conflict with recorded state. */
  conflict: (message: string, d?: ErrorDetails): ConflictError =>
    ({ kind: 'Conflict', ...base(message, 'conflict', false, d) }),
  /** A missing record. */
  notFound: (message: string, d?: ErrorDetails): NotFoundError =>
    ({ kind: 'NotFound', ...base(message, 'not_found', false, d) }),
  /** A bug: an exception escaped. */
  internal: (message: string, d?: ErrorDetails): InternalError =>
    ({ kind: 'Internal', ...base(message, 'internal_error', false, d) }),
} as const;

/** Type guard: is this value a {@link PaymentError}? */
export function isPaymentError(value: unknown): value is PaymentError {
  try {
    return typeof value === 'object' && value !== null && 'kind' in value && 'code' in value
      && 'message' in value && 'retryable' in value;
  } catch {
    return false; // a proxy whose traps throw
  }
}

/** Formats an error as one line for logs and the CLI: `Kind [code] message (provider code …)`. */
export function formatPaymentError(e: PaymentError): string {
  try {
    // Errors made by PaymentErrors hold no card number; an object made some other way is masked here too.
    const parts = [`${textOf(e.kind)} [${textOf(e.code)}] ${maskCardNumbersIn(textOf(e.message))}`];
    if (e.path !== undefined) parts.push(`at ${textOf(e.path)}`);
    if (e.providerId !== undefined) parts.push(`provider ${textOf(e.providerId)}`);
    if (e.providerCode !== undefined) parts.push(`provider code ${textOf(e.providerCode)}${e.providerMessage ? ` (${maskCardNumbersIn(textOf(e.providerMessage))})` : ''}`);
    if (e.kind === 'OutcomeUnknown') parts.push(`resolve with ${textOf(e.resolution.operation)}(${textOf(e.resolution.reference)})`);
    return parts.join('; ');
  } catch {
    return `Internal [internal_error] ${UNPRINTABLE}`;
  }
}
