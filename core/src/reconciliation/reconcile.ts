import { err, errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import type { PaykitContext } from '../container/paykit.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guard, guardAsync, toPaymentError, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { StoredPayment } from '../facade/stored.js';
import { safeLog } from '../protocol/commit.js';
import type { DiscrepancyDraft } from './describe.js';
import { ExternalSorter } from './external-sort.js';
import { paymentItem, walkLedger, type LedgerItem } from './ledger.js';
import { emptyKindCounts, matchStatement } from './match.js';
import { checkPeriod, type CheckedPeriod } from './period.js';
import { repairAll, type RepairFacade } from './repair.js';
import {
  beginRun, currentStates, discrepancyRecords, failRun, finishRun, readPeriod, readRun, recordFindings, renewRun, resolveDiscrepancy,
} from './runs.js';
import type { PackedLine } from './packed-line.js';
import { checkFiles, readStatement, sourceOf } from './statement.js';
import {
  MAX_LISTED_DISCREPANCIES, type Discrepancy, type FeeSchedule, type ReconcileOptions, type ReconcileProgress, type ReconciliationPeriod,
  type ReconciliationReport, type RepairOutcome,
} from './types.js';

/**
 * How long a run holds its period against a concurrent run of the same period without renewing
 * it: the run renews it every {@link RUN_RENEW_MS} while it works, so a run killed (Ctrl-C, out of
 * memory) frees its period two minutes later.
 */
const RUN_LEASE_MS = 2 * 60 * 1000;
/** How often a run in progress renews its lease. */
const RUN_RENEW_MS = 30 * 1000;

const whole = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

/** Checks the options; every problem is an `InvalidRequest` naming the option. */
export function checkOptions(o: unknown): PayResult<ReconcileOptions> {
  if (o === undefined) return ok({});
  if (typeof o !== 'object' || o === null) return err(PaymentErrors.invalidRequest('options must be an object: { files?, repair?, fees?, onProgress?, concurrency? }', { path: 'options' }));
  const opts = o as ReconcileOptions;
  const files = checkFiles(opts.files);
  if (files.isErr()) return err(files.error);
  if (opts.repair !== undefined && typeof opts.repair !== 'boolean') return err(PaymentErrors.invalidRequest('options.repair must be true or false', { path: 'repair' }));
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') return err(PaymentErrors.invalidRequest('options.onProgress must be a function', { path: 'onProgress' }));
  if (opts.concurrency !== undefined && !whole(opts.concurrency, 1, 64)) return err(PaymentErrors.invalidRequest('options.concurrency must be a whole number from 1 to 64', { path: 'concurrency' }));
  const f = opts.fees as FeeSchedule | undefined;
  if (f !== undefined) {
    if (typeof f !== 'object' || f === null || !whole(f.basisPoints, 0, 10_000)) {
      return err(PaymentErrors.invalidRequest('options.fees.basisPoints must be a whole number of basis points from 0 to 10000 (50 = 0.5 %)', { path: 'fees.basisPoints' }));
    }
    for (const name of ['fixed', 'minimum', 'tolerance'] as const) {
      if (f[name] !== undefined && !whole(f[name], 0, Number.MAX_SAFE_INTEGER)) return err(PaymentErrors.invalidRequest(`options.fees.${name} must be a whole number of minor units, 0 or more`, { path: `fees.${name}` }));
    }
    if (f.rounding !== undefined && !['down', 'half-up', 'up'].includes(f.rounding)) {
      return err(PaymentErrors.invalidRequest('options.fees.rounding must be "down", "half-up" or "up"', { path: 'fees.rounding' }));
    }
  }
  return ok(opts);
}

/** What the reconciliation operations need of paykit: its context and the facade queries repairs call. */
export type ReconciliationContext = PaykitContext & RepairFacade;

/**
 * Reconciliation: the provider's statement of a day or a month against paykit's records, with the
 * evidence of both sides for every difference, totals per day, safe repair by verified queries,
 * and every run kept in the store.
 */
export class ReconciliationOps {
  readonly #ctx: ReconciliationContext;
  /** Periods with a run in progress in this paykit (`instance period`): a second run of one is refused. */
  readonly #running = new Set<string>();

  /** @internal */
  constructor(ctx: ReconciliationContext) {
    this.#ctx = ctx;
  }

  /**
   * Reconciles a period of an instance: reads the provider's statement (the given files, or the
   * provider's API), sorts its lines by order number on disk in bounded memory, walks the
   * instance's payments, refunds and payouts in the same order and compares each pair. Every
   * difference is a typed {@link Discrepancy} with the evidence of both sides; with `repair`, those
   * a verified query can settle are settled through `payments.query`, `refunds.query` or
   * `payouts.query` (the statement alone never changes a record). The run and its discrepancies
   * are stored: running a period again says what changed since the last run.
   *
   * @example
   * ```ts
   * const report = await paykit.reconciliation.run({ instance: 'shop', date: '2026-12-01' }, { files, repair: true });
   * if (report.isOk() && !report.value.clean) for (const d of report.value.discrepancies) console.log(d.kind, d.message);
   * ```
   */
  run(period: ReconciliationPeriod, options: ReconcileOptions = {}): PayResultAsync<ReconciliationReport> {
    return guardAsync('reconcile', () => {
      const p = checkPeriod(period);
      if (p.isErr()) return errAsync(p.error);
      const o = checkOptions(options);
      if (o.isErr()) return errAsync(o.error);
      const svc = this.#ctx.service('statements', 'reconcile', p.value.instance);
      if (svc.isErr()) return errAsync(svc.error);
      const providerId = svc.value.instance.plugin.id;
      const source = sourceOf(svc.value.service, p.value, o.value.files, this.#ctx.store);
      if (source.isErr()) return errAsync(source.error);
      const key = `${p.value.instance} ${p.value.value}`;
      if (this.#running.has(key)) {
        return errAsync(PaymentErrors.conflict(`a reconciliation of ${p.value.instance} ${p.value.value} is already running in this process; run it again when that one ends`, { retryable: true }));
      }
      this.#running.add(key);
      return new ResultAsync((async (): Promise<PayResult<ReconciliationReport>> => {
        let renew: ReturnType<typeof setInterval> | undefined;
        try {
          const begun = await beginRun(this.#ctx, p.value, RUN_LEASE_MS);
          if (begun.isErr()) return err(begun.error);
          renew = setInterval(() => void renewRun(this.#ctx, p.value, RUN_LEASE_MS), RUN_RENEW_MS);
          renew.unref();
          const r = await this.#run(p.value, o.value, providerId, begun.value.run, begun.value.previous, source.value);
          if (r.isErr()) {
            const failed = await failRun(this.#ctx, p.value, r.error.message);
            if (failed.isErr()) safeLog(this.#ctx.logger, 'warn', 'reconciliation: could not record the failed run', { instance: p.value.instance, period: p.value.value, error: failed.error.message });
          }
          return r;
        } finally {
          clearInterval(renew);
          this.#running.delete(key);
        }
      })());
    });
  }

  async #run(
    period: CheckedPeriod, options: ReconcileOptions, providerId: string, run: number, previous: number | undefined,
    source: import('../plugin/capabilities.js').StatementSource,
  ): Promise<PayResult<ReconciliationReport>> {
    const { store, clock } = this.#ctx;
    const startedAt = clock.now().toISOString();
    const listed: DiscrepancyDraft[] = [];
    const byKind = emptyKindCounts();
    let found = 0;
    const emit = (d: DiscrepancyDraft): void => {
      found += 1;
      byKind[d.kind] += 1;
      if (listed.length < MAX_LISTED_DISCREPANCIES) listed.push(d);
    };
    let last = 0;
    const progress = (phase: ReconcileProgress['phase'], lines: number, records: number, force = false): void => {
      if (options.onProgress === undefined) return;
      const now = Date.now();
      if (!force && now - last < 2000) return;
      last = now;
      try {
        options.onProgress({ phase, lines, records, discrepancies: found });
      } catch {
        // A progress callback that throws must not end the run.
      }
    };
    // A statement past one run is sorted on a worker thread: this one reads it and walks the ledger.
    const statementSorter = new ExternalSorter<PackedLine>({ runSize: 50_000, thread: true });
    const payoutSorter = new ExternalSorter<LedgerItem>();
    try {
      progress('statement', 0, 0, true);
      const read = await readStatement(source, period, statementSorter, emit, (n) => progress('statement', n, 0));
      if (read.isErr()) return err(read.error);
      progress('ledger', read.value.lines, 0, true);
      const matched = await matchStatement({
        statement: statementSorter.sorted(),
        ledger: {
          payment: () => walkLedger(store, 'payment', period),
          refund: () => walkLedger(store, 'refund', period),
          payout: () => this.#sortedPayouts(period, payoutSorter),
        },
        payment: (orderId) => store.get<StoredPayment>('payment', orderId).map((v) => (v === undefined ? undefined : paymentItem({ id: orderId, ...v }, period))),
        ...(options.fees !== undefined ? { fees: options.fees } : {}),
        emit,
        onProgress: (lines, records) => progress('ledger', lines, records),
      });
      if (matched.isErr()) return err(matched.error);
      let repairs = new Map<string, RepairOutcome>();
      if (options.repair === true) {
        progress('repair', matched.value.lines, matched.value.recordsWalked, true);
        repairs = await repairAll(this.#ctx, listed, options.concurrency ?? 4);
      }
      progress('store', matched.value.lines, matched.value.recordsWalked, true);
      const recorded = await recordFindings(this.#ctx, period, run, previous, listed.map((draft) => ({ draft, ...(repairs.has(draft.id) ? { repair: repairs.get(draft.id) as RepairOutcome } : {}) })));
      if (recorded.isErr()) return err(recorded.error);
      const discrepancies = recorded.value.discrepancies;
      const unlisted = found - listed.length;
      const repaired = discrepancies.filter((d) => d.state === 'repaired').length;
      const resolved = discrepancies.filter((d) => d.state === 'resolved').length;
      const open = discrepancies.filter((d) => d.state === 'open').length + unlisted;
      const report: ReconciliationReport = {
        instance: period.instance, providerId, period: { kind: period.kind, value: period.value, from: period.from, to: period.to }, run,
        startedAt, finishedAt: clock.now().toISOString(), repair: options.repair === true, sources: read.value.origins,
        counts: {
          statementLines: read.value.lines, outsidePeriod: read.value.outsidePeriod, recordsWalked: matched.value.recordsWalked,
          recordsInPeriod: matched.value.recordsInPeriod, matched: matched.value.matched, discrepancies: found, open, repaired, resolved, byKind,
        },
        days: matched.value.days, selfChecks: read.value.selfChecks, discrepancies, unlisted, changes: recorded.value.changes, clean: open === 0,
      };
      const stored = await finishRun(this.#ctx, period, report);
      if (stored.isErr()) return err(stored.error);
      safeLog(this.#ctx.logger, open === 0 ? 'info' : 'warn', 'reconciliation finished', {
        instance: period.instance, period: period.value, run, lines: read.value.lines, discrepancies: found, open, repaired,
      });
      return ok(report);
    } catch (e) {
      return err(toPaymentError(e, 'reconcile'));
    } finally {
      await statementSorter.close();
      await payoutSorter.close();
    }
  }

  /** The instance's payouts in provider order number order (their ids may sort otherwise): sorted on disk. */
  async *#sortedPayouts(period: CheckedPeriod, sorter: ExternalSorter<LedgerItem>): AsyncGenerator<PayResult<LedgerItem[]>> {
    for await (const page of walkLedger(this.#ctx.store, 'payout', period)) {
      if (page.isErr()) {
        yield err(page.error);
        return;
      }
      for (const item of page.value) await sorter.add(0, item.key, item);
    }
    for await (const batch of sorter.sorted()) yield ok(batch.map((i) => i.value));
  }

  /**
   * The latest run of a period, with each discrepancy's state as it is now (resolved since, say);
   * `undefined` when the period was never reconciled.
   *
   * @example
   * ```ts
   * const last = await paykit.reconciliation.get({ instance: 'shop', date: '2026-12-01' });
   * ```
   */
  get(period: ReconciliationPeriod): PayResultAsync<ReconciliationReport | undefined> {
    return guardAsync('reconciliation.get', () => {
      const p = checkPeriod(period);
      if (p.isErr()) return errAsync(p.error);
      const { store } = this.#ctx;
      return readPeriod(store, p.value).andThen((rec) => {
        if (rec?.lastRun === undefined) return okAsync(undefined);
        return readRun(store, p.value, rec.lastRun).andThen((report) => {
          if (report === undefined) return okAsync(undefined);
          return ResultAsync.fromSafePromise(currentStates(store, p.value)).andThen((states) => {
            if (states.isErr()) return errAsync(states.error);
            const discrepancies = report.discrepancies.map((d) => {
              const now = states.value.get(d.id);
              return now?.status === 'resolved' ? { ...d, state: 'resolved' as const, ...(now.resolution ? { resolution: now.resolution } : {}) } as Discrepancy : d;
            });
            const open = discrepancies.filter((d) => d.state === 'open').length + report.unlisted;
            const resolved = discrepancies.filter((d) => d.state === 'resolved').length;
            return okAsync({ ...report, discrepancies, counts: { ...report.counts, open, resolved }, clean: open === 0 });
          });
        });
      });
    });
  }

  /**
   * Marks a discrepancy resolved with a note saying what was done (checked with the provider,
   * recorded by hand…): it no longer counts as open, in this run or the next.
   *
   * @example
   * ```ts
   * await paykit.reconciliation.resolve({ instance: 'shop', date: '2026-12-01' }, '3f2a…', 'fee refunded by LianLian, ticket 1234');
   * ```
   */
  resolve(period: ReconciliationPeriod, discrepancyId: string, note: string): PayResultAsync<Discrepancy> {
    return guardAsync('reconciliation.resolve', () => {
      const p = checkPeriod(period);
      if (p.isErr()) return errAsync(p.error);
      if (typeof discrepancyId !== 'string' || !/^[0-9a-f]{16}$/.test(discrepancyId)) {
        return errAsync(PaymentErrors.invalidRequest('the discrepancy id is the 16 hex digits the report shows', { path: 'id' }));
      }
      if (typeof note !== 'string' || note.trim().length === 0 || note.length > 2000) {
        return errAsync(PaymentErrors.invalidRequest('say what was done in the note (1 to 2000 characters)', { path: 'note' }));
      }
      return resolveDiscrepancy(this.#ctx, p.value, discrepancyId, note.trim());
    });
  }

  /**
   * Every discrepancy a period ever had (listed runs keep up to 10 000), with where it stands now,
   * read from the store a page at a time.
   */
  async *discrepancies(period: ReconciliationPeriod): AsyncIterable<PayResult<Discrepancy & { readonly status: 'open' | 'fixed' | 'repaired' | 'resolved' }>> {
    const p = guard('reconciliation.discrepancies', () => checkPeriod(period));
    if (p.isErr()) {
      yield err(p.error);
      return;
    }
    try {
      for await (const page of discrepancyRecords(this.#ctx.store, p.value)) {
        if (page.isErr()) {
          yield err(page.error);
          return;
        }
        for (const r of page.value) yield ok({ ...r.value.discrepancy, status: r.value.status });
      }
    } catch (e) {
      yield err(toPaymentError(e, 'reconciliation.discrepancies') as PaymentError);
    }
  }
}
