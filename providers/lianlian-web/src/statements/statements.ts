import { injectable } from 'inversify';
import { errAsync } from 'neverthrow';
import {
  PaymentErrors, type DayRange, type PayResult, type PayResultAsync, type Statement, type StatementEntry, type StatementFile,
  type StatementsCapability,
} from '@paykit/core';
import { parseStatement } from './parser.js';

/**
 * Statements capability of the LianLian web plugin. `parse` streams JYMX/FKMX files (either
 * layout, GBK or UTF-8 detected per file); `fetch` is unsupported: LianLian publishes the files
 * on its merchant site and over SFTP only (spec 5, integration guide 九).
 *
 * @example
 * ```ts
 * for await (const r of paykit.statements.parse({ name: 'JYMX_201403251000001147_20140528.txt', content })) { … }
 * ```
 */
@injectable()
export class LianlianWebStatements implements StatementsCapability {
  /** Parses a JYMX or FKMX file line by line; each bad line is an error value with its line number. */
  parse(file: StatementFile): AsyncIterable<PayResult<StatementEntry>> {
    return parseStatement(file);
  }

  /** Always `Unsupported`: statements are fetched over SFTP by an adapter, then given to {@link parse}. */
  fetch(range: DayRange): PayResultAsync<Statement> {
    return errAsync(PaymentErrors.unsupported(
      'statements.fetch',
      `LianLian has no statement API: download JYMX_<oid_partner>_${String(range?.from ?? 'YYYYMMDD')}.txt (and JYMXSUM_…) over SFTP or from the merchant site after 08:00 China time, then pass each file to statements.parse`,
      { providerId: 'lianlian-web' },
    ));
  }
}
