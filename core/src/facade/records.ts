import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, mapOk, orElseOf, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { PaymentRef } from '../plugin/capabilities.js';
import type { RecordKind, Store, Versioned } from '../ports/store.js';
import type { StoredPayment } from './stored.js';

/** What a record update decided. */
export type UpdateDecision<T> = { readonly write: true; readonly value: T } | { readonly write: false; readonly value: T };

/**
 * Reads a record, lets `decide` compute the next value, and writes it with optimistic concurrency,
 * re-reading and re-deciding when another writer got there first.
 */
export function updateRecord<T>(
  store: Store,
  kind: RecordKind,
  id: string,
  decide: (current: T) => PayResult<UpdateDecision<T>>,
  attempts = 8,
): PayResultAsync<T> {
  if (!isObject(store)) return errAsync(badArgument('updateRecord', 'store', 'a Store', store));
  if (typeof decide !== 'function') return errAsync(badArgument('updateRecord', 'decide', 'a function from the current value to an update decision', decide));
  return guardAsync('updateRecord', () => store.get<T>(kind, id).andThen((cur: Versioned<T> | undefined) => {
    if (!cur) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
    const d = decide(cur.value);
    if (d.isErr()) return errAsync(d.error);
    if (!d.value.write) return okAsync(d.value.value);
    const updated = mapOk(store.update(kind, id, cur.version, d.value.value), (v) => v.value);
    return orElseOf(updated, (e) => (e.kind === 'Conflict' && attempts > 1 ? updateRecord(store, kind, id, decide, attempts - 1) : errAsync(e)));
  }));
}

/** What a provider's payment query is given of a recorded payment (internal: not exported from core). */
export function paymentRefOf(p: StoredPayment): PaymentRef {
  const until = p.payableUntil === undefined ? undefined : new Date(p.payableUntil);
  return { orderId: p.orderId, createdAt: p.createdAt, amount: p.amount, ...(until !== undefined && !Number.isNaN(until.getTime()) ? { payableUntil: until } : {}) };
}
