// Streaming parser of JYMX / FKMX detail files (spec 5.1–5.4 and the pipe layout of specs/README.md).
import { err } from 'neverthrow';
import { PaymentErrors, toPaymentError, type CurrencyCode, type PayResult, type StatementFile } from '@paykit/core';
import { statementFileKind } from './file-name.js';
import { detectLayout, lineContext, parseStatementLine, type LianlianStatementEntry, type StatementLayout } from './line.js';
import { readLineBatches, type StatementEncoding } from './lines.js';

/** How to read a statement file. */
export interface StatementParseOptions {
  /** Declared encoding, or `auto` (default): UTF-8 when the bytes are valid UTF-8, else GBK. */
  readonly encoding?: StatementEncoding;
  /** Line layout, or `auto` (default): decided by the first data line and kept for the file. */
  readonly layout?: StatementLayout | 'auto';
  /** Currency of amounts that carry none (the comma layout is in RMB yuan, spec 5.2). Default CNY. */
  readonly currency?: CurrencyCode;
}

// Some exports start with a column header; data lines never start with these words.
const HEADER = /^\s*(no_order|商户订单号)/;

/**
 * Parses a JYMX (transactions) or FKMX (payouts) file, daily or monthly, streaming: one result per
 * line, in file order, memory bounded by the longest line. A bad line is an error value naming
 * its line number, and parsing carries on with the next line. Summary files (JYMXSUM) are read
 * by {@link readStatementSummary} instead.
 *
 * @example
 * ```ts
 * for await (const r of parseStatement({ name: 'JYMX_201403251000001147_20140528.txt', content })) {
 *   if (r.isOk()) book(r.value); else report(r.error); // r.error.path is "line 12.money_order"
 * }
 * ```
 */
export async function* parseStatement(file: StatementFile, options: StatementParseOptions = {}): AsyncGenerator<PayResult<LianlianStatementEntry>> {
  const kind = statementFileKind(file?.name);
  if (kind.isErr()) {
    yield err(kind.error);
    return;
  }
  if (kind.value.family === 'summary') {
    yield err(PaymentErrors.invalidRequest(
      `${file.name} is a summary file (spec 5.6) with totals, not lines: read it with readStatementSummary / checkStatementSummary`,
      { path: 'name' },
    ));
    return;
  }
  const ctx = lineContext(kind.value.family, options.currency ?? 'CNY');
  let layout: StatementLayout | undefined = options.layout === 'auto' ? undefined : options.layout;
  let seenData = false;
  let lastLine = 0;
  try {
    // One batch of lines per chunk read: a single async step per chunk, not per line.
    for await (const batch of readLineBatches(file.content, options.encoding ?? 'auto')) {
      for (const line of batch) {
        if (line.isErr()) {
          yield err(line.error);
          continue;
        }
        const { text, lineNo } = line.value;
        lastLine = lineNo;
        if (text.trim() === '') continue;
        if (!seenData && HEADER.test(text)) continue;
        seenData = true;
        layout ??= detectLayout(text);
        yield parseStatementLine(text, lineNo, layout, ctx);
      }
    }
  } catch (e) {
    // Only a bug can land here; it ends the stream as a value, never as a throw.
    yield err(toPaymentError(e, `parsing ${file.name} after line ${lastLine}`));
  }
}
