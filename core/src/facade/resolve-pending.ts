import * as t from 'io-ts';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import type { PaykitContext } from '../container/paykit.js';
import type { PaymentStatus } from '../domain/payment.js';
import type { PayoutStatus } from '../domain/payout.js';
import type { RefundStatus } from '../domain/refund.js';
import type { Attention } from '../domain/transitions.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError, PaymentErrorKind, StandardCode } from '../errors/payment-error.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Capability } from '../plugin/capabilities.js';
import type { RecordKind } from '../ports/store.js';
import { commitValue } from '../protocol/commit.js';
import { dropLease, giveUp, takeLease, type TrackedRecord } from '../protocol/lease.js';
import { DEFAULT_LEASE_MS, epochOf, leaseLive } from '../protocol/tracking.js';
import { ATTR, SPANS } from '../observability/names.js';
import { settlePaymentReport } from './payments.js';
import { paymentRefOf } from './records.js';
import type { PayoutOps } from './payouts.js';
import { settlePreAuthReport } from './preauth.js';
import { failRefund, refundRequestOf, settleRefundReport } from './refunds.js';
import type { StoredPayment, StoredPayout, StoredPreAuth, StoredRefund } from './stored.js';

/** Which records a scan looks at. */
export type PendingKind = 'payments' | 'refunds' | 'payouts' | 'preauths';

/** Every {@link PendingKind}, in the order a scan reports them when they are equally old. */
export const PENDING_KINDS: readonly PendingKind[] = ['payments', 'refunds', 'payouts', 'preauths'];

/** The facade operation a scan settles a record with (`none` for a record in `needs_attention`, only reported). */
export type SettleOperation = 'payments.query' | 'refunds.query' | 'payouts.resolve' | 'preauth.query' | 'none';

/** Payment statuses whose outcome is not known yet: the payer or the provider has not finished. */
export const PENDING_PAYMENT_STATUSES: readonly PaymentStatus[] = ['created', 'pending', 'processing'];
/** Refund statuses still waiting for the provider. */
export const PENDING_REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'processing'];
/** Payout statuses of unknown outcome: settled by query, resent with the same order number only when the provider has no record. */
export const UNKNOWN_PAYOUT_STATUSES: readonly PayoutStatus[] = ['created', 'unknown'];
/**
 * Payout statuses the provider is still working on, or holding for the merchant's review: settled
 * by query (a held payout the provider paid or closed meanwhile is recorded so), never resent.
 */
export const IN_FLIGHT_PAYOUT_STATUSES: readonly PayoutStatus[] = ['accepted', 'processing', 'held_for_review'];

/** Options of `paykit.resolvePending`. */
export interface ResolvePendingOptions {
  /** Only records whose last send or check is older than this many milliseconds (by the injected clock); default 10 minutes. */
  readonly olderThan?: number;
  /** Which kinds of record to scan; default all of {@link PENDING_KINDS}. */
  readonly kinds?: readonly PendingKind[];
  /**
   * Ask the providers about at most this many records, oldest first; default no limit. Records in
   * `needs_attention`, and records no instance can query, cost no call: they are always reported
   * and not counted, so they never take the others' turn.
   */
  readonly limit?: number;
  /** Provider calls in flight at once; default 4. */
  readonly concurrency?: number;
  /**
   * Closes a payment its provider has no record of (a `NotFound` from the provider) once it is at
   * least this many milliseconds old: the payer never reached the provider's cashier. Off by
   * default: such a payment is then reported `failed` on every scan. A success that arrives later
   * still applies (`closed → succeeded`), so closing loses nothing; pick an age past the longest
   * time a payer may take to open the cashier (LianLian's `valid_order`, for one).
   */
  readonly closeNotFoundAfter?: number;
  /** Checks in a row without a verified answer before a record becomes `needs_attention`; default 20. */
  readonly maxChecks?: number;
  /** Most times a payout is sent in all (resends after "no record") before `needs_attention`; default 3. */
  readonly maxSends?: number;
  /** How long a check holds a record's lease; default 5 minutes. */
  readonly leaseMs?: number;
}

/** The default age below which a record is left alone: its own call may still be in flight. */
export const DEFAULT_OLDER_THAN_MS = 10 * 60 * 1000;
/** The default number of records settled at once. */
export const DEFAULT_PENDING_CONCURRENCY = 4;
/** The default number of checks in a row without an answer before `needs_attention`. */
export const DEFAULT_MAX_CHECKS = 20;

/** What happened to one record. */
export type PendingOutcome =
  /** The provider's answer gave the record a final status. */
  | 'settled'
  /** The provider answered (or the outcome is still unknown): the record is not final yet. */
  | 'still_pending'
  /** Settling it failed with an error; the record is as the error left it. */
  | 'failed'
  /** Its instance cannot do the operation (`Unsupported`): nothing was asked. */
  | 'skipped'
  /** Another claim or resolver holds it right now: left to them. */
  | 'busy'
  /** paykit gave up on it (attempt cap, query window) or had before: a person must act (see `attention`). */
  | 'needs_attention';

/** One record a scan checked. */
export interface PendingEntry {
  /** Payment, refund, payout or pre-authorisation. */
  readonly kind: PendingKind;
  /** The merchant's order number, refund number or payout id. */
  readonly id: string;
  /** The instance that serves it. */
  readonly instanceId: string;
  /** The operation the scan called. */
  readonly operation: SettleOperation;
  /** Status when the scan found it. */
  readonly before: string;
  /** Status after the operation, when it returned one. */
  readonly after?: string;
  /** What happened. */
  readonly outcome: PendingOutcome;
  /** The typed error, when the operation returned one. */
  readonly error?: { readonly kind: PaymentErrorKind; readonly code: StandardCode; readonly message: string };
  /** Why paykit gave up and what to do, for `needs_attention`. */
  readonly attention?: Pick<Attention, 'reason' | 'action'>;
}

/** Counts of a scan. */
export interface PendingTotals {
  /** Records reported (every entry). */
  readonly checked: number;
  /** Entries now final. */
  readonly settled: number;
  /** Entries still not final (including an outcome that stayed unknown). */
  readonly stillPending: number;
  /** Entries whose operation failed. */
  readonly failed: number;
  /** Entries whose instance cannot do the operation. */
  readonly skipped: number;
  /** Entries another process was settling. */
  readonly busy: number;
  /** Entries in `needs_attention`: a person must act. */
  readonly needsAttention: number;
  /** Eligible records left unchecked because of `limit`. */
  readonly remaining: number;
}

/** What `paykit.resolvePending` did, record by record, oldest first. */
export interface PendingReport {
  /** One entry per checked record. */
  readonly entries: readonly PendingEntry[];
  /** Counts. */
  readonly totals: PendingTotals;
  /**
   * Kinds whose records could not be listed (a store error, such as a payout row that no longer
   * unseals with the configured recordKey), with the error: their uncertain records were not
   * checked. The other kinds still were. Absent when every kind was listed.
   */
  readonly unlisted?: readonly { readonly kind: PendingKind; readonly error: { readonly kind: PaymentErrorKind; readonly code: StandardCode; readonly message: string } }[];
}

/** What a scan needs from paykit: its context, and payout resolution (which may resend). */
export interface PendingResolverContext extends PaykitContext {
  /** Payout resolution. */
  readonly payouts: Pick<PayoutOps, 'resolve'>;
}

const WholeMs = (name: string, min: number) => new t.Type<number, number, unknown>(
  name,
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= min ? t.success(u) : t.failure(u, c, `expected a whole number ≥ ${min}`)),
  t.identity,
);

const OptionsCodec = t.partial({
  olderThan: WholeMs('milliseconds', 0),
  kinds: t.array(t.keyof({ payments: null, refunds: null, payouts: null, preauths: null })),
  limit: WholeMs('count', 1),
  concurrency: WholeMs('count', 1),
  closeNotFoundAfter: WholeMs('milliseconds', 0),
  maxChecks: WholeMs('count', 1),
  maxSends: WholeMs('count', 1),
  leaseMs: WholeMs('milliseconds', 1),
});

interface Settings {
  readonly closeBefore: number | undefined;
  readonly maxChecks: number;
  readonly maxSends: number;
  readonly leaseMs: number;
}

/** A record found by the scan, with what settles it and its age references. */
interface Candidate {
  readonly kind: PendingKind;
  readonly record: RecordKind;
  readonly id: string;
  readonly instanceId: string;
  readonly status: string;
  readonly operation: SettleOperation;
  /** The capability whose instance settles it (for the provider's query window). */
  readonly capability: Capability;
  /** Last send or check (else creation), epoch ms; undefined when the record carries no usable time. */
  readonly since: number | undefined;
  /** Creation, epoch ms (the provider's query window counts from it). */
  readonly created: number | undefined;
  /** Whether a live lease is held on it. */
  readonly leased: boolean;
  /** The number the check would have among the record's checks in a row (for its span). */
  readonly attempt: number;
  readonly attention?: Attention;
}

function candidate(kind: PendingKind, record: RecordKind, capability: Capability, r: TrackedRecord & { readonly instanceId: string }, id: string, created: unknown, now: Date, operation: SettleOperation): Candidate {
  const createdMs = epochOf(created);
  return {
    kind, record, capability, id, instanceId: r.instanceId, status: r.status,
    operation: r.status === 'needs_attention' ? 'none' : operation,
    since: epochOf(r.lastAttemptAt) ?? createdMs, created: createdMs, leased: leaseLive(r, now), attempt: (r.checks ?? 0) + 1,
    ...(r.attention ? { attention: r.attention } : {}),
  };
}

function listCandidates(ctx: PendingResolverContext, kind: PendingKind, now: Date): PayResultAsync<readonly Candidate[]> {
  const { store } = ctx;
  switch (kind) {
    case 'payments':
      return store.list<StoredPayment>('payment', { statuses: [...PENDING_PAYMENT_STATUSES, 'needs_attention'] })
        .map((rs) => rs.map(({ value: p }) => candidate(kind, 'payment', 'payments', p, p.orderId, p.createdAt, now, 'payments.query')));
    case 'refunds':
      return store.list<StoredRefund>('refund', { statuses: [...PENDING_REFUND_STATUSES, 'needs_attention'] })
        .map((rs) => rs.map(({ value: r }) => candidate(kind, 'refund', 'refunds', r, r.refundId, r.requestedAt, now, 'refunds.query')));
    case 'payouts':
      return store.list<StoredPayout>('payout', { statuses: [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES, 'needs_attention'] })
        .map((rs) => rs.map(({ value: p }) => candidate(kind, 'payout', 'payouts', p, p.payoutId, p.request?.createdAt, now, 'payouts.resolve')));
    case 'preauths':
      // Only a capture or void in flight is uncertain; an authorised hold waits for the merchant.
      return store.list<StoredPreAuth>('preauth', { statuses: ['authorised', 'needs_attention'] })
        .map((rs) => rs.filter(({ value: a }) => a.inFlight !== undefined || a.status === 'needs_attention')
          .map(({ value: a }) => candidate(kind, 'preauth', 'preauth', a, a.orderId, a.inFlight?.since, now, 'preauth.query')));
  }
}

/** Whether a status, reported after the operation, is one the scan would still pick up. */
function stillOpen(kind: PendingKind, status: string): boolean {
  const open: readonly string[] = kind === 'payments' ? PENDING_PAYMENT_STATUSES
    : kind === 'refunds' ? PENDING_REFUND_STATUSES
      : kind === 'payouts' ? [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES]
        : ['authorised'];
  return open.includes(status);
}

const errorOf = (e: PaymentError) => ({ kind: e.kind, code: e.code, message: e.message });

/** What a check of one record ended with: the record's status after it, or the error. */
type Checked = { readonly status: string; readonly attention?: Attention };

/** Settles one payment: query, apply; a provider "no record" closes it when old enough. */
function checkPayment(ctx: PendingResolverContext, c: Candidate, s: Settings): PayResultAsync<Checked> {
  const operation = 'payments.query';
  const svc = ctx.service('payments', 'query', c.instanceId);
  if (svc.isErr()) return errAsync(svc.error);
  return takeLease<StoredPayment>(ctx, 'payment', c.id, s.leaseMs, operation).andThen((p) => {
    return svc.value.service.query(paymentRefOf(p))
      .andThen((report) => commitValue(ctx, (tx) => settlePaymentReport(tx, report), { cause: { source: 'resolve', operation }, attempts: 16 }))
      .orElse((e) => {
        // A reopened order (a new attempt after it failed or closed) is as old as that attempt.
        const age = epochOf(p.reopenedAt) ?? c.created;
        const closable = s.closeBefore !== undefined && age !== undefined && age <= s.closeBefore && e.kind === 'NotFound' && e.providerId !== undefined;
        if (closable) {
          // The provider has no record of it and it is old enough: the payer never got there.
          // Closed by the transition table like any report, so a record that moved meanwhile stays.
          return commitValue(ctx, (tx) => settlePaymentReport(tx, { orderId: p.orderId, status: 'closed', amount: p.amount }), { cause: { source: 'resolve', operation }, attempts: 16 });
        }
        return dropLease(ctx, 'payment', c.id, e, { maxChecks: s.maxChecks, operation, action: `check order ${c.id} with the provider; a verified notification or paykit.payments.query settles it` })
          .andThen((r) => (r.status === 'needs_attention' ? okAsync(r as StoredPayment) : errAsync(e)));
      });
  });
}

/**
 * Settles one refund: query, apply; a provider "no record" of a refund it never answered means it
 * never arrived: failed, reservation released.
 */
function checkRefund(ctx: PendingResolverContext, c: Candidate, s: Settings): PayResultAsync<Checked> {
  const operation = 'refunds.query';
  const svc = ctx.service('refunds', 'query', c.instanceId);
  if (svc.isErr()) return errAsync(svc.error);
  return takeLease<StoredRefund>(ctx, 'refund', c.id, s.leaseMs, operation).andThen((r) => ctx.store.get<StoredPayment>('payment', r.orderId).andThen((p) => {
    const action = `check refund ${c.id} with the provider; a verified notification or paykit.refunds.query settles it`;
    if (!p) {
      // Nothing to query with: counted like a check without an answer, so it ends needs_attention.
      const e = PaymentErrors.notFound(`no payment is recorded for order ${r.orderId}, so refund ${r.refundId} cannot be queried`);
      return dropLease(ctx, 'refund', c.id, e, { maxChecks: s.maxChecks, operation, action: `record or restore payment ${r.orderId}, then ${action}` })
        .andThen((rec) => (rec.status === 'needs_attention' ? okAsync(rec as StoredRefund) : errAsync(e)));
    }
    return svc.value.service.query(refundRequestOf(r, p.value))
      .andThen((report) => commitValue(ctx, (tx) => settleRefundReport(tx, { ...report, refundId: r.refundId }), { cause: { source: 'resolve', operation }, attempts: 16 }))
      .orElse((e) => {
        // The provider's "no record" says the refund never arrived only while nothing it verified
        // said otherwise: a refund it answered (processing, or with its own refund number) that
        // its query no longer finds is a contradiction for a person, not a failure.
        const answered = r.status !== 'pending' || r.providerRefundId !== undefined;
        if (e.kind === 'NotFound' && e.providerId !== undefined && !answered) {
          return commitValue(ctx, (tx) => failRefund(tx, r, { message: `the provider has no record of refund ${r.refundId}: it never arrived, and its amount is free to refund again`, ...(e.providerCode !== undefined ? { providerCode: e.providerCode } : {}) }),
            { cause: { source: 'resolve', operation }, attempts: 16 });
        }
        return dropLease(ctx, 'refund', c.id, e, { maxChecks: s.maxChecks, operation, action })
          .andThen((rec) => (rec.status === 'needs_attention' ? okAsync(rec as StoredRefund) : errAsync(e)));
      });
  }));
}

/** Settles a capture or void of unknown outcome: by the provider's pre-auth query, or, without one, by a person. */
function checkPreAuth(ctx: PendingResolverContext, c: Candidate, s: Settings): PayResultAsync<Checked> {
  const operation = 'preauth.query';
  const svc = ctx.service('preauth', 'query', c.instanceId);
  if (svc.isErr()) return errAsync(svc.error);
  return takeLease<StoredPreAuth>(ctx, 'preauth', c.id, s.leaseMs, operation).andThen((a) => ctx.store.get<StoredPayment>('payment', a.orderId).andThen((p) => {
    const what = a.inFlight?.operation === 'preauth.void' ? 'void' : 'capture';
    const query = svc.value.service.query?.bind(svc.value.service);
    if (!query || !p) {
      return commitValue(ctx, (tx) => giveUp(tx, 'preauth', a.orderId, ctx.clock.now(), `the ${what} of pre-authorisation ${a.orderId} has no verified answer and the provider offers no pre-authorisation query`,
        `check order ${a.orderId} on the provider's merchant site; never send the ${what} again blindly`), { cause: { source: 'resolve', operation }, attempts: 16 });
    }
    return query({ payment: { orderId: a.orderId, amount: p.value.amount, createdAt: p.value.createdAt }, ...(a.inFlight?.amount ? { amount: a.inFlight.amount } : {}) })
      .andThen((report) => commitValue(ctx, (tx) => settlePreAuthReport(tx, report), { cause: { source: 'resolve', operation }, attempts: 16 }))
      .orElse((e) => dropLease(ctx, 'preauth', c.id, e, { maxChecks: s.maxChecks, operation, action: `check order ${c.id} on the provider's merchant site` })
        .andThen((rec) => (rec.status === 'needs_attention' ? okAsync(rec as StoredPreAuth) : errAsync(e))));
  }));
}

function checkOne(ctx: PendingResolverContext, c: Candidate, s: Settings): PayResultAsync<Checked> {
  switch (c.kind) {
    case 'payments': return checkPayment(ctx, c, s);
    case 'refunds': return checkRefund(ctx, c, s);
    case 'payouts': return ctx.payouts.resolve(c.id, { maxSends: s.maxSends, maxChecks: s.maxChecks, leaseMs: s.leaseMs });
    case 'preauths': return checkPreAuth(ctx, c, s);
  }
}

/** The provider's query window of a record's instance, when its plugin states one. */
function queryWindowOf(ctx: PendingResolverContext, c: Candidate): number | undefined {
  const svc = ctx.service(c.capability, 'query', c.instanceId);
  return svc.isOk() ? svc.value.instance.plugin.limits?.queryWindowMs : undefined;
}

/** Settles one record; never fails: an error becomes the entry's outcome. */
async function entryFor(ctx: PendingResolverContext, c: Candidate, s: Settings): Promise<PendingEntry> {
  const base = { kind: c.kind, id: c.id, instanceId: c.instanceId, operation: c.operation, before: c.status };
  if (c.status === 'needs_attention') {
    return { ...base, outcome: 'needs_attention', ...(c.attention ? { attention: { reason: c.attention.reason, action: c.attention.action } } : {}) };
  }
  if (c.leased) return { ...base, outcome: 'busy' };
  const now = ctx.clock.now();
  const window = queryWindowOf(ctx, c);
  const pastWindow = window !== undefined && c.created !== undefined && now.getTime() - c.created > window;
  // Past the query window: handed to a person, unless a send or check claimed it since the scan
  // listed it (giving up would drop that lease while its call is on the wire).
  const result = pastWindow
    ? await commitValue(ctx, (tx) => tx.get<TrackedRecord>(c.record, c.id).andThen((rec): PayResultAsync<TrackedRecord | undefined> => (rec && leaseLive(rec.value, now) ? okAsync(undefined)
      : giveUp(tx, c.record, c.id, now, `older than the provider's query window (${Math.round((window as number) / 86_400_000)} days): the provider no longer answers queries about it`,
        'check it in the provider\'s statement or merchant site; a verified notification still settles it'))), { cause: { source: 'resolve', operation: c.operation }, attempts: 16 })
    : await guardAsync(c.operation, () => checkOne(ctx, c, s));
  if (result.isOk()) {
    const checked = result.value;
    if (checked === undefined) return { ...base, outcome: 'busy' };
    const after = checked.status;
    if (after === 'needs_attention') {
      const a = checked.attention;
      return { ...base, after, outcome: 'needs_attention', ...(a ? { attention: { reason: a.reason, action: a.action } } : {}) };
    }
    return { ...base, after, outcome: stillOpen(c.kind, after) ? 'still_pending' : 'settled' };
  }
  const e: PaymentError = result.error;
  // Unsupported: the instance (or its provider) has no such operation, so there is nothing to ask.
  // OutcomeUnknown: the record stays in flight and the next scan asks again. A lease held
  // elsewhere: another process is on it.
  const outcome: PendingOutcome = e.kind === 'Unsupported' ? 'skipped' : e.kind === 'OutcomeUnknown' ? 'still_pending'
    : e.kind === 'Conflict' && e.retryable && / is being settled by /.test(e.message) ? 'busy' : 'failed';
  return { ...base, outcome, error: errorOf(e) };
}

/** {@link entryFor} in a `paykit.resolve_pending.check` span when something traces. */
function tracedEntryFor(ctx: PendingResolverContext, c: Candidate, s: Settings): Promise<PendingEntry> {
  const telemetry = ctx.telemetry;
  if (telemetry?.tracer() === undefined) return entryFor(ctx, c, s);
  return telemetry.inSpan(SPANS.resolveCheck, {
    [ATTR.recordKind]: c.record, [ATTR.instance]: c.instanceId, [ATTR.reference]: c.id, [ATTR.operation]: c.operation, [ATTR.attempt]: c.attempt,
  }, () => entryFor(ctx, c, s), (e) => ({ [ATTR.resolveOutcome]: e.outcome, ...(e.after !== undefined ? { [ATTR.recordStatus]: e.after } : {}) }));
}

/** Runs `work` over `items` with at most `concurrency` at once; results keep the items' order. */
async function mapPool<A, B>(items: readonly A[], concurrency: number, work: (item: A) => Promise<B>): Promise<B[]> {
  const out: B[] = new Array<B>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await work(items[i] as A);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

function totalsOf(entries: readonly PendingEntry[], remaining: number): PendingTotals {
  const count = (o: PendingOutcome) => entries.filter((e) => e.outcome === o).length;
  return {
    checked: entries.length, settled: count('settled'), stillPending: count('still_pending'), failed: count('failed'),
    skipped: count('skipped'), busy: count('busy'), needsAttention: count('needs_attention'), remaining,
  };
}

/**
 * Scans the store for everything whose outcome is uncertain and settles each by asking its
 * provider: payments not final (`payments.query`), refunds pending (`refunds.query`; one the
 * provider never received fails and frees its amount), payouts of unknown outcome, in flight or
 * held for review (`payouts.resolve`: resent with the same order number only when the provider has
 * no record of it), and captures or voids of unknown outcome. Each check holds the record's lease,
 * so two resolvers never act on one record at once; a record whose last send or check is younger
 * than `olderThan` is left alone. Past `maxChecks` checks without an answer, `maxSends` sends, or
 * the provider's query window, a record becomes `needs_attention` (reported on every scan, with
 * what to do). One record's error never stops the others: it is reported in its entry, and a kind
 * that cannot be listed is reported in `unlisted`. Fails as a whole only on invalid options or a
 * store that cannot list any of the kinds asked for.
 *
 * @example
 * ```ts
 * const report = await resolvePending(paykit, { olderThan: 15 * 60_000, kinds: ['payouts'] });
 * if (report.isOk() && report.value.totals.needsAttention > 0) alert(report.value.entries);
 * ```
 */
export function resolvePending(ctx: PendingResolverContext, options: ResolvePendingOptions = {}): PayResultAsync<PendingReport> {
  return guardAsync('resolvePending', () => {
    const valid = decodeWith(OptionsCodec, options ?? {}, 'resolvePending.options');
    if (valid.isErr()) return errAsync(valid.error);
    const o = valid.value;
    const olderThan = o.olderThan ?? DEFAULT_OLDER_THAN_MS;
    const kinds = PENDING_KINDS.filter((k) => (o.kinds ?? PENDING_KINDS).includes(k));
    const now = ctx.clock.now();
    const cutoff = now.getTime() - olderThan;
    const settings: Settings = {
      closeBefore: o.closeNotFoundAfter === undefined ? undefined : now.getTime() - o.closeNotFoundAfter,
      maxChecks: o.maxChecks ?? DEFAULT_MAX_CHECKS, maxSends: o.maxSends ?? 3, leaseMs: o.leaseMs ?? DEFAULT_LEASE_MS,
    };
    // Each kind is listed on its own: one that cannot be read (reported) does not hide the others.
    const listed = Promise.all(kinds.map(async (k) => ({ kind: k, list: await listCandidates(ctx, k, now) })));
    return ResultAsync.fromSafePromise(listed).andThen((results) => {
      const failed = results.flatMap((r) => (r.list.isErr() ? [{ kind: r.kind, error: r.list.error }] : []));
      if (failed.length > 0 && failed.length === results.length) return errAsync((failed[0] as { error: PaymentError }).error);
      const lists = results.flatMap((r) => (r.list.isOk() ? [r.list.value] : []));
      const unlisted = failed.map((f) => ({ kind: f.kind, error: errorOf(f.error) }));
      // A record without a usable time is checked: better one query too many than a record never settled.
      const due = lists.flat().filter((c) => c.status === 'needs_attention' || c.since === undefined || c.since <= cutoff);
      const ordered = [...due].sort((a, b) => (a.since ?? 0) - (b.since ?? 0));
      // `limit` counts the records to ask a provider about. Those waiting for a person, and those no
      // instance can query, cost no call: always reported, they never take the others' turn.
      const asks = (c: Candidate) => c.status !== 'needs_attention' && ctx.service(c.capability, 'query', c.instanceId).isOk();
      const picked: Candidate[] = [];
      let calls = 0;
      for (const c of ordered) {
        if (!asks(c)) picked.push(c);
        else if (calls < (o.limit ?? Number.POSITIVE_INFINITY)) {
          picked.push(c);
          calls += 1;
        }
      }
      const run = mapPool(picked, o.concurrency ?? DEFAULT_PENDING_CONCURRENCY, (c) => tracedEntryFor(ctx, c, settings));
      return ResultAsync.fromSafePromise(run).andThen((entries) => okAsync({
        entries, totals: totalsOf(entries, ordered.length - picked.length), ...(unlisted.length > 0 ? { unlisted } : {}),
      }));
    });
  });
}
