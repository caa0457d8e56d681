// Internal to core (not re-exported by the errors index): the checks exported helpers make of
// their arguments before touching them, so that a wrong one is an error value naming it.
import { PaymentErrors } from './constructors.js';
import type { InvalidRequestError } from './payment-error.js';
import { kindOf } from './text.js';

/** Whether `v` is an object (not null): what may be read from; a proxy may still throw when it is. */
export function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** What the protocol and consumer helpers take as `ctx`, as their argument errors say it. */
export const PROTOCOL_CONTEXT = 'the protocol context { store, clock, logger }';

/**
 * The `InvalidRequest` for an argument of the wrong kind, naming the function, the argument and
 * what to pass, e.g. `takeLease: pass the protocol context { store, clock, logger } as ctx, got undefined`.
 */
export function badArgument(fn: string, name: string, expected: string, got: unknown): InvalidRequestError {
  return PaymentErrors.invalidRequest(`${fn}: pass ${expected} as ${name}, got ${kindOf(got)}`, { path: name });
}
