// reconcileOverSftp: a day's (or a month's) LianLian files fetched from the SFTP server into the
// local directory, then streamed from disk into paykit's reconciliation of the instance: its
// plugin picks what is its own by name (JYMX and JYMXSUM for LianLian web, FKMX for payouts).
import { createReadStream } from 'node:fs';
import { err, type ResultAsync } from 'neverthrow';
import {
  guardAsync, PaymentErrors, type Paykit, type PaymentError, type ReconcileOptions, type ReconciliationPeriod, type ReconciliationReport,
  type StatementFile,
} from '@paykit/core';
import { fetchStatementFiles } from './fetch.js';
import type { FetchStatementOptions } from './options.js';

/** What {@link reconcileOverSftp} fetches (all three families of the period unless told), and how it reconciles. */
export interface ReconcileOverSftpOptions extends Omit<FetchStatementOptions, 'period'>, Omit<ReconcileOptions, 'files'> {}

/**
 * Fetches the period's reconciliation files of a LianLian merchant over SFTP (see
 * `fetchStatementFiles`: host key pinned, resumable, retried) and reconciles the instance with
 * them (`paykit.reconcile` with the files streamed from the local directory). A day fetches the
 * daily files (`YYYYMMDD`), a month the monthly ones (`YYYYMM`).
 *
 * @example
 * ```ts
 * const report = await reconcileOverSftp(paykit, { instance: 'shop', date: '2026-12-01' }, {
 *   connection, localDir: './statements', partnerId: '201408071000001543', repair: true,
 * });
 * if (report.isOk() && !report.value.clean) alert(report.value.discrepancies);
 * ```
 */
export function reconcileOverSftp(paykit: Paykit, period: ReconciliationPeriod, options: ReconcileOverSftpOptions): ResultAsync<ReconciliationReport, PaymentError> {
  return guardAsync('statements-sftp.reconcileOverSftp', async () => {
    const p = period as { date?: unknown; month?: unknown };
    const text = typeof p?.date === 'string' ? p.date : typeof p?.month === 'string' ? p.month : undefined;
    if (text === undefined || !/^\d{4}-\d{2}(-\d{2})?$/.test(text)) {
      return err(PaymentErrors.invalidRequest('the period must be { instance, date: "YYYY-MM-DD" } or { instance, month: "YYYY-MM" }', { path: 'period' }));
    }
    const { repair, fees, onProgress, concurrency, ...fetch } = options;
    const fetched = await fetchStatementFiles({ ...fetch, period: text.replace(/-/g, '') });
    if (fetched.isErr()) return err(fetched.error);
    const files: StatementFile[] = fetched.value.map((f) => ({ name: f.name, content: createReadStream(f.path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array> }));
    return paykit.reconcile(period, {
      files,
      ...(repair !== undefined ? { repair } : {}), ...(fees !== undefined ? { fees } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}), ...(concurrency !== undefined ? { concurrency } : {}),
    });
  });
}
