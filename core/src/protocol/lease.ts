import { errAsync, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import type { PayResultAsync } from '../errors/result.js';
import type { RecordKind, Store } from '../ports/store.js';
import { commitValue, type ProtocolContext } from './commit.js';
import { LEASE_OWNER, leaseLive, type Tracked } from './tracking.js';

/** A tracked record with a status (what the protocol's scans act on). */
export type TrackedRecord = Tracked & { readonly status: string };

/** The `Conflict` for a record another claim or resolver is acting on. */
export function busy(kind: RecordKind, id: string, record: Tracked): PaymentError {
  const until = record.lease ? new Date(record.lease.until).toISOString() : 'its lease ends';
  return PaymentErrors.conflict(`${kind} ${id} is being settled by ${record.lease?.owner ?? 'another process'} until ${until}; try again after that`, { retryable: true });
}

/**
 * Takes a record's lease for one check by this process (one more check counted, last attempt
 * now), in one commit. `Conflict` (retryable) when a live lease is held, this process's own
 * included: a claim still sending, or another resolver asking.
 */
export function takeLease<T extends TrackedRecord>(ctx: ProtocolContext, kind: RecordKind, id: string, leaseMs: number, operation: string): PayResultAsync<T> {
  const now = ctx.clock.now();
  return commitValue(ctx, (tx) => tx.get<T>(kind, id).andThen((rec) => {
    if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
    if (leaseLive(rec.value, now)) return errAsync(busy(kind, id, rec.value));
    const next: T = { ...rec.value, lease: { owner: LEASE_OWNER, until: new Date(now.getTime() + leaseMs), purpose: 'check' }, checks: (rec.value.checks ?? 0) + 1, lastAttemptAt: now };
    return tx.update(kind, id, rec.version, next).map((v) => v.value);
  }), { cause: { source: 'resolve', operation } });
}

/**
 * Ends a check that got no verified answer: gives the lease back, or, once `checks` reached
 * `maxChecks`, moves the record to `needs_attention` with the last error and `action`.
 */
export function dropLease(ctx: ProtocolContext, kind: RecordKind, id: string, e: PaymentError, options: { readonly maxChecks: number; readonly action: string; readonly operation: string }): PayResultAsync<TrackedRecord> {
  const now = ctx.clock.now();
  return commitValue(ctx, (tx) => tx.get<TrackedRecord>(kind, id).andThen((rec) => {
    if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
    const checks = rec.value.checks ?? 0;
    if (checks >= options.maxChecks) return giveUp(tx, kind, id, now, `${checks} checks in a row got no verified answer (last: ${e.message})`, options.action);
    if (rec.value.lease?.owner !== LEASE_OWNER) return ok(rec.value);
    const { lease: _lease, ...rest } = rec.value;
    return tx.update(kind, id, rec.version, rest).map((v) => v.value);
  }), { cause: { source: 'resolve', operation: options.operation }, attempts: 16 });
}

/**
 * Moves a record to `needs_attention`: paykit stops asking about it on its own, and says why and
 * what a person should do. What is in flight stays recorded (the operator sees what was sent);
 * the lease is released. A verified provider report still moves it on.
 */
export function giveUp(tx: Store, kind: RecordKind, id: string, now: Date, reason: string, action: string): PayResultAsync<TrackedRecord> {
  return tx.get<TrackedRecord>(kind, id).andThen((rec) => {
    if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
    const { lease: _lease, ...rest } = rec.value;
    const next = rest.status === 'needs_attention' ? rest : { ...rest, status: 'needs_attention', attention: { reason, action, since: now, from: rest.status } };
    return tx.update(kind, id, rec.version, next).map((v) => v.value);
  });
}
