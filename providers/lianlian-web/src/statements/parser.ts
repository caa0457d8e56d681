// Streaming parser of JYMX / FKMX detail files (spec 5.1–5.4 and the pipe layout of specs/README.md).
import { err } from 'neverthrow';
import { PaymentErrors, toPaymentError, type CurrencyCode, type PayResult, type StatementFile } from '@paykit/core';
import { statementFileKind } from './file-name.js';
import { isSpace } from './fields.js';
import { detectLayout, StatementLineParser, type LianlianStatementEntry, type LineContext, type StatementLayout } from './line.js';
import { lineTooLong, MAX_LINE_BYTES, readByteRuns, readLineRuns, type ByteRun, type LineRun, type StatementEncoding } from './lines.js';

/** How to read a statement file. */
export interface StatementParseOptions {
  /** Declared encoding, or `auto` (default): UTF-8 when the bytes are valid UTF-8, else GBK. */
  readonly encoding?: StatementEncoding;
  /** Line layout, or `auto` (default): decided by the first data line and kept for the file. */
  readonly layout?: StatementLayout | 'auto';
  /** Currency of amounts that carry none (the comma layout is in RMB yuan, spec 5.2). Default CNY. */
  readonly currency?: CurrencyCode;
  /**
   * How lines are read: `bytes` (default) reads the columns in the bytes and decodes only the
   * text columns once the encoding is known; `text` decodes every line first. Both give the same
   * results (test/statements-bytes.test.ts); `text` is the slower reference.
   */
  readonly reader?: 'bytes' | 'text';
}

// Some exports start with a column header; data lines never start with these words.
const HEADER = /^\s*(no_order|商户订单号)/;

/** Reads the lines of one file into entries: skips blank and header lines, fixes the layout. */
class FileLines {
  readonly #parser: StatementLineParser;
  #layout: StatementLayout | undefined;
  #seenData = false;
  // Runs left to read as text: the byte form pays a decoder call per text column that differs
  // from the previous line's, so files whose descriptions all differ read faster decoded whole.
  #textRuns = 0;
  #backoff = TEXT_RUNS;

  constructor(ctx: LineContext, layout: StatementLayout | undefined) {
    this.#parser = new StatementLineParser(ctx);
    this.#layout = layout;
  }

  /** Adds the entry (or error) of the line `text[start, end)` to `out`, unless the line is blank or a header. */
  line(text: string, start: number, end: number, lineNo: number, out: PayResult<LianlianStatementEntry>[]): void {
    let s = start;
    while (s < end && isSpace(text.charCodeAt(s))) s += 1;
    if (s === end) return;
    let layout = this.#layout;
    if (layout === undefined || !this.#seenData) {
      const line = text.slice(start, end);
      if (!this.#seenData && HEADER.test(line)) return;
      this.#seenData = true;
      layout ??= detectLayout(line);
      this.#layout = layout;
    }
    out.push(this.#parser.parse(text, start, end, lineNo, layout));
  }

  /** The entries of one run of lines. */
  run(run: LineRun | ByteRun): PayResult<LianlianStatementEntry>[] {
    if (run.kind === 'bytes') {
      if (this.#textRuns === 0) return this.#bytes(run);
      this.#textRuns -= 1;
      return this.run(run.source.textRun(run.bytes, run.firstLine));
    }
    const out: PayResult<LianlianStatementEntry>[] = [];
    if (run.kind === 'lines') {
      for (const line of run.lines) {
        if (line.isErr()) out.push(err(line.error));
        else this.line(line.value.text, 0, line.value.text.length, line.value.lineNo, out);
      }
      return out;
    }
    const { text } = run;
    let lineNo = run.firstLine;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start), lineNo += 1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      if (end - start > MAX_LINE_BYTES) out.push(lineTooLong(lineNo));
      else this.line(text, start, end, lineNo, out);
      start = nl + 1;
    }
    return out;
  }

  /** The entries of a run of line bytes: each clean line read from its bytes, the others decoded. */
  #bytes(run: ByteRun): PayResult<LianlianStatementEntry>[] {
    const { bytes, source } = run;
    // One character per byte: positions in the view are positions in the bytes.
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const out: PayResult<LianlianStatementEntry>[] = [];
    const [layoutBefore, seenBefore] = [this.#layout, this.#seenData];
    const decodesBefore = this.#parser.textDecodes;
    let lineDecodes = 0;
    let lineNo = run.firstLine;
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start), lineNo += 1) {
      const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
      // A line too long in bytes may not be in characters: the text run decides, as it always has.
      if (end - start > MAX_LINE_BYTES) {
        this.#layout = layoutBefore;
        this.#seenData = seenBefore;
        return this.run(source.textRun(bytes, run.firstLine));
      }
      const seen = lineNo - run.firstLine;
      if (seen >= 16 && (seen & 7) === 0 && (this.#parser.textDecodes - decodesBefore + lineDecodes) * 4 > seen) {
        // More than one decoder call per four lines: read the rest decoded whole, and the next
        // runs too (longer each time the byte form proves costly again).
        this.#textRuns = this.#backoff;
        this.#backoff = Math.min(this.#backoff * 2, 1024);
        for (const r of this.run(source.textRun(bytes.subarray(start), lineNo))) out.push(r);
        return out;
      }
      const first = bytes[start] as number;
      const clean = this.#layout !== undefined && this.#seenData && end > start && first > 0x20 && first < 0x80;
      const r = clean ? this.#parser.parseBytes(bytes, view, start, end, lineNo, this.#layout as StatementLayout, source) : undefined;
      if (r !== undefined) {
        out.push(r);
      } else {
        lineDecodes += 1;
        const text = source.decodeLine(bytes.subarray(start, end), lineNo);
        if (text.isErr()) out.push(err(text.error));
        else this.line(text.value, 0, text.value.length, lineNo, out);
      }
      start = nl + 1;
    }
    this.#backoff = TEXT_RUNS;
    return out;
  }
}

/** How many runs are read decoded whole after the first run that needed many decoder calls. */
const TEXT_RUNS = 8;

/**
 * Parses a JYMX (transactions) or FKMX (payouts) file, daily or monthly, streaming: one array of
 * results per chunk read, holding one result per line in file order; memory is bounded by the
 * chunk and the longest line. A bad line is an error value naming its line number, and parsing
 * carries on with the next line. This is the fast form (one async step per chunk, not per line)
 * for bulk work such as reconciling a day's SFTP download; {@link parseStatement} gives the
 * same results one at a time.
 *
 * @example
 * ```ts
 * for await (const batch of parseStatementBatches({ name: 'JYMX_201403251000001147_20140528.txt', content })) {
 *   for (const r of batch) if (r.isOk()) book(r.value); else report(r.error); // r.error.path is "line 12.money_order"
 * }
 * ```
 */
export async function* parseStatementBatches(file: StatementFile, options: StatementParseOptions = {}): AsyncGenerator<PayResult<LianlianStatementEntry>[]> {
  const kind = statementFileKind(file?.name);
  if (kind.isErr()) {
    yield [err(kind.error)];
    return;
  }
  if (kind.value.family === 'summary') {
    yield [err(PaymentErrors.invalidRequest(
      `${file.name} is a summary file (spec 5.6) with totals, not lines: read it with readStatementSummary / checkStatementSummary`,
      { path: 'name' },
    ))];
    return;
  }
  const lines = new FileLines({ family: kind.value.family, currency: options.currency ?? 'CNY', partnerId: kind.value.partnerId }, options.layout === 'auto' ? undefined : options.layout);
  let runs = 0;
  try {
    const reader = options.reader === 'text' ? readLineRuns : readByteRuns;
    for await (const run of reader(file.content, options.encoding ?? 'auto')) {
      runs += 1;
      const out = lines.run(run);
      if (out.length > 0) yield out;
    }
  } catch (e) {
    // Only a bug can land here; it ends the stream as a value, never as a throw.
    yield [err(toPaymentError(e, `parsing ${file.name} after ${runs} chunks`))];
  }
}

/**
 * Parses a JYMX (transactions) or FKMX (payouts) file, daily or monthly, streaming: one result per
 * line, in file order, memory bounded by the longest line. A bad line is an error value naming
 * its line number, and parsing carries on with the next line. Summary files (JYMXSUM) are read
 * by {@link readStatementSummary} instead. {@link parseStatementBatches} gives the same results
 * a chunk at a time, faster.
 *
 * @example
 * ```ts
 * for await (const r of parseStatement({ name: 'JYMX_201403251000001147_20140528.txt', content })) {
 *   if (r.isOk()) book(r.value); else report(r.error); // r.error.path is "line 12.money_order"
 * }
 * ```
 */
export async function* parseStatement(file: StatementFile, options: StatementParseOptions = {}): AsyncGenerator<PayResult<LianlianStatementEntry>> {
  for await (const batch of parseStatementBatches(file, options)) yield* batch;
}
