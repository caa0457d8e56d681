import { Err, err, errAsync, ok, Ok, ResultAsync, type Result } from 'neverthrow';
import { badArgument } from './arguments.js';
import { PaymentErrors } from './constructors.js';
import { isPaymentError } from './constructors.js';
import type { PaymentError } from './payment-error.js';
import { kindOf, textOf } from './text.js';

/** A synchronous result of a paykit operation. */
export type PayResult<T> = Result<T, PaymentError>;
/** An asynchronous result of a paykit operation. */
export type PayResultAsync<T> = ResultAsync<T, PaymentError>;

/** Turns anything thrown at a boundary into a {@link PaymentError} (kept as is when it already is one). */
export function toPaymentError(thrown: unknown, context: string): PaymentError {
  if (isPaymentError(thrown)) return thrown;
  return PaymentErrors.internal(`${textOf(context)}: unexpected exception`, { cause: thrown });
}

/** The error of {@link guard} or {@link guardAsync} given something other than a function to run. */
function notRunnable(name: string, context: unknown, fn: unknown): PaymentError {
  return badArgument(`${name} (${textOf(context)})`, 'fn', 'a function returning a Result', fn);
}

/**
 * Runs a synchronous function that may throw and returns its result, or an `Internal` error (also
 * for a result that is not a `Result`); an `InvalidRequest` when `fn` is not a function.
 * This is the one place per boundary where library exceptions are caught.
 */
export function guard<T>(context: string, fn: () => PayResult<T>): PayResult<T> {
  if (typeof fn !== 'function') return err(notRunnable('guard', context, fn));
  try {
    const out = fn();
    if (out instanceof Ok || out instanceof Err) return out;
    return err(PaymentErrors.internal(`${textOf(context)}: the guarded function returned ${kindOf(out)}, not a Result`));
  } catch (e) {
    return err(toPaymentError(e, context));
  }
}

/** Like {@link guard} for asynchronous work: a rejected promise or a throw becomes an error value. */
export function guardAsync<T>(context: string, fn: () => PayResultAsync<T> | Promise<PayResult<T>>): PayResultAsync<T> {
  if (typeof fn !== 'function') return errAsync(notRunnable('guardAsync', context, fn));
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
// (ResultAsync's `then` is its own promise's, hence the casts). Given no ResultAsync (a
// promise-like is adopted) or a callback that is not a function, each settles to an
// `InvalidRequest` naming the argument: checked at entry, with the work on the failure branch.

/**
 * Whether `ra` is a ResultAsync of this neverthrow: what the three below chain on directly. Never
 * throws (`instanceof` asks a proxy for its prototype, and its trap may throw).
 */
function isResultAsync(ra: unknown): ra is ResultAsync<unknown, unknown> {
  try {
    return ra instanceof ResultAsync;
  } catch {
    return false;
  }
}

/**
 * `ra` as a ResultAsync of this neverthrow when it is promise-like (one from another copy of
 * neverthrow, a proxy of one), whose rejection becomes an `Internal` error; undefined for anything
 * else. Only what {@link isResultAsync} turned down comes here.
 */
function adopt<T, E>(name: string, ra: unknown): ResultAsync<T, E> | undefined {
  try {
    if (typeof ra !== 'object' || ra === null || typeof (ra as PromiseLike<unknown>).then !== 'function') return undefined;
  } catch {
    return undefined; // a proxy or a getter that throws
  }
  const settled = Promise.resolve(ra as PromiseLike<Result<T, E>>).then((r) => r, (e: unknown) => err(toPaymentError(e, name) as E));
  return new ResultAsync(settled);
}

/** What mapOk, mapErrOf or orElseOf chain `f` on: `ra` itself (the usual case) or a promise-like adopted; undefined when there is nothing to chain. */
function chainOn<T, E>(name: string, ra: unknown, f: unknown): ResultAsync<T, E> | undefined {
  if (typeof f !== 'function') return undefined;
  return isResultAsync(ra) ? ra as ResultAsync<T, E> : adopt<T, E>(name, ra);
}

/** The error of mapOk, mapErrOf or orElseOf called with a callback that is not a function, or with no ResultAsync. */
function notChainable<T, E>(name: string, ra: unknown, f: unknown): ResultAsync<T, E> {
  const e = typeof f !== 'function' ? badArgument(name, 'f', 'a function', f) : badArgument(name, 'ra', 'a ResultAsync', ra);
  return errAsync(e as E);
}

/** `ra.map(f)` for a synchronous `f`, without an async frame per call. */
export function mapOk<T, U, E>(ra: ResultAsync<T, E>, f: (value: T) => U): ResultAsync<U, E> {
  const on = chainOn<T, E>('mapOk', ra, f);
  if (on === undefined) return notChainable('mapOk', ra, f);
  return new ResultAsync(on.then((r): Result<U, E> => (r.isOk() ? ok(f(r.value)) : err(r.error))) as Promise<Result<U, E>>);
}

/** `ra.mapErr(f)` for a synchronous `f`, without an async frame per call. */
export function mapErrOf<T, E, F>(ra: ResultAsync<T, E>, f: (error: E) => F): ResultAsync<T, F> {
  const on = chainOn<T, E>('mapErrOf', ra, f);
  if (on === undefined) return notChainable('mapErrOf', ra, f);
  return new ResultAsync(on.then((r): Result<T, F> => (r.isOk() ? ok(r.value) : err(f(r.error)))) as Promise<Result<T, F>>);
}

/** `ra.orElse(f)`, without an async frame per call: `f` turns an error into the next result. */
export function orElseOf<T, E, F>(ra: ResultAsync<T, E>, f: (error: E) => Result<T, F> | ResultAsync<T, F>): ResultAsync<T, F> {
  const on = chainOn<T, E>('orElseOf', ra, f);
  if (on === undefined) return notChainable('orElseOf', ra, f);
  return new ResultAsync(on.then((r): Result<T, F> | PromiseLike<Result<T, F>> => (r.isOk() ? ok(r.value) : recover(f, r.error))) as Promise<Result<T, F>>);
}

/** What orElseOf's `f` makes of an error; one that throws or gives no result is an `Internal` error. */
function recover<T, E, F>(f: (error: E) => Result<T, F> | ResultAsync<T, F>, e: E): Result<T, F> | PromiseLike<Result<T, F>> {
  try {
    const out: unknown = f(e);
    if (out instanceof Ok || out instanceof Err || typeof (out as PromiseLike<unknown> | undefined)?.then === 'function') return out as Result<T, F> | ResultAsync<T, F>;
    return err(PaymentErrors.internal(`orElseOf: the recovery function returned ${kindOf(out)}, not a Result or ResultAsync`) as F);
  } catch (thrown) {
    return err(toPaymentError(thrown, 'orElseOf') as F);
  }
}
