// Streaming line reader for reconciliation files: bytes in, decoded lines out, in memory bounded
// by the longest line. Lines are cut at the byte 0x0A before decoding: in UTF-8 and in GBK/GB18030
// that byte is never part of a multibyte character (GBK trail bytes are 0x40–0xFE), so a character
// straddling two chunks is simply reassembled with its line. Each line is then decoded with a
// fatal TextDecoder: invalid bytes are a Decode error for that line, never replacement characters.
import { TextDecoder } from 'node:util';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult } from '@paykit/core';

/** How a file's bytes are decoded: a declared encoding, or `auto` (UTF-8 if valid, else GBK). */
export type StatementEncoding = 'UTF-8' | 'GBK' | 'GB2312' | 'GB18030' | 'auto';

/** One decoded line and its 1-based line number. */
export interface NumberedLine {
  /** 1-based line number in the file. */
  readonly lineNo: number;
  /** The text, without the line break (`\n` or `\r\n`). */
  readonly text: string;
}

/** Longest accepted line, in bytes: a file without line breaks cannot grow memory past this. */
export const MAX_LINE_BYTES = 64 * 1024;

const NL = 0x0a;
const CR = 0x0d;

type Label = 'utf-8' | 'gbk' | 'gb18030';

function labelOf(encoding: Exclude<StatementEncoding, 'auto'>): Label {
  return encoding === 'UTF-8' ? 'utf-8' : encoding === 'GB18030' ? 'gb18030' : 'gbk';
}

/** Decodes line bytes strictly; with `auto`, the first non-ASCII line fixes the encoding. */
class LineDecoder {
  #label: Label | undefined;
  readonly #decoders = new Map<Label, TextDecoder>();
  readonly #declared: StatementEncoding;

  constructor(encoding: StatementEncoding) {
    this.#declared = encoding;
    this.#label = encoding === 'auto' ? undefined : labelOf(encoding);
  }

  #decoder(label: Label): TextDecoder {
    let d = this.#decoders.get(label);
    if (d === undefined) {
      // ignoreBOM false: a UTF-8 byte order mark at the start of the file is dropped.
      d = new TextDecoder(label, { fatal: true });
      this.#decoders.set(label, d);
    }
    return d;
  }

  #try(label: Label, bytes: Uint8Array): string | undefined {
    try {
      return this.#decoder(label).decode(bytes);
    } catch {
      return undefined;
    }
  }

  /**
   * Decodes a run of whole lines (ending with a line break) in one call; undefined when any byte
   * is invalid, so the caller decodes line by line to name the bad ones.
   */
  decodeRun(bytes: Uint8Array): string | undefined {
    if (this.#label !== undefined) return this.#try(this.#label, bytes);
    const utf8 = this.#try('utf-8', bytes);
    if (utf8 !== undefined) {
      if (utf8.length !== bytes.length) this.#label = 'utf-8';
      return utf8;
    }
    const gbk = this.#try('gbk', bytes);
    if (gbk !== undefined) this.#label = 'gbk';
    return gbk;
  }

  decode(bytes: Uint8Array, lineNo: number): PayResult<string> {
    if (this.#label !== undefined) {
      const text = this.#try(this.#label, bytes);
      if (text !== undefined) return ok(text);
      const declared = this.#declared === 'auto' ? `${this.#label.toUpperCase()} (detected from earlier lines)` : this.#declared;
      return err(PaymentErrors.decode(
        `line ${lineNo}: bytes are not valid ${declared}: check the file's encoding (LianLian files are GBK or UTF-8)`,
        { path: `line ${lineNo}` },
      ));
    }
    const utf8 = this.#try('utf-8', bytes);
    if (utf8 !== undefined) {
      // Pure ASCII reads the same in both encodings: decide on the first line that is not.
      if (utf8.length !== bytes.length) this.#label = 'utf-8';
      return ok(utf8);
    }
    const gbk = this.#try('gbk', bytes);
    if (gbk !== undefined) {
      this.#label = 'gbk';
      return ok(gbk);
    }
    return err(PaymentErrors.decode(`line ${lineNo}: bytes are neither valid UTF-8 nor valid GBK`, { path: `line ${lineNo}` }));
  }

  /** The encoding once fixed (declared, or detected from an earlier non-ASCII line); undefined before. */
  get label(): Label | undefined {
    return this.#label;
  }

  /** Decodes bytes strictly in the fixed encoding; undefined when they are not valid in it (or none is fixed). */
  decodeFixed(bytes: Uint8Array): string | undefined {
    return this.#label === undefined ? undefined : this.#try(this.#label, bytes);
  }
}

/**
 * Strict decoding of a file whose encoding is fixed, for readers that work on the bytes and
 * decode only some columns.
 */
export interface LineSource {
  /** Whether the encoding is GBK or GB18030 (a byte 0x81–0xFE leads a character of two or four bytes). */
  readonly gbk: boolean;
  /** Decodes bytes strictly; undefined when they are not valid in the file's encoding. */
  decode(bytes: Uint8Array): string | undefined;
  /** Decodes one line strictly, or gives the Decode error naming it (the same one a text run gives). */
  decodeLine(bytes: Uint8Array, lineNo: number): PayResult<string>;
  /** The run decoded as {@link readLineRuns} gives it (for runs a byte reader cannot take). */
  textRun(bytes: Uint8Array, firstLine: number): LineRun;
}

function sourceOf(decoder: LineDecoder, gbk: boolean): LineSource {
  return {
    gbk,
    decode: (bytes) => decoder.decodeFixed(bytes),
    decodeLine: (bytes, lineNo) => decoder.decode(bytes, lineNo),
    textRun: (bytes, firstLine) => decodeRun(decoder, bytes, firstLine - 1)[0],
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * What one chunk read gives: the text of whole lines (each ending with `\n`, the `\r` before it
 * kept), decoded in one call, or, when some bytes are invalid or a line is too long, the lines
 * one by one with an error value for each bad one.
 */
export type LineRun =
  | {
    /** Decoded text of whole lines. */
    readonly kind: 'text';
    /** The lines, each ending with `\n` (a line may be longer than {@link MAX_LINE_BYTES}: check it). */
    readonly text: string;
    /** Line number of the first line of the text. */
    readonly firstLine: number;
  }
  | {
    /** Lines one by one. */
    readonly kind: 'lines';
    /** Each line, or its error. */
    readonly lines: PayResult<NumberedLine>[];
  };

/**
 * A run of whole lines (each ending with `\n`) left as bytes, once the file's encoding is fixed:
 * {@link readByteRuns} gives these so a reader can skip decoding what it does not need.
 */
export interface ByteRun {
  /** Bytes of whole lines. */
  readonly kind: 'bytes';
  /** The lines, each ending with `\n` (valid only until the next run is pulled). */
  readonly bytes: Uint8Array;
  /** Line number of the first line of the run. */
  readonly firstLine: number;
  /** Strict decoding in the file's encoding. */
  readonly source: LineSource;
}

/** Error value of a line longer than {@link MAX_LINE_BYTES}. */
export function lineTooLong(lineNo: number): PayResult<never> {
  if (typeof lineNo !== 'number') return err(PaymentErrors.invalidRequest('lineNo must be the 1-based number of the line that is too long', { path: 'lineNo' }));
  return err(PaymentErrors.decode(`line ${lineNo}: longer than ${MAX_LINE_BYTES} bytes: not a reconciliation line`, { path: `line ${lineNo}` }));
}

/** Counts the line breaks of a text. */
function countLines(text: string): number {
  let n = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) n += 1;
  return n;
}

/** Decodes a run of whole lines (it ends with a line break) numbered from `first + 1`; returns the run and the last line number. */
function decodeRun(decoder: LineDecoder, run: Uint8Array, first: number): [LineRun, number] {
  const text = decoder.decodeRun(run);
  if (text !== undefined) return [{ kind: 'text', text, firstLine: first + 1 }, first + countLines(text)];
  // Some bytes are invalid: decode line by line so each error names its line.
  const lines: PayResult<NumberedLine>[] = [];
  let lineNo = first;
  let start = 0;
  for (let nl = run.indexOf(NL); nl !== -1; nl = run.indexOf(NL, start)) {
    lineNo += 1;
    const end = nl > start && run[nl - 1] === CR ? nl - 1 : nl;
    const n = lineNo;
    lines.push(end - start > MAX_LINE_BYTES ? lineTooLong(n) : decoder.decode(run.subarray(start, end), n).map((t) => ({ lineNo: n, text: t })));
    start = nl + 1;
  }
  return [{ kind: 'lines', lines }, lineNo];
}

/**
 * Splits a byte stream into runs of whole decoded lines, one text per chunk read (the lines
 * that chunk completes), in memory bounded by the chunk and the longest line. A line that does
 * not decode, or is longer than {@link MAX_LINE_BYTES}, is an error value and reading carries
 * on; a failing stream ends with one error value.
 */
export async function* readLineRuns(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding): AsyncGenerator<LineRun> {
  yield* runs(content, encoding, false) as AsyncGenerator<LineRun>;
}

/**
 * {@link readLineRuns}, except that once the encoding is fixed (declared, or detected from an
 * earlier line) whole runs come as bytes with their decoder: the same lines, numbered the same.
 */
export async function* readByteRuns(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding): AsyncGenerator<LineRun | ByteRun> {
  yield* runs(content, encoding, true);
}

/** Counts the line breaks of bytes. */
function countBreaks(bytes: Uint8Array): number {
  let n = 0;
  for (let nl = bytes.indexOf(NL); nl !== -1; nl = bytes.indexOf(NL, nl + 1)) n += 1;
  return n;
}

async function* runs(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding, asBytes: boolean): AsyncGenerator<LineRun | ByteRun> {
  const decoder = new LineDecoder(encoding);
  let source: LineSource | undefined;
  let carry: Uint8Array[] = [];
  let carryLength = 0;
  let overflow = false;
  let lineNo = 0;
  try {
    for await (const chunk of content) {
      if (!(chunk instanceof Uint8Array)) {
        yield { kind: 'lines', lines: [err(PaymentErrors.invalidRequest('statement content must be an async iterable of Uint8Array chunks', { path: 'content' }))] };
        return;
      }
      const last = chunk.lastIndexOf(NL);
      if (last === -1) {
        carryLength += chunk.length;
        if (carryLength > MAX_LINE_BYTES) {
          overflow = true;
          carry = [];
        } else if (chunk.length > 0) {
          // Copy: the producer may reuse its buffer once the next chunk is pulled.
          carry.push(chunk.slice());
        }
        continue;
      }
      let run: Uint8Array;
      if (overflow) {
        // The carried line is too long: report it, and start after its line break.
        lineNo += 1;
        yield { kind: 'lines', lines: [lineTooLong(lineNo)] };
        run = chunk.subarray(chunk.indexOf(NL) + 1, last + 1);
      } else if (carryLength > 0) {
        carry.push(chunk.subarray(0, last + 1));
        run = concat(carry, carryLength + last + 1);
      } else {
        run = chunk.subarray(0, last + 1);
      }
      overflow = false;
      const rest = chunk.subarray(last + 1);
      carry = rest.length > 0 ? [rest.slice()] : [];
      carryLength = rest.length;
      if (asBytes && run.length > 0 && decoder.label !== undefined) {
        source ??= sourceOf(decoder, decoder.label !== 'utf-8');
        yield { kind: 'bytes', bytes: run, firstLine: lineNo + 1, source };
        lineNo += countBreaks(run);
      } else if (run.length > 0) {
        const [out, next] = decodeRun(decoder, run, lineNo);
        lineNo = next;
        yield out;
      }
    }
  } catch (e) {
    yield { kind: 'lines', lines: [err(PaymentErrors.decode(`reading the statement failed after line ${lineNo}`, { cause: e }))] };
    return;
  }
  if (overflow) {
    yield { kind: 'lines', lines: [lineTooLong(lineNo + 1)] };
  } else if (carryLength > 0) {
    // The last line has no line break: give it one.
    yield decodeRun(decoder, concat([...carry, new Uint8Array([NL])], carryLength + 1), lineNo)[0];
  }
}

/**
 * The lines of {@link readLineRuns}, one array per run. A line that does not decode, or is longer
 * than {@link MAX_LINE_BYTES}, is an error value and reading carries on.
 */
export async function* readLineBatches(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding): AsyncGenerator<PayResult<NumberedLine>[]> {
  for await (const run of readLineRuns(content, encoding)) {
    if (run.kind === 'lines') {
      yield run.lines;
      continue;
    }
    const out: PayResult<NumberedLine>[] = [];
    const { text } = run;
    let lineNo = run.firstLine;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start), lineNo += 1) {
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      out.push(end - start > MAX_LINE_BYTES ? lineTooLong(lineNo) : ok({ lineNo, text: text.slice(start, end) }));
      start = nl + 1;
    }
    yield out;
  }
}

/** {@link readLineBatches}, one line at a time. */
export async function* readLines(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding): AsyncGenerator<PayResult<NumberedLine>> {
  for await (const batch of readLineBatches(content, encoding)) yield* batch;
}
