import { inject, injectable } from 'inversify';
import { err, errAsync } from 'neverthrow';
import {
  PaymentErrors, Tokens, type DayRange, type PayResult, type PayResultAsync, type Statement, type StatementEntry, type StatementFile,
  type StatementSource, type StatementSourceRequest, type StatementsCapability,
} from '@paykit/core';
import type { LianlianWebOptions } from '../config.js';
import { parseStatement } from './parser.js';
import { lianlianStatementSource } from './source.js';

/**
 * Statements capability of the LianLian web plugin. `parse` streams JYMX/FKMX files (either
 * layout, GBK or UTF-8 detected per file); `fetch` is unsupported: LianLian publishes the files
 * on its merchant site and over SFTP only (spec 5, integration guide 九); `source` gives
 * reconciliation the JYMX lines of the period among the files handed over (fetched over SFTP by
 * `@paykit/statements-sftp`, or downloaded), checked against the day's JYMXSUM.
 *
 * @example
 * ```ts
 * for await (const r of paykit.statements.parse({ name: 'JYMX_201403251000001147_20140528.txt', content })) { … }
 * ```
 */
@injectable()
export class LianlianWebStatements implements StatementsCapability {
  readonly #partnerId: string;

  /** Built by the container (with the instance's options: its merchant number names its files). */
  constructor(@inject(Tokens.InstanceConfig) options?: unknown) {
    this.#partnerId = (options as Partial<LianlianWebOptions> | undefined)?.oidPartner ?? '';
  }

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

  /**
   * The period's JYMX lines for reconciliation, from the files given (see
   * `lianlianStatementSource`): payments and refunds; the merchant's own settlements and
   * withdrawals as adjustments. Without files: `Unsupported`, saying how to get them.
   */
  source(request: StatementSourceRequest): PayResult<StatementSource> {
    if (request.files === undefined) {
      return err(PaymentErrors.unsupported(
        'statements.source',
        `LianLian has no statement API: reconcile with the day's JYMX_${this.#partnerId}_${request.range.from}.txt and JYMXSUM_… files (options.files, paykit reconcile --file), `
        + 'fetched over SFTP by @paykit/statements-sftp (reconcileOverSftp) or downloaded from the merchant site',
        { providerId: 'lianlian-web' },
      ));
    }
    return lianlianStatementSource(request.files, request.range, { family: 'transactions', partnerId: this.#partnerId });
  }
}
