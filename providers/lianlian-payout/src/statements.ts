/**
 * LianLian payout statements: the FKMX (付款明细) files of spec 5.1/5.3, read with the LianLian
 * statement parser. FKMX is the payout instance's file: each payout paid, and a payout whose money
 * came back (a status 5 line, negative, under the original order number), as negative payout
 * entries. LianLian publishes the files on its merchant site and over SFTP only.
 */
import { inject, injectable } from 'inversify';
import { err, errAsync } from 'neverthrow';
import {
  PaymentErrors, Tokens, type DayRange, type PayResult, type PayResultAsync, type Statement, type StatementEntry, type StatementFile,
  type StatementSource, type StatementSourceRequest, type StatementsCapability,
} from '@paykit/core';
import { lianlianStatementSource, parseStatement, reconciliationEntryOf } from '@paykit/provider-lianlian-web';
import type { LianlianPayoutOptions } from './config.js';
import { PROVIDER_ID } from './client.js';

/** Statements of the LianLian payout plugin: FKMX files parsed, and the period's for reconciliation. */
@injectable()
export class LianlianPayoutStatements implements StatementsCapability {
  readonly #partnerId: string;

  /** Built by the container (the instance's merchant number names its files). */
  constructor(@inject(Tokens.InstanceConfig) options: unknown) {
    this.#partnerId = (options as Partial<LianlianPayoutOptions> | undefined)?.oidPartner ?? '';
  }

  /** Parses an FKMX file line by line: payouts positive, returned payouts negative. */
  async *parse(file: StatementFile): AsyncIterable<PayResult<StatementEntry>> {
    for await (const r of parseStatement(file)) yield r.map((e) => reconciliationEntryOf(e, 'payouts', file?.name ?? ''));
  }

  /** Always `Unsupported`: the files come from the merchant site or SFTP, then go to {@link parse}. */
  fetch(range: DayRange): PayResultAsync<Statement> {
    return errAsync(PaymentErrors.unsupported(
      'statements.fetch',
      `LianLian has no statement API: download FKMX_<oid_partner>_${String(range?.from ?? 'YYYYMMDD')}.txt over SFTP or from the merchant site after 08:00 China time, then pass it to statements.parse`,
      { providerId: PROVIDER_ID },
    ));
  }

  /** The period's FKMX lines for reconciliation, from the files given; without files, `Unsupported`. */
  source(request: StatementSourceRequest): PayResult<StatementSource> {
    if (request.files === undefined) {
      return err(PaymentErrors.unsupported(
        'statements.source',
        `LianLian has no statement API: reconcile payouts with the day's FKMX_${this.#partnerId}_${request.range.from}.txt (options.files, paykit reconcile --file), `
        + 'fetched over SFTP by @paykit/statements-sftp or downloaded from the merchant site',
        { providerId: PROVIDER_ID },
      ));
    }
    return lianlianStatementSource(request.files, request.range, { family: 'payouts', partnerId: this.#partnerId });
  }
}
