/** Batch order query v1.6 (spec 3.3/3.4) as a statement: every paid order of a day range. */
import { inject, injectable } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import {
  guard, cstDaysOf, decodeText, decodeWith, formatCstDate, guardAsync, md5Hex, parseCst, PaymentErrors, Tokens, type CurrencyCode, type DayRange,
  type HttpTransport, type PayResult, type PayResultAsync, type RefundsCapability, type Statement, type StatementDiscrepancy, type StatementEntry,
  type StatementFile, type StatementSelfCheck, type StatementSource, type StatementSourceRequest, type StatementsCapability,
} from '@paykit/core';
import { settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
import { errorReplyOf, isErrorReply, PATHS, postForm, PROVIDER_ID } from './http.js';
import { wireAmount } from './mapping.js';
import { batchSignedText, md5SignMsg, verifyCertificateSignature } from './signer.js';
import { BatchDetail, BatchHeader, BatchQuery, recordOf, type WireOf } from './wire.js';

/** One verified page of a batch query reply. */
export interface BatchPage {
  /** The header line. */
  readonly header: WireOf<typeof BatchHeader.fields>;
  /** The detail lines. */
  readonly details: readonly WireOf<typeof BatchDetail.fields>[];
  /** The text whose MD5 was signed (header and details, each followed by `\r\n`). */
  readonly signedText: string;
}

const MAX_REPLY_CHARS = 4_000_000;

/**
 * Decodes and verifies one batch query reply: base64 of UTF-8 text with a header line, detail lines,
 * a blank line and a signature line; the signature is SHA1withRSA over the uppercase MD5 hex of
 * the header and details (README "Batch query v1.6"). `ERRORCODE=` replies become typed errors.
 */
export function parseBatchReply(body: string, settings: AllinpaySettings): PayResult<BatchPage> {
  return guard('allinpay-mobile.parseBatchReply', () => {
    const raw = body.trim();
    if (isErrorReply(raw)) return err(errorReplyOf(raw, 'batch query'));
    const compact = raw.replace(/\s+/g, '');
    if (compact.length === 0 || compact.length > MAX_REPLY_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
      return err(PaymentErrors.decode('batch query reply is not base64 text (spec 3.4: replies are base64-encoded)', { providerId: PROVIDER_ID }));
    }
    if (compact.length % 4 !== 0) return err(PaymentErrors.decode('batch query reply is truncated: its base64 length is not a multiple of 4', { providerId: PROVIDER_ID }));
    return decodeText(Buffer.from(compact, 'base64'), 'UTF-8').andThen((text) => {
      if (isErrorReply(text.trim())) return err(errorReplyOf(text.trim(), 'batch query'));
      const lines = text.split(/\r?\n/);
      while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
      const blank = lines.findIndex((l) => l.trim() === '');
      if (blank < 1 || blank !== lines.length - 2) {
        return err(PaymentErrors.decode('batch query reply has no signature line: expected header, details, a blank line and the signature', { providerId: PROVIDER_ID }));
      }
      const header = lines[0] as string;
      const detailLines = lines.slice(1, blank);
      const signature = (lines[lines.length - 1] as string).trim();
      if (settings.certificate === undefined) {
        return err(PaymentErrors.invalidConfig('batch query replies are certificate-signed: set "certificate" to Allinpay\'s certificate', { providerId: PROVIDER_ID, path: 'certificate' }));
      }
      const signedText = batchSignedText(header, detailLines);
      if (!verifyCertificateSignature(md5Hex(signedText, 'upper'), settings.certificate, signature)) {
        return err(PaymentErrors.signature('batch query reply failed certificate verification: check Allinpay\'s certificate', { providerId: PROVIDER_ID }));
      }
      const headerRec = recordOf(BatchHeader, header);
      if (headerRec === undefined) return err(PaymentErrors.decode('batch query header has fewer than 4 fields (merchant|count|page|Y/N)', { providerId: PROVIDER_ID }));
      return decodeWith(BatchHeader.codec, headerRec, 'batch.header', 'reply').andThen((h) => {
        if (h.hasNext !== 'Y' && h.hasNext !== 'N') return err(PaymentErrors.decode(`batch query header says next page "${h.hasNext}": expected Y or N`, { providerId: PROVIDER_ID }));
        const details: WireOf<typeof BatchDetail.fields>[] = [];
        for (const [i, line] of detailLines.entries()) {
          const rec = recordOf(BatchDetail, line.trim());
          if (rec === undefined) return err(PaymentErrors.decode(`batch query detail ${i + 1} has fewer than the 10 fields of spec 3.4`, { providerId: PROVIDER_ID }));
          const d = decodeWith(BatchDetail.codec, rec, `batch.detail${i + 1}`, 'reply');
          if (d.isErr()) return err(d.error);
          details.push(d.value);
        }
        return ok({ header: h, details, signedText });
      });
    });
  });
}

/**
 * A verified page, when every line of it is the instance's merchant's (spec 3.4: the header and
 * each detail line start with 商户号); another merchant's page is a Decode error.
 */
function checkBatchMerchant(page: BatchPage, merchantId: string): PayResult<BatchPage> {
  const other = page.header.merchantId !== merchantId ? page.header.merchantId : page.details.find((d) => d.merchantId !== merchantId)?.merchantId;
  return other === undefined ? ok(page)
    : err(PaymentErrors.decode(`batch query reply lists merchant ${other}, not ${merchantId}`, { providerId: PROVIDER_ID }));
}

/** A paid detail line (处理结果 1) as a statement entry. */
export function entryOf(d: WireOf<typeof BatchDetail.fields>, currency: CurrencyCode): PayResult<StatementEntry> {
  return wireAmount(d.orderAmount, currency, 'orderAmount').map((amount) => {
    const paid = payTimeOf(d.payDatetime);
    return {
      // Spec 3.4: a detail line states no currency; the amount is read in the instance's currency.
      kind: 'payment' as const, orderId: d.orderNo, providerTransactionId: d.paymentOrderId, amount, providerStatus: d.payResult, currencyStated: false,
      ...(paid.at !== undefined ? { occurredAt: paid.at } : {}), ...(paid.day !== undefined ? { settleDate: paid.day } : {}),
    };
  });
}

/**
 * A batch line's pay time (spec 3.4): `yyyyMMddHHmmss` as the table of 2.2.3 gives it, or the
 * `yyyy-MM-dd` of the spec's own example (a date only: no instant is made up), or
 * `yyyy-MM-dd HH:mm:ss`. Anything else leaves both out rather than failing the line.
 */
function payTimeOf(text: string): { readonly at?: Date; readonly day?: string } {
  const digits = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(text) ? text.replace(/\D/g, '') : text;
  const parsed = parseCst(digits, 'payDatetime');
  if (parsed.isErr()) return {};
  return digits.length === 14 ? { at: parsed.value, day: digits.slice(0, 8) } : { day: digits };
}

/** A verified page read for reconciliation: its paid lines, and its differences with itself. */
interface PageEntries {
  readonly entries: readonly StatementEntry[];
  readonly discrepancies: readonly StatementDiscrepancy[];
}

/**
 * A verified page's paid lines as statement entries, and its differences with itself: a header
 * count that differs from the lines received, and each line not paid. `where` names the page in
 * the differences (`20240101 page 1`, a saved file's name).
 */
function pageEntriesOf(page: BatchPage, currency: CurrencyCode, where: string): PayResult<PageEntries> {
  const entries: StatementEntry[] = [];
  const discrepancies: StatementDiscrepancy[] = page.header.count === String(page.details.length) ? []
    : [{ field: `count ${where}`, expected: page.header.count, actual: String(page.details.length) }];
  for (const d of page.details) {
    // Spec 3.4: the batch query lists paid orders only, and 处理结果 is 1 (paid) or 0 (not paid).
    // A line that is not 1 (0, or a value the spec does not define) proves no payment: it is no
    // entry, and it is reported rather than failing the page, so the rest of the day is still checked.
    if (d.payResult !== '1') {
      discrepancies.push({ field: `处理结果 of order ${d.orderNo} (batch query ${where})`, expected: '1 (the batch query lists paid orders only)', actual: d.payResult });
      continue;
    }
    const e = entryOf(d, currency);
    if (e.isErr()) return err(e.error);
    entries.push(e.value);
  }
  return ok({ entries, discrepancies });
}

/** One verified page of a day's batch query, with its paid lines as statement entries. */
export interface BatchQueryPage extends BatchPage {
  /** The China-time day queried, `YYYYMMDD`. */
  readonly day: string;
  /** The page number asked for (from 1). */
  readonly pageNo: number;
  /** The paid detail lines (处理结果 1) as statement entries, in reply order. */
  readonly entries: readonly StatementEntry[];
  /** A header count that differs from the lines received, and each line not paid (处理结果 other than 1). */
  readonly discrepancies: readonly StatementDiscrepancy[];
}

/** Allinpay statements from the batch order query. */
@injectable()
export class AllinpayStatements implements StatementsCapability {
  readonly #settings: AllinpaySettings;

  readonly #refunds: RefundsCapability;

  /**
   * Built by the plugin's container for one instance.
   *
   * @param options instance options; @param transport HTTP; @param refunds the instance's refund queries.
   */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(Tokens.Transport) private readonly transport: HttpTransport,
    @inject(Tokens.Refunds) refunds: RefundsCapability,
  ) {
    this.#settings = settingsOf(options as AllinpayOptions);
    this.#refunds = refunds;
  }

  /**
   * The batch query v1.6 of every day of the range, one page at a time (spec 3.3/3.4): the next
   * page is asked for only when the reader takes the next item, so memory holds one page (at most
   * 500 lines) whatever the day's volume. A page that cannot be fetched, verified or read is
   * yielded as an error and ends the iteration.
   *
   * @example
   * ```ts
   * const statements = paykit.extension('app', Tokens.Statements)._unsafeUnwrap() as AllinpayStatements;
   * for await (const page of statements.pages({ from: '20240101', to: '20240101' })) {
   *   if (page.isErr()) throw new Error(page.error.message);
   *   for (const entry of page.value.entries) reconcile(entry);
   * }
   * ```
   */
  async *pages(range: DayRange): AsyncIterable<PayResult<BatchQueryPage>> {
    const days = cstDaysOf(range, 31, 'a batch query range covers at most 31 days (Allinpay queries one day at a time)');
    if (days.isErr()) {
      yield err(days.error);
      return;
    }
    for (const day of days.value) {
      for (let pageNo = 1; ; pageNo += 1) {
        if (pageNo > 99) {
          yield err(PaymentErrors.decode(`batch query of ${day} still says "Y" after page 99 (pageNo has 2 digits)`, { providerId: PROVIDER_ID }));
          return;
        }
        const page = await guardAsync('allinpay-mobile.statements.pages', () => this.#page(day, pageNo));
        yield page;
        if (page.isErr()) return;
        if (page.value.header.hasNext !== 'Y') break;
      }
    }
  }

  /** Queries every day of the range, page by page until the header says "N" ({@link AllinpayStatements.pages}). */
  fetch(range: DayRange): PayResultAsync<Statement> {
    return guardAsync('allinpay-mobile.statements.fetch', () => new ResultAsync((async (): Promise<PayResult<Statement>> => {
      const entries: StatementEntry[] = [];
      const discrepancies: StatementDiscrepancy[] = [];
      for await (const page of this.pages(range)) {
        if (page.isErr()) return err(page.error);
        entries.push(...page.value.entries);
        discrepancies.push(...page.value.discrepancies);
      }
      return ok({ providerId: PROVIDER_ID, from: range.from, to: range.to, entries, discrepancies });
    })()));
  }

  #page(day: string, pageNo: number): PayResultAsync<BatchQueryPage> {
    const fields: Record<string, string> = {
      version: 'v1.6', merchantId: this.#settings.merchantId, beginDateTime: `${day}00`, endDateTime: `${day}23`,
      pageNo: String(pageNo), signType: '1',
    };
    const signMsg = md5SignMsg(fields, BatchQuery.order, this.#settings.md5Key).signature;
    return postForm(this.transport, this.#settings, PATHS.batchQuery, { ...fields, signMsg }, 'query', 'batchQuery')
      .andThen((text) => parseBatchReply(text, this.#settings))
      .andThen((p) => checkBatchMerchant(p, this.#settings.merchantId))
      .andThen((p) => pageEntriesOf(p, this.#settings.currency, `${day} page ${pageNo}`).map((read) => ({ ...p, day, pageNo, ...read })));
  }

  /**
   * The statement for reconciliation: the paid orders of the batch query v1.6 (the saved pages
   * given, or the API's pages of the range), then the refunds paykit recorded in the range as the
   * refund query v2.4 answers for each (spec 3.7/3.8): one refund line for each the provider says
   * it refunded (the batch query lists payments only). A refund the provider has no record of, or
   * has not finished, gives no line. Each page, fetched or saved, is checked against itself (its
   * header count, its lines not paid). A page or a refund query that fails ends the statement: the
   * run fails rather than report what it could not check.
   */
  source(request: StatementSourceRequest): PayResult<StatementSource> {
    const checks: StatementSelfCheck[] = [];
    const origins: string[] = [];
    const self = this;
    async function* batches(): AsyncGenerator<PayResult<StatementEntry>[]> {
      if (request.files !== undefined) {
        for (const f of request.files) {
          const page = await self.#savedEntries(f);
          if (page.isErr()) {
            yield [err(page.error)];
            return;
          }
          origins.push(f.name);
          checks.push({ source: f.name, differences: page.value.discrepancies });
          yield page.value.entries.map((e) => ok({ ...e, source: f.name }));
        }
      } else {
        for await (const page of self.pages(request.range)) {
          if (page.isErr()) {
            yield [err(page.error)];
            return;
          }
          const source = `batch query ${page.value.day} page ${page.value.pageNo}`;
          origins.push(source);
          checks.push({ source, differences: page.value.discrepancies });
          yield page.value.entries.map((e) => ok({ ...e, source }));
        }
      }
      let refunds = 0;
      for await (const r of request.refunds()) {
        if (r.isErr()) {
          yield [err(r.error)];
          return;
        }
        const req = r.value;
        const answer = await guardAsync('allinpay-mobile.statements.source', () => self.#refunds.query(req));
        if (answer.isErr()) {
          if (answer.error.kind === 'NotFound') continue;
          yield [err(answer.error)];
          return;
        }
        refunds += 1;
        if (answer.value.status !== 'succeeded') continue;
        const at = req.requestedAt ?? new Date(Number.NaN);
        yield [ok({
          kind: 'refund', orderId: req.payment.orderId, refundId: req.refundId, amount: { amount: -answer.value.amount.amount, currency: answer.value.amount.currency },
          ...(Number.isNaN(at.getTime()) ? {} : { settleDate: formatCstDate(at) }),
          ...(answer.value.providerStatus !== undefined ? { providerStatus: answer.value.providerStatus } : {}),
          ...(answer.value.providerRefundId !== undefined ? { providerTransactionId: answer.value.providerRefundId } : {}),
          source: `refund query ${req.refundId}`,
        })];
      }
      if (refunds > 0) origins.push(`refund query (${refunds} refunds)`);
    }
    return ok({ batches: batches(), origins: () => origins, checks: () => ResultAsync.fromSafePromise(Promise.resolve(checks)) });
  }

  /**
   * Parses a saved batch query reply (one page, as received: base64 text), after verifying it:
   * its paid lines (处理结果 1). {@link AllinpayStatements.source} also reports its lines not paid
   * and its header count.
   */
  async *parse(file: StatementFile): AsyncIterable<PayResult<StatementEntry>> {
    const page = await this.#savedEntries(file);
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    for (const e of page.value.entries) yield ok(e);
  }

  /** Reads and verifies a saved page, then reads its lines as a fetched page's are. */
  async #savedEntries(file: StatementFile): Promise<PayResult<PageEntries>> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of file.content) {
        size += c.length;
        if (size > MAX_REPLY_CHARS) return err(PaymentErrors.invalidRequest(`${file.name} is larger than one batch query page can be`, { path: 'file' }));
        chunks.push(Buffer.from(c));
      }
    } catch (e) {
      return err(PaymentErrors.internal(`reading ${file.name} failed`, { cause: e }));
    }
    return parseBatchReply(Buffer.concat(chunks).toString('latin1'), this.#settings)
      .andThen((p) => checkBatchMerchant(p, this.#settings.merchantId))
      .andThen((p) => pageEntriesOf(p, this.#settings.currency, file.name));
  }
}
