// Fetched files into the LianLian statement parser, streamed from disk (memory does not grow with
// the file), and a day's reconciliation: details totalled and checked against JYMXSUM (spec 5.6).
import { createReadStream } from 'node:fs';
import { err, ok, type ResultAsync } from 'neverthrow';
import { guardAsync, PaymentErrors, type PaymentError, type PayResult, type StatementDiscrepancy, type StatementFile } from '@paykit/core';
import {
  addToStatementTotals, checkStatementSummary, emptyStatementTotals, parseStatement, type LianlianStatementEntry, type StatementParseOptions,
  type StatementSummary, type StatementTotals,
} from '@paykit/provider-lianlian-web';
import { fetchStatementFiles, type FetchedStatementFile } from './fetch.js';
import type { FetchStatementOptions } from './options.js';

/** A local statement file: its published name (which says what it holds) and where it is. */
export interface LocalStatementFile {
  /** Published name, e.g. `JYMX_201408071000001543_20240101.txt`. */
  readonly name: string;
  /** Local path. */
  readonly path: string;
}

/** Reads a local file in 64 KiB chunks, remembering why reading stopped if it failed. */
function streamFromDisk(file: LocalStatementFile): { file: StatementFile; failure: () => unknown } {
  let failure: unknown;
  async function* content(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of createReadStream(file.path, { highWaterMark: 64 * 1024 })) yield chunk as Buffer;
    } catch (e) {
      failure = e;
      throw e;
    }
  }
  return { file: { name: file.name, content: content() }, failure: () => failure };
}

function unreadable(file: LocalStatementFile, e: unknown): PaymentError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'error';
  return code === 'ENOENT'
    ? PaymentErrors.notFound(`${file.path} is missing: fetch ${file.name} again`, { path: 'path' })
    : PaymentErrors.invalidConfig(`${file.path} cannot be read (${code})`, { path: 'path', cause: e });
}

/**
 * Streams a fetched JYMX or FKMX file from disk into the LianLian parser: one result per line, in
 * file order, in memory bounded by the read chunk and the longest line. A file that cannot be
 * read ends the stream with a `NotFound` or `InvalidConfig` error value; nothing is thrown.
 *
 * @example
 * ```ts
 * for await (const r of parseFetchedStatement(file)) {
 *   if (r.isOk()) book(r.value); else report(r.error); // r.error.path is "line 12.money_order"
 * }
 * ```
 */
export async function* parseFetchedStatement(file: LocalStatementFile, options: StatementParseOptions = {}): AsyncGenerator<PayResult<LianlianStatementEntry>> {
  const { file: stream, failure } = streamFromDisk(file);
  for await (const r of parseStatement(stream, options)) {
    const e = failure();
    if (e !== undefined) {
      yield err(unreadable(file, e));
      return;
    }
    yield r;
  }
}

/** What {@link reconcileStatementDay} found. */
export interface StatementDayReconciliation {
  /** The day's files, as fetched. */
  readonly files: readonly FetchedStatementFile[];
  /** What JYMXSUM states. */
  readonly summary: StatementSummary;
  /** Totals of the JYMX lines, checked against the summary. */
  readonly transactions: StatementTotals;
  /** Totals of the FKMX lines, when the day has a payout file (JYMXSUM does not cover them). */
  readonly payouts: StatementTotals | undefined;
  /** Every difference between the summary and the details, and payout lines that did not parse; empty when all agree. */
  readonly discrepancies: readonly StatementDiscrepancy[];
}

/** Options of {@link reconcileStatementDay}: a fetch of one settlement day (all three families), and how to parse. */
export interface ReconcileStatementDayOptions extends Omit<FetchStatementOptions, 'families'> {
  /** Passed to the parser (encoding, layout, currency); both are detected per file by default. */
  readonly parse?: StatementParseOptions;
}

function only(files: readonly FetchedStatementFile[], family: FetchedStatementFile['kind']['family']): PayResult<FetchedStatementFile | undefined> {
  const found = files.filter((f) => f.kind.family === family);
  if (found.length > 1) {
    return err(PaymentErrors.conflict(`the server holds ${found.map((f) => f.name).join(' and ')} for the same day: keep one (the .csv names came with spec revision 1.9) or reconcile each with parseFetchedStatement`, { path: 'period' }));
  }
  return ok(found[0]);
}

/**
 * Fetches a settlement day's JYMX, FKMX and JYMXSUM files (see {@link fetchStatementFiles}),
 * streams the JYMX lines from disk into the parser, totals them and checks them against the
 * JYMXSUM summary (spec 5.6); FKMX lines are parsed and totalled too. Integer arithmetic only.
 *
 * @example
 * ```ts
 * const day = await reconcileStatementDay({ connection, localDir: './statements', partnerId, period: '20240101' });
 * if (day.isOk() && day.value.discrepancies.length > 0) alert(day.value.discrepancies);
 * ```
 */
export function reconcileStatementDay(options: ReconcileStatementDayOptions): ResultAsync<StatementDayReconciliation, PaymentError> {
  return guardAsync('statements-sftp.reconcileStatementDay', async () => {
    if (typeof options?.period !== 'string' || !/^\d{8}$/.test(options.period)) {
      return err(PaymentErrors.invalidRequest('period must be a settlement day YYYYMMDD: JYMXSUM summaries are daily (spec 5.5)', { path: 'period' }));
    }
    const fetched = await fetchStatementFiles({ ...options, families: ['transactions', 'payouts', 'summary'] });
    if (fetched.isErr()) return err(fetched.error);
    const files = fetched.value;
    const details = only(files, 'transactions');
    const summaryFile = only(files, 'summary');
    const payoutFile = only(files, 'payouts');
    for (const r of [details, summaryFile, payoutFile]) if (r.isErr()) return err(r.error);
    const [jymx, sum] = [details._unsafeUnwrap(), summaryFile._unsafeUnwrap()];
    if (jymx === undefined || sum === undefined) {
      const missing = jymx === undefined ? `JYMX_${options.partnerId}_${options.period}.txt` : `JYMXSUM_${options.partnerId}_${options.period}.txt`;
      return err(PaymentErrors.notFound(`${missing} is not on the server yet: LianLian publishes it before 08:00 China time the next day (spec 5.7)`, { retryable: true, path: 'period' }));
    }
    const parse = options.parse ?? {};
    const summaryStream = streamFromDisk(sum);
    const summaryOptions = { ...(parse.encoding === undefined ? {} : { encoding: parse.encoding }), ...(parse.currency === undefined ? {} : { currency: parse.currency }) };
    const check = await checkStatementSummary(summaryStream.file, parseFetchedStatement(jymx, parse), summaryOptions);
    if (check.isErr()) return err(summaryStream.failure() === undefined ? check.error : unreadable(sum, summaryStream.failure()));
    const discrepancies = [...check.value.discrepancies];
    const payout = payoutFile._unsafeUnwrap();
    let payouts: StatementTotals | undefined;
    if (payout !== undefined) {
      payouts = emptyStatementTotals(parse.currency ?? 'CNY');
      for await (const r of parseFetchedStatement(payout, parse)) addToStatementTotals(payouts, r, options.period);
      if (payouts.lineErrors > 0) discrepancies.push({ field: 'payouts.lineErrors', expected: '0', actual: String(payouts.lineErrors) });
      for (const [day, n] of payouts.otherDays) discrepancies.push({ field: 'payouts.settleDate', expected: options.period, actual: `${day} (${n} lines)` });
    }
    return ok({ files, summary: check.value.summary, transactions: check.value.totals, payouts, discrepancies });
  });
}
