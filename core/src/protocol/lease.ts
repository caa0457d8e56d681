import { errAsync, ok } from 'neverthrow';
import { paymentTransition, type PaymentStatus } from '../domain/payment.js';
import { payoutTransition, type PayoutStatus } from '../domain/payout.js';
import { preAuthTransition, type PreAuthStatus } from '../domain/preauth.js';
import { refundTransition, type RefundStatus } from '../domain/refund.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { badArgument, isObject, PROTOCOL_CONTEXT } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
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
  if (!isObject(ctx)) return errAsync(badArgument('takeLease', 'ctx', PROTOCOL_CONTEXT, ctx));
  if (!Number.isFinite(leaseMs)) return errAsync(badArgument('takeLease', 'leaseMs', 'the lease length in milliseconds', leaseMs));
  return guardAsync('takeLease', () => {
    const now = ctx.clock.now();
    return commitValue(ctx, (tx) => tx.get<T>(kind, id).andThen((rec) => {
      if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
      if (leaseLive(rec.value, now)) return errAsync(busy(kind, id, rec.value));
      const next: T = { ...rec.value, lease: { owner: LEASE_OWNER, until: new Date(now.getTime() + leaseMs), purpose: 'check' }, checks: (rec.value.checks ?? 0) + 1, lastAttemptAt: now };
      return tx.update(kind, id, rec.version, next).map((v) => v.value);
    }), { cause: { source: 'resolve', operation } });
  });
}

/**
 * Ends a check that got no verified answer: gives the lease back, or, once `checks` reached
 * `maxChecks`, moves the record to `needs_attention` with the last error and `action`.
 */
export function dropLease(ctx: ProtocolContext, kind: RecordKind, id: string, e: PaymentError, options: { readonly maxChecks: number; readonly action: string; readonly operation: string }): PayResultAsync<TrackedRecord> {
  if (!isObject(ctx)) return errAsync(badArgument('dropLease', 'ctx', PROTOCOL_CONTEXT, ctx));
  if (!isObject(e)) return errAsync(badArgument('dropLease', 'e', 'the PaymentError the check ended with', e));
  if (!isObject(options)) return errAsync(badArgument('dropLease', 'options', '{ maxChecks, action, operation }', options));
  return guardAsync('dropLease', () => {
    const now = ctx.clock.now();
    return commitValue(ctx, (tx) => tx.get<TrackedRecord>(kind, id).andThen((rec) => {
      if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
      const checks = rec.value.checks ?? 0;
      if (checks >= options.maxChecks) return giveUp(tx, kind, id, now, `${checks} checks in a row got no verified answer (last: ${e.message})`, options.action);
      if (rec.value.lease?.owner !== LEASE_OWNER) return ok(rec.value);
      const { lease: _lease, ...rest } = rec.value;
      return tx.update(kind, id, rec.version, rest).map((v) => v.value);
    }), { cause: { source: 'resolve', operation: options.operation }, attempts: 16 });
  });
}

/**
 * Whether paykit may give up on a record: its outcome is still uncertain. A final record (a reply
 * or a notification settled it while a resolver was on its way) may not move to
 * `needs_attention` by its transition table; a pre-authorisation is uncertain only while a
 * capture or void is in flight (an authorised hold with nothing in flight waits for the merchant).
 */
function uncertain(kind: RecordKind, r: TrackedRecord): boolean {
  const to = 'needs_attention' as const;
  const applies = (t: { readonly kind: string }) => t.kind === 'applied';
  switch (kind) {
    case 'payment': return paymentTransition(r.status as PaymentStatus, to).map(applies).unwrapOr(false);
    case 'refund': return refundTransition(r.status as RefundStatus, to).map(applies).unwrapOr(false);
    case 'payout': return payoutTransition(r.status as PayoutStatus, to).map(applies).unwrapOr(false);
    case 'preauth': return r.inFlight !== undefined && preAuthTransition(r.status as PreAuthStatus, to).map(applies).unwrapOr(false);
    default: return true;
  }
}

/**
 * Moves a record to `needs_attention`: paykit stops asking about it on its own, and says why and
 * what a person should do. What is in flight stays recorded (the operator sees what was sent);
 * the lease is released. A verified provider report still moves it on. A record that is no longer
 * uncertain (settled since the scan listed it) keeps its status; only the lease is released.
 */
export function giveUp(tx: Store, kind: RecordKind, id: string, now: Date, reason: string, action: string): PayResultAsync<TrackedRecord> {
  if (!isObject(tx)) return errAsync(badArgument('giveUp', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(now)) return errAsync(badArgument('giveUp', 'now', 'the current time (a Date)', now));
  if (typeof reason !== 'string') return errAsync(badArgument('giveUp', 'reason', 'why paykit gives up, as text', reason));
  if (typeof action !== 'string') return errAsync(badArgument('giveUp', 'action', 'what a person should do, as text', action));
  return guardAsync('giveUp', () => tx.get<TrackedRecord>(kind, id).andThen((rec) => {
    if (!rec) return errAsync(PaymentErrors.notFound(`no ${kind} ${id} is recorded`));
    const { lease: _lease, ...rest } = rec.value;
    const next = rest.status === 'needs_attention' || !uncertain(kind, rec.value) ? rest : { ...rest, status: 'needs_attention', attention: { reason, action, since: now, from: rest.status } };
    return tx.update(kind, id, rec.version, next).map((v) => v.value);
  }));
}
