// fetchStatementFiles: log in, list, pick the period's files by name, download each (resuming
// parts), and start over from where things stopped after a dropped connection or a stall, a
// bounded number of times with doubling waits.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { err, ok, type ResultAsync } from 'neverthrow';
import { guardAsync, PaymentErrors, type PaymentError, type PayResult } from '@paykit/core';
import type { StatementFileKind } from '@paykit/provider-lianlian-web';
import { changedRemotely, downloadFile } from './download.js';
import { alreadyComplete, local, removeStaleParts } from './local-files.js';
import { checkFetchOptions, type CheckedFetchOptions, type FetchStatementOptions } from './options.js';
import { selectStatementFiles } from './select.js';
import { SftpSession, type RemoteEntry } from './session.js';

/** A reconciliation file present, complete, in the local directory. */
export interface FetchedStatementFile {
  /** File name as published (`JYMX_<oid_partner>_<YYYYMMDD>.txt`, …). */
  readonly name: string;
  /** Local path of the complete file. */
  readonly path: string;
  /** Size in bytes (checked against the server's). */
  readonly size: number;
  /** What the name says: family, daily or monthly, merchant, days covered. */
  readonly kind: StatementFileKind;
  /** false when the file was complete locally already and nothing was read from the server. */
  readonly downloaded: boolean;
  /**
   * Byte at which this download started: non-zero when it resumed a part left by a dropped
   * connection; equal to `size` when nothing was read.
   */
  readonly resumedFrom: number;
}

/** What carries over from one attempt to the next within a fetch. */
interface FetchProgress {
  /** Each file as first listed: a later listing that differs means the file changed. */
  readonly listed: Map<string, RemoteEntry>;
  /** Files finished so far. */
  readonly finished: Map<string, FetchedStatementFile>;
}

function isTransient(e: PaymentError): boolean {
  return e.kind === 'Network' || e.kind === 'Timeout';
}

async function attempt(o: CheckedFetchOptions, progress: FetchProgress): Promise<PayResult<FetchedStatementFile[]>> {
  const opened = await SftpSession.open(o.connection);
  if (opened.isErr()) return err(opened.error);
  const session = opened.value;
  try {
    const listing = await session.list(o.remoteDir);
    if (listing.isErr()) return err(listing.error);
    const selected = selectStatementFiles(listing.value, o);
    if (selected.length === 0) {
      const what = o.period.length === 8 ? `settlement day ${o.period}` : `month ${o.period}`;
      return err(PaymentErrors.notFound(
        `no reconciliation file of merchant ${o.partnerId} for ${what} in ${o.remoteDir} (${listing.value.length} entries there): `
        + 'LianLian publishes a day\'s files before 08:00 China time the next day and a month\'s on the 1st (spec 5.7); check partnerId, period and remoteDir',
        { retryable: true, path: 'period' },
      ));
    }
    for (const { entry, kind } of selected) {
      if (progress.finished.has(entry.name)) continue;
      const first = progress.listed.get(entry.name);
      if (first !== undefined && (first.size !== entry.size || first.mtime !== entry.mtime)) return changedRemotely(first, entry);
      progress.listed.set(entry.name, entry);
      const base = { name: entry.name, size: entry.size, kind };
      if (await alreadyComplete(o.localDir, entry)) {
        progress.finished.set(entry.name, { ...base, path: join(o.localDir, entry.name), downloaded: false, resumedFrom: entry.size });
        continue;
      }
      const cleaned = await removeStaleParts(o.localDir, entry);
      if (cleaned.isErr()) return err(cleaned.error);
      const got = await downloadFile(session, o.remoteDir, o.localDir, entry, o);
      if (got.isErr()) return err(got.error);
      progress.finished.set(entry.name, { ...base, path: got.value.path, downloaded: true, resumedFrom: got.value.resumedFrom });
    }
    return ok(selected.map(({ entry }) => progress.finished.get(entry.name) as FetchedStatementFile));
  } finally {
    await session.close();
  }
}

/**
 * Downloads a settlement day's (`YYYYMMDD`) or a month's (`YYYYMM`) reconciliation files of one
 * merchant from LianLian's SFTP server into a local directory, selected by name (spec 5.1, 5.3,
 * 5.5). The server's host key must match `connection.hostKeySha256` before anything is sent.
 * Each file is written to a `.part` file, resumed from where it stopped after a dropped
 * connection or a stall (up to `retry.attempts` connections, with doubling waits), checked
 * against the server's size and renamed into place; files already complete locally are not read
 * again. Errors: `Network` and `Timeout` (retryable: running it again resumes), `Signature`
 * (host key), `ProviderRejected` (login refused), `InvalidConfig`, `NotFound` (no file yet),
 * `Conflict` (a file changed while it was read). No message holds a password or key.
 *
 * @example
 * ```ts
 * const files = await fetchStatementFiles({
 *   connection: { host: 'sftp.example', username: 'merchant', privateKey: new Secret(key), hostKeySha256: 'SHA256:…' },
 *   remoteDir: '/download', localDir: './statements', partnerId: '201408071000001543', period: '20240101',
 * });
 * if (files.isOk()) for (const f of files.value) console.log(f.name, f.size, f.downloaded);
 * ```
 */
export function fetchStatementFiles(options: FetchStatementOptions): ResultAsync<FetchedStatementFile[], PaymentError> {
  return guardAsync('statements-sftp.fetchStatementFiles', async () => {
    const checked = checkFetchOptions(options);
    if (checked.isErr()) return err(checked.error);
    const o = checked.value;
    const made = await local(`creating ${o.localDir}`, () => mkdir(o.localDir, { recursive: true }));
    if (made.isErr()) return err(made.error);
    const progress: FetchProgress = { listed: new Map(), finished: new Map() };
    let last: PaymentError | undefined;
    for (let n = 1; n <= o.attempts; n += 1) {
      if (n > 1) await sleep(Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** (n - 2)));
      const r = await attempt(o, progress);
      if (r.isOk() || !isTransient(r.error)) return r;
      last = r.error;
    }
    const e = last as PaymentError;
    return err({ ...e, message: `${e.message} (gave up after ${o.attempts} connections; run the fetch again later to resume)` });
  });
}
