import { err, errAsync, ResultAsync, type Result } from 'neverthrow';
import { PaymentErrors } from './constructors.js';
import { isPaymentError } from './constructors.js';
import type { PaymentError } from './payment-error.js';

/** A synchronous result of a paykit operation. */
export type PayResult<T> = Result<T, PaymentError>;
/** An asynchronous result of a paykit operation. */
export type PayResultAsync<T> = ResultAsync<T, PaymentError>;

/** Turns anything thrown at a boundary into a {@link PaymentError} (kept as is when it already is one). */
export function toPaymentError(thrown: unknown, context: string): PaymentError {
  if (isPaymentError(thrown)) return thrown;
  return PaymentErrors.internal(`${context}: unexpected exception`, { cause: thrown });
}

/**
 * Runs a synchronous function that may throw and returns its result, or an `Internal` error.
 * This is the one place per boundary where library exceptions are caught.
 */
export function guard<T>(context: string, fn: () => PayResult<T>): PayResult<T> {
  try {
    return fn();
  } catch (e) {
    return err(toPaymentError(e, context));
  }
}

/** Like {@link guard} for asynchronous work: a rejected promise or a throw becomes an error value. */
export function guardAsync<T>(context: string, fn: () => PayResultAsync<T> | Promise<PayResult<T>>): PayResultAsync<T> {
  try {
    const out = fn();
    if (out instanceof ResultAsync) {
      return new ResultAsync(
        (out as PromiseLike<PayResult<T>> as Promise<PayResult<T>>).then((r) => r, (e: unknown) => err(toPaymentError(e, context))),
      );
    }
    return new ResultAsync(out.then((r) => r, (e: unknown) => err(toPaymentError(e, context))));
  } catch (e) {
    return errAsync(toPaymentError(e, context));
  }
}
