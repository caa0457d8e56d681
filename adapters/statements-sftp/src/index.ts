/**
 * `@paykit/statements-sftp`: fetches LianLian reconciliation files (JYMX, FKMX, JYMXSUM; spec
 * section 5) from LianLian's SFTP server (integration guide 九, 方式二) into a local directory, with
 * the host key pinned, resumable downloads and bounded retries, and streams them from disk into
 * the `@paykit/provider-lianlian-web` statement parser, or into `paykit.reconcile`
 * ({@link reconcileOverSftp}).
 *
 * @example
 * ```ts
 * import { Secret } from '@paykit/core';
 * import { fetchStatementFiles, parseFetchedStatement, reconcileStatementDay } from '@paykit/statements-sftp';
 *
 * const connection = {
 *   host: 'sftp.example', port: 22, username: 'merchant',
 *   privateKey: new Secret(process.env.LL_SFTP_KEY ?? ''),
 *   hostKeySha256: 'SHA256:…', // ssh-keygen -lf of the key LianLian states
 * };
 * const day = await reconcileStatementDay({ connection, localDir: './statements', partnerId: '201408071000001543', period: '20240101' });
 * if (day.isErr()) console.error(day.error.message); // retryable when day.error.retryable
 * else if (day.value.discrepancies.length > 0) alert(day.value.discrepancies);
 *
 * const month = await fetchStatementFiles({ connection, localDir: './statements', partnerId: '201408071000001543', period: '202401' });
 * if (month.isOk()) for (const file of month.value) for await (const r of parseFetchedStatement(file)) if (r.isOk()) book(r.value);
 * ```
 *
 * @packageDocumentation
 */
export { fetchStatementFiles, type FetchedStatementFile } from './fetch.js';
export { parseFetchedStatement, reconcileStatementDay, type LocalStatementFile, type ReconcileStatementDayOptions, type StatementDayReconciliation } from './parse.js';
export type { FetchStatementOptions, RetryOptions, SftpConnectionOptions } from './options.js';
export { hostKeyFingerprint } from './host-key.js';
export { reconcileOverSftp, type ReconcileOverSftpOptions } from './reconcile.js';
