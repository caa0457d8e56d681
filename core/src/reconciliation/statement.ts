// The statement's side of a reconciliation: the provider's source (or paykit's default over
// parse/fetch), each entry read as evidence and sorted to disk, unreadable lines and the
// provider's own checks turned into discrepancies.
import { err, ok, okAsync, ResultAsync } from 'neverthrow';
import type { StatementEntry } from '../domain/statement.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { toPaymentError, type PayResult } from '../errors/result.js';
import type { RefundRequest, StatementFile, StatementSelfCheck, StatementSource, StatementsCapability } from '../plugin/capabilities.js';
import { refundRequestOf } from '../facade/refunds.js';
import type { StoredPayment, StoredRefund } from '../facade/stored.js';
import type { Store } from '../ports/store.js';
import { discrepancyId, type DiscrepancyDraft } from './describe.js';
import type { ExternalSorter } from './external-sort.js';
import { NO_REFUND_NUMBER, RANK } from './match.js';
import { cstDay, type CheckedPeriod } from './period.js';
import { packEntry, type PackedLine } from './packed-line.js';

/** Whether an entry error is one unreadable line (reading goes on) rather than the end of the statement. */
export function isLineError(e: PaymentError): boolean {
  return typeof e.path === 'string' && e.path.startsWith('line ');
}

/**
 * The refunds of the instance requested in the period, as the requests a refund query takes
 * (walked in id order a page at a time; each one's payment read beside it).
 */
export async function* refundsInPeriod(store: Store, period: CheckedPeriod): AsyncGenerator<PayResult<RefundRequest>> {
  let after: string | undefined;
  for (;;) {
    const page = await store.listPage<StoredRefund>('refund', { limit: 500, ...(after !== undefined ? { after } : {}) });
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    for (const r of page.value) {
      const day = cstDay(r.value.requestedAt);
      if (r.value.instanceId !== period.instance || day === undefined || day < period.from || day > period.to) continue;
      const payment = await store.get<StoredPayment>('payment', r.value.orderId);
      if (payment.isErr()) {
        yield err(payment.error);
        return;
      }
      if (payment.value === undefined) continue;
      yield ok(refundRequestOf(r.value, payment.value.value));
    }
    const last = page.value.at(-1);
    if (page.value.length < 500 || last === undefined) return;
    after = last.id;
  }
}

/**
 * The statement source of a period: the provider's own, or else the given files read with
 * `parse`, or else `fetch`.
 */
export function sourceOf(service: StatementsCapability, period: CheckedPeriod, files: readonly StatementFile[] | undefined, store: Store): PayResult<StatementSource> {
  const refunds = () => refundsInPeriod(store, period);
  if (typeof service.source === 'function') {
    try {
      return service.source({ range: period.range, ...(files !== undefined ? { files } : {}), refunds });
    } catch (e) {
      return err(toPaymentError(e, 'statements.source'));
    }
  }
  if (files !== undefined) {
    async function* batches(): AsyncGenerator<PayResult<StatementEntry>[]> {
      for (const f of files ?? []) {
        let batch: PayResult<StatementEntry>[] = [];
        for await (const r of service.parse(f)) {
          batch.push(r.map((e) => (e.source === undefined ? { ...e, source: f.name } : e)));
          if (batch.length >= 1024) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      }
    }
    return ok({ batches: batches(), origins: () => (files ?? []).map((f) => f.name), checks: () => okAsync([]) });
  }
  let checks: readonly StatementSelfCheck[] = [];
  async function* fetched(): AsyncGenerator<PayResult<StatementEntry>[]> {
    const statement = await service.fetch(period.range);
    if (statement.isErr()) {
      yield [err(statement.error)];
      return;
    }
    checks = statement.value.discrepancies.length === 0 ? [] : [{ source: `statement ${period.range.from}-${period.range.to}`, differences: statement.value.discrepancies }];
    yield statement.value.entries.map((e) => ok(e));
  }
  return ok({ batches: fetched(), origins: () => [`statements.fetch ${period.range.from}-${period.range.to}`], checks: () => okAsync(checks) });
}

/** What reading the statement found. */
export interface StatementRead {
  /** Lines of the period read (and sorted). */
  readonly lines: number;
  /** Lines of other days, left out. */
  readonly outsidePeriod: number;
  /** Where they came from. */
  readonly origins: readonly string[];
  /** The provider's checks, and whether each agreed. */
  readonly selfChecks: readonly { readonly source: string; readonly agrees: boolean }[];
}

/**
 * Reads the statement into the sorter: every line of the period as evidence, keyed for the
 * matcher; an unreadable line and every difference of the provider's own checks become
 * discrepancies. Any other error ends the read: a partial statement is never reconciled.
 */
export function readStatement(
  source: StatementSource, period: CheckedPeriod, sorter: ExternalSorter<PackedLine>, emit: (d: DiscrepancyDraft) => void,
  onLine?: (lines: number) => void,
): ResultAsync<StatementRead, PaymentError> {
  return new ResultAsync((async (): Promise<PayResult<StatementRead>> => {
    let lines = 0;
    let outside = 0;
    try {
      for await (const batch of source.batches) {
        for (const r of batch) {
          if (r.isErr()) {
            if (!isLineError(r.error)) return err(r.error);
            const path = r.error.path as string;
            emit({
              kind: 'unreadable_line', id: discrepancyId('unreadable_line', path, r.error.message), path, error: r.error.message, repairable: false,
              message: `A statement line cannot be read: ${r.error.message}`,
              action: 'Fetch the statement again, or ask the provider for a corrected one: the line was not reconciled',
            });
            continue;
          }
          const e = packEntry(r.value);
          const day = e[8];
          if (day !== null && (day < period.from || day > period.to)) {
            outside += 1;
            continue;
          }
          const key = e[0] === 'refund' ? e[4] ?? `${NO_REFUND_NUMBER}${e[1]}` : e[1];
          const spill = sorter.add(RANK[e[0]] ?? RANK.adjustment, key, e);
          if (spill !== undefined) await spill;
          lines += 1;
        }
        onLine?.(lines);
      }
    } catch (e) {
      return err(toPaymentError(e, 'reading the statement'));
    }
    const checks = await source.checks();
    if (checks.isErr()) return err(checks.error);
    const selfChecks = checks.value.map((c) => ({ source: c.source, agrees: c.differences.length === 0 }));
    for (const c of checks.value) {
      for (const d of c.differences) {
        emit({
          kind: 'summary_mismatch', id: discrepancyId('summary_mismatch', c.source, d.field), source: c.source, difference: d, repairable: false,
          ...(period.kind === 'day' ? { day: period.from } : {}),
          message: `${c.source} says ${d.field} is ${d.expected}; the statement's lines give ${d.actual}`,
          action: 'The statement disagrees with its own summary: fetch it again, or ask the provider for a corrected one',
        });
      }
    }
    onLine?.(lines);
    return ok({ lines, outsidePeriod: outside, origins: source.origins(), selfChecks });
  })());
}

/** An `InvalidRequest` for files that are not `StatementFile`s. */
export function checkFiles(files: unknown): PayResult<readonly StatementFile[] | undefined> {
  if (files === undefined) return ok(undefined);
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'object' || f === null || typeof (f as StatementFile).name !== 'string'
    || typeof (f as StatementFile).content?.[Symbol.asyncIterator] !== 'function')) {
    return err(PaymentErrors.invalidRequest('options.files must be a list of { name, content } statement files (content an async iterable of bytes)', { path: 'files' }));
  }
  return ok(files as readonly StatementFile[]);
}

