import { PaymentErrors } from '../errors/constructors.js';
import type { OutcomeUnknownError, PaymentError, Resolution } from '../errors/payment-error.js';

/**
 * Whether an error proves that nothing reached the provider, or that the provider refused and did
 * nothing: local validation and config, a connection that never opened, and a provider's own
 * refusal code read from a verified reply (a `ProviderRejected` or `NotFound` carrying
 * `providerCode`). A code that asks to try again (`retryable`: the provider busy, or its own link
 * to its back end failed) is no such proof: the back end may have acted. Every other error after a
 * call started (a timeout, a reply that cannot be trusted, HTTP 500, an exception in paykit's or
 * the merchant's code) is an unknown outcome.
 */
export function provenNotApplied(e: PaymentError): boolean {
  switch (e.kind) {
    case 'InvalidRequest':
    case 'InvalidConfig':
    case 'Unsupported':
      return true;
    case 'Network':
      return !e.sent;
    case 'ProviderRejected':
    case 'NotFound':
      return e.providerCode !== undefined && !e.retryable;
    default:
      return false;
  }
}

/** The error as an `OutcomeUnknown` settled by `resolution` (kept when it already is one). */
export function asOutcomeUnknown(e: PaymentError, what: string, resolution: Resolution): OutcomeUnknownError {
  if (e.kind === 'OutcomeUnknown') return e;
  return PaymentErrors.outcomeUnknown(`${what} may or may not have taken effect: ${e.message}`, resolution,
    { ...(e.providerId !== undefined ? { providerId: e.providerId } : {}), ...(e.providerCode !== undefined ? { providerCode: e.providerCode } : {}), cause: e });
}
