/**
 * Example Pay statements: a day's lines from the signed `/statement` API, a page at a time, or
 * from saved replies. Each page is verified before any line of it is read; a line that does not
 * decode is reported with its number and reading goes on.
 */
import { inject, injectable } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import {
  cstDaysOf, decodeWith, guardAsync, parseCst, PaymentErrors, type DayRange, type PayResult, type PayResultAsync, type Statement,
  type StatementDiscrepancy, type StatementEntry, type StatementFile, type StatementSelfCheck, type StatementSource,
  type StatementSourceRequest, type StatementsCapability,
} from '@paykit/core';
import { ExampleApi } from './api.js';
import { fromWireAmount } from './mapping.js';
import { verifyFields } from './signer.js';
import { parseFlatJson, STATEMENT_LINE_FIELDS, StatementLine, StatementReply, type StatementReply as Reply } from './wire.js';

/** One verified page of a day's statement, with its lines as entries. */
export interface ExampleStatementPage {
  /** The day, `YYYYMMDD`. */
  readonly date: string;
  /** The page number. */
  readonly page: number;
  /** Whether another page follows. */
  readonly hasMore: boolean;
  /** The lines, in page order (a line that does not decode is an error with its number). */
  readonly entries: readonly PayResult<StatementEntry>[];
  /** Where the page came from (for reports). */
  readonly source: string;
  /** A stated count that differs from the lines the page holds. */
  readonly differences: readonly StatementDiscrepancy[];
}

/** A statement line as an entry; errors name the page and line. */
export function lineEntry(text: string, lineNo: number, source: string): PayResult<StatementEntry> {
  const fail = (problem: string): PayResult<never> => err(PaymentErrors.decode(`line ${lineNo} of ${source}: ${problem}`, { path: `line ${lineNo}`, providerId: 'example' }));
  const cols = text.split('|');
  if (cols.length !== STATEMENT_LINE_FIELDS.length) return fail(`has ${cols.length} |-separated fields; a statement line has ${STATEMENT_LINE_FIELDS.length}`);
  const record = Object.fromEntries(STATEMENT_LINE_FIELDS.map((k, i) => [k, cols[i]]));
  const decoded = decodeWith(StatementLine, record, `statement line ${lineNo}`, 'reply');
  if (decoded.isErr()) return fail(decoded.error.message);
  const l = decoded.value;
  const amount = fromWireAmount(l.amount.replace(/^-/, ''), l.currency, undefined, 'amount');
  const fee = fromWireAmount(l.fee.replace(/^-/, ''), l.currency, undefined, 'fee');
  const at = parseCst(l.time, 'time');
  if (amount.isErr()) return fail(amount.error.message);
  if (fee.isErr()) return fail(fee.error.message);
  if (at.isErr()) return fail(at.error.message);
  const sign = (s: string, m: { amount: number; currency: StatementEntry['amount']['currency'] }) => ({ amount: s.startsWith('-') ? -m.amount : m.amount, currency: m.currency });
  if (l.type === 'REFUND' && (l.refund_no === '' || !l.amount.startsWith('-'))) return fail('a REFUND line carries its refund number and a negative amount');
  if (l.type !== 'REFUND' && l.amount.startsWith('-')) return fail(`a ${l.type} line carries no negative amount`);
  return ok({
    kind: l.type === 'PAYMENT' ? 'payment' : l.type === 'REFUND' ? 'refund' : 'adjustment',
    orderId: l.order_no, amount: sign(l.amount, amount.value), fee: sign(l.fee, fee.value), occurredAt: at.value, providerStatus: l.type,
    line: lineNo, source,
    ...(l.refund_no !== '' ? { refundId: l.refund_no } : {}), ...(l.payment_id !== '' ? { providerTransactionId: l.payment_id } : {}),
  });
}

/** The lines of a verified page. */
function pageOf(reply: Reply, source: string): ExampleStatementPage {
  const texts = reply.lines === '' ? [] : reply.lines.split('\n');
  const entries = texts.map((text, i) => lineEntry(text, i + 1, source));
  const differences = reply.count === String(texts.length) ? [] : [{ field: `count ${reply.date} page ${reply.page}`, expected: reply.count, actual: String(texts.length) }];
  return { date: reply.date, page: Number(reply.page), hasMore: reply.has_more === 'Y', entries, source, differences };
}

/**
 * Example Pay's statements: `parse` reads a saved `/statement` reply (verified with the merchant
 * key), `fetch` and `pages` ask the API, and `source` gives reconciliation either.
 */
@injectable()
export class ExampleStatements implements StatementsCapability {
  readonly #api: ExampleApi;

  /** Built by the container. */
  constructor(@inject(ExampleApi) api: ExampleApi) {
    this.#api = api;
  }

  /**
   * The statement of every day of the range, one verified page at a time: the next page is asked
   * for only when the reader takes it. A page that cannot be fetched or verified is yielded as an
   * error and ends the iteration.
   */
  async *pages(range: DayRange): AsyncIterable<PayResult<ExampleStatementPage>> {
    const days = cstDaysOf(range, 31, 'a statement range covers at most 31 days (Example Pay answers one day at a time)');
    if (days.isErr()) {
      yield err(days.error);
      return;
    }
    for (const day of days.value) {
      for (let page = 1; ; page += 1) {
        if (page > 999) {
          yield err(PaymentErrors.decode(`the statement of ${day} still has more after page 999`, { providerId: 'example' }));
          return;
        }
        const o = this.#api.options;
        const reply = await guardAsync('example.statements.pages', () => this.#api.call('/statement', { merchant_id: o.merchantId, date: day, page: String(page) }, StatementReply, { kind: 'query' }));
        if (reply.isErr()) {
          yield err(reply.error);
          return;
        }
        if (reply.value.date !== day || reply.value.page !== String(page) || reply.value.merchant_id !== o.merchantId) {
          yield err(PaymentErrors.decode(`example/statement reply is about ${reply.value.merchant_id} ${reply.value.date} page ${reply.value.page}, not ${day} page ${page}`, { providerId: 'example' }));
          return;
        }
        const p = pageOf(reply.value, `statement ${day} page ${page}`);
        yield ok(p);
        if (!p.hasMore) break;
      }
    }
  }

  /** Every page of the range, its lines as one statement; a line that does not decode fails it. */
  fetch(range: DayRange): PayResultAsync<Statement> {
    return guardAsync('example.statements.fetch', () => new ResultAsync((async (): Promise<PayResult<Statement>> => {
      const entries: StatementEntry[] = [];
      const discrepancies: StatementDiscrepancy[] = [];
      for await (const page of this.pages(range)) {
        if (page.isErr()) return err(page.error);
        for (const e of page.value.entries) {
          if (e.isErr()) return err(e.error);
          entries.push(e.value);
        }
        discrepancies.push(...page.value.differences);
      }
      return ok({ providerId: 'example', from: range.from, to: range.to, entries, discrepancies });
    })()));
  }

  /** Reads a saved `/statement` reply (one page, as received), after verifying its signature. */
  async *parse(file: StatementFile): AsyncIterable<PayResult<StatementEntry>> {
    const page = await this.#read(file);
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    yield* page.value.entries;
  }

  async #read(file: StatementFile): Promise<PayResult<ExampleStatementPage>> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of file.content) {
        size += c.length;
        if (size > 64 * 1024) return err(PaymentErrors.invalidRequest(`${file.name} is larger than a statement page can be`, { path: 'file' }));
        chunks.push(Buffer.from(c));
      }
    } catch (e) {
      return err(PaymentErrors.invalidConfig(`${file.name} cannot be read`, { path: 'file', cause: e }));
    }
    const key = this.#api.options.key;
    return parseFlatJson(new Uint8Array(Buffer.concat(chunks)), file.name)
      .andThen((wire) => verifyFields(wire, key, file.name).map(() => wire))
      .andThen((wire) => decodeWith(StatementReply, wire, file.name, 'reply'))
      .map((reply) => pageOf(reply, file.name));
  }

  /**
   * The statement for reconciliation: the saved pages given (read in turn), or the API's pages of
   * the range; each page's stated count is checked against its lines.
   */
  source(request: StatementSourceRequest): PayResult<StatementSource> {
    const checks: StatementSelfCheck[] = [];
    const origins: string[] = [];
    const self = this;
    async function* batches(): AsyncGenerator<PayResult<StatementEntry>[]> {
      if (request.files !== undefined) {
        for (const f of request.files) {
          const page = await self.#read(f);
          if (page.isErr()) {
            yield [err(page.error)];
            return;
          }
          origins.push(f.name);
          checks.push({ source: f.name, differences: page.value.differences });
          yield [...page.value.entries];
        }
        return;
      }
      for await (const page of self.pages(request.range)) {
        if (page.isErr()) {
          yield [err(page.error)];
          return;
        }
        origins.push(page.value.source);
        checks.push({ source: page.value.source, differences: page.value.differences });
        yield [...page.value.entries];
      }
    }
    return ok({ batches: batches(), origins: () => origins, checks: () => ResultAsync.fromSafePromise(Promise.resolve(checks)) });
  }
}
