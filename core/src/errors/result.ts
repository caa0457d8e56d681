import { err, errAsync, ok, ResultAsync, type Result } from 'neverthrow';
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

// neverthrow's `ResultAsync.map`, `mapErr` and `orElse` each run their callback in an async frame
// of their own (a generator with its promise and closures, about a kilobyte), kept alive until the
// result settles. On the paths every notification and money operation takes, those frames wait
// out a store commit, survive the young generation's collection and made two fifths of what a
// notification left for the collector to copy: its pauses are what an unrelated request served by
// the same process waits on. These three do the same with one promise reaction each
// (ResultAsync's `then` is its own promise's, hence the casts).

/** `ra.map(f)` for a synchronous `f`, without an async frame per call. */
export function mapOk<T, U, E>(ra: ResultAsync<T, E>, f: (value: T) => U): ResultAsync<U, E> {
  return new ResultAsync(ra.then((r): Result<U, E> => (r.isOk() ? ok(f(r.value)) : err(r.error))) as Promise<Result<U, E>>);
}

/** `ra.mapErr(f)` for a synchronous `f`, without an async frame per call. */
export function mapErrOf<T, E, F>(ra: ResultAsync<T, E>, f: (error: E) => F): ResultAsync<T, F> {
  return new ResultAsync(ra.then((r): Result<T, F> => (r.isOk() ? ok(r.value) : err(f(r.error)))) as Promise<Result<T, F>>);
}

/** `ra.orElse(f)`, without an async frame per call: `f` turns an error into the next result. */
export function orElseOf<T, E, F>(ra: ResultAsync<T, E>, f: (error: E) => Result<T, F> | ResultAsync<T, F>): ResultAsync<T, F> {
  return new ResultAsync(ra.then((r): Result<T, F> | PromiseLike<Result<T, F>> => (r.isOk() ? ok(r.value) : f(r.error))) as Promise<Result<T, F>>);
}
