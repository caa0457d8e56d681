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
 * Splits a byte stream into decoded lines. Yields an error value for a line that does not decode
 * or is longer than {@link MAX_LINE_BYTES} (and carries on with the next line); a failing stream
 * ends with one error value.
 */
export async function* readLines(content: AsyncIterable<Uint8Array>, encoding: StatementEncoding): AsyncGenerator<PayResult<NumberedLine>> {
  const decoder = new LineDecoder(encoding);
  let parts: Uint8Array[] = [];
  let pending = 0;
  let overflow = false;
  let lineNo = 0;

  const finish = (bytes: Uint8Array): PayResult<NumberedLine> => {
    lineNo += 1;
    if (overflow || bytes.length > MAX_LINE_BYTES) {
      overflow = false;
      return err(PaymentErrors.decode(`line ${lineNo}: longer than ${MAX_LINE_BYTES} bytes: not a reconciliation line`, { path: `line ${lineNo}` }));
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return decoder.decode(bytes.subarray(0, end), lineNo).map((text) => ({ lineNo, text }));
  };

  try {
    for await (const chunk of content) {
      if (!(chunk instanceof Uint8Array)) {
        yield err(PaymentErrors.invalidRequest('statement content must be an async iterable of Uint8Array chunks', { path: 'content' }));
        return;
      }
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NL, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        if (pending === 0) {
          yield finish(piece);
        } else {
          if (!overflow) parts.push(piece);
          const line = overflow ? new Uint8Array(0) : concat(parts, pending + piece.length);
          parts = [];
          pending = 0;
          yield finish(line);
        }
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        pending += rest.length;
        if (pending > MAX_LINE_BYTES) {
          overflow = true;
          parts = [];
        } else {
          // Copy: the producer may reuse its buffer after we pull the next chunk.
          parts.push(rest.slice());
        }
      }
    }
  } catch (e) {
    yield err(PaymentErrors.decode(`reading the statement failed after line ${lineNo}`, { cause: e }));
    return;
  }
  if (pending > 0 || overflow) yield finish(overflow ? new Uint8Array(0) : concat(parts, pending));
}
