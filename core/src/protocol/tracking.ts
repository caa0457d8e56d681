import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Attention } from '../domain/transitions.js';
import type { Money } from '../money/money.js';

/** The facade operations that can move money, each run through {@link runMoneyOperation}. */
export type MoneyOperation = 'payments.create' | 'refunds.create' | 'preauth.capture' | 'preauth.void' | 'payouts.submit' | 'payouts.confirm';

/** Who may act on a record until when: a claim or a resolver holds it while it talks to the provider. */
export interface Lease {
  /** The holder (see {@link LEASE_OWNER}). */
  readonly owner: string;
  /** When the lease runs out; after that anyone may take the record over. */
  readonly until: Date;
  /** `send`: a claim is sending the operation; `check`: a resolver is asking the provider about it. */
  readonly purpose?: 'send' | 'check';
}

/** A money operation claimed on a record and not settled yet. */
export interface InFlight {
  /** The operation. */
  readonly operation: MoneyOperation;
  /**
   * `sending`: claimed, and the recorded request is (about to be) on its way; `unknown`: the call
   * ended without a verified answer. Either way only asking the provider settles it.
   */
  readonly state: 'sending' | 'unknown';
  /** When it was claimed. */
  readonly since: Date;
  /** The amount it moves, when it is not the record's own (a capture). */
  readonly amount?: Money;
  /** The last error, in one line (no secrets: errors never carry them). */
  readonly error?: string;
}

/**
 * What the money protocol keeps on every record it moves money with: the operation in flight, its
 * lease, how often it was sent and checked, and why paykit gave up, when it did.
 */
export interface Tracked {
  /** The operation claimed and not settled yet. */
  readonly inFlight?: InFlight;
  /** Who is acting on the record until when. */
  readonly lease?: Lease;
  /**
   * How many times a request moving money was claimed for sending (a claim whose process died
   * before the send counts too: nobody can tell whether it left).
   */
  readonly attempts?: number;
  /** `resolvePending` checks in a row that got no verified answer (reset by one). */
  readonly checks?: number;
  /** The last send or check: stale scans age records by it, not by creation time. */
  readonly lastAttemptAt?: Date;
  /** Why paykit stopped settling the record, while it is `needs_attention`. */
  readonly attention?: Attention;
}

/** This process's name on leases: host, process id and a random tag (two paykits in one process differ). */
export const LEASE_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** How long a lease lasts by default: well past the slowest provider call (30 s) plus its commits. */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

/** Whether anyone (this process included) holds a live lease on the record at `now`. */
export function leaseLive(record: Tracked, now: Date): boolean {
  return record.lease !== undefined && new Date(record.lease.until).getTime() > now.getTime();
}

/** Whether a claim is still sending the record's operation: its lease is live and was taken to send. */
export function stillSending(record: Tracked, now: Date): boolean {
  return record.inFlight?.state === 'sending' && record.lease?.purpose !== 'check' && leaseLive(record, now);
}

/** Whether someone other than `owner` holds a live lease on the record at `now`. */
export function leasedByOther(record: Tracked, now: Date, owner: string = LEASE_OWNER): boolean {
  const lease = record.lease;
  if (lease === undefined || lease.owner === owner) return false;
  return new Date(lease.until).getTime() > now.getTime();
}

/** The record with `operation` claimed: in flight, leased to this process, one more attempt. */
export function claimTracking<T extends Tracked>(record: T, operation: MoneyOperation, now: Date, leaseMs: number, amount?: Money): T {
  return {
    ...withoutTracking(record),
    inFlight: { operation, state: 'sending', since: now, ...(amount !== undefined ? { amount } : {}) },
    lease: { owner: LEASE_OWNER, until: new Date(now.getTime() + leaseMs), purpose: 'send' },
    attempts: (record.attempts ?? 0) + 1,
    checks: 0,
    lastAttemptAt: now,
  };
}

/**
 * The record after a report its transition table ignores: settled like any answered record,
 * except one in `needs_attention`, which stays as it was (its reason and what to do included): a
 * report that changes nothing says nothing about why paykit stopped settling it.
 */
export function ignoredReportTracking<T extends Tracked & { readonly status: string }>(record: T): T {
  return record.status === 'needs_attention' ? record : settledTracking(record);
}

/** The record with its operation settled: nothing in flight, no lease, no give-up note. */
export function settledTracking<T extends Tracked>(record: T): T {
  const { attempts, lastAttemptAt } = record;
  return { ...withoutTracking(record), ...(attempts !== undefined ? { attempts } : {}), ...(lastAttemptAt !== undefined ? { lastAttemptAt } : {}) };
}

/**
 * The record with its operation's outcome unknown: still in flight, the sender's lease released for
 * a resolver. A resolver already checking it (the send outlived its lease) keeps its lease.
 */
export function unknownTracking<T extends Tracked>(record: T, error: string): T {
  const { lease, ...rest } = record;
  const kept = lease?.purpose === 'check' ? { ...rest, lease } : rest;
  const inFlight = record.inFlight;
  return (inFlight ? { ...kept, inFlight: { ...inFlight, state: 'unknown', error: error.slice(0, 300) } } : kept) as T;
}

/**
 * Whether `record` still carries the claim that `claimed` made (the same operation, claimed at the
 * same time, as the same attempt). A reply that comes back after a verified report settled the
 * record, or after another process claimed it again, must not end what it no longer owns.
 */
export function sameClaim(record: Tracked, claimed: Tracked): boolean {
  const now = record.inFlight;
  const then = claimed.inFlight;
  return now !== undefined && then !== undefined && now.operation === then.operation
    && epochOf(now.since) === epochOf(then.since) && record.attempts === claimed.attempts;
}

/** Every tracking field removed but the counters. */
export function withoutTracking<T extends Tracked>(record: T): T {
  const { inFlight: _i, lease: _l, checks: _c, attention: _a, ...rest } = record;
  return rest as T;
}

/** Epoch milliseconds of a stored time (a Date, or its JSON string from a store that lost the type). */
export function epochOf(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Whether a record's money operation has an unknown outcome: sent without a verified answer
 * (in flight, `unknown`; a payout's status `unknown`) and not given up on (`needs_attention`).
 * A resend of such a payout keeps it so until an answer comes.
 */
export function outcomeUnknown(record: unknown): boolean {
  if (typeof record !== 'object' || record === null) return false;
  const r = record as Tracked & { readonly status?: unknown };
  if (r.status === 'needs_attention') return false;
  return r.inFlight?.state === 'unknown' || r.status === 'unknown';
}
