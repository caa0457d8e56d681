// The byte side of the line parser: a line's columns are found in a latin1 view of its bytes (one
// character per byte, positions equal), read there by the string-level readers of fields.ts, and
// only the text columns (product, method, info_order) are decoded, each strictly on its own and
// only when its bytes differ from the previous line's.
//
// Why this gives what decoding the line first gives: the separators `|` and `,` are ASCII. In
// UTF-8 every byte of a multibyte character is >= 0x80, so an ASCII byte is always that character.
// In GBK / GB18030 a byte 0x81-0xFE leads a character whose next byte may be ASCII (trail bytes run
// 0x40-0xFE, so `|` 0x7C can be one). A separator found in the view that is really such a trail
// byte ends its column with a lead byte; that column then fails: an ASCII column's reader accepts
// only ASCII, and a text column's strict decoding fails on the unfinished character. So when every
// column passes, by induction from the line start each column begins where the decoder begins a
// character, each separator found is one, and the columns decode to the decoded line's columns.
// Anything else (invalid bytes, non-ASCII outside the text columns, non-ASCII white space to trim,
// a bad value) is left to the string path, which decodes the whole line and gives its result or
// its error.
import type { StatementLayout } from './line.js';
import type { LineSource } from './lines.js';
import { isSpace } from './fields.js';


/** The last decoded value of one text column, kept with its bytes. */
class ColumnMemo {
  /** Decoder calls made (the bytes differed from the kept ones). */
  decodes = 0;
  #bytes = new Uint8Array(64);
  #length = -1;
  #text = '';

  /** The decoded text of `bytes[start, end)`: the kept one when the bytes are the same. */
  decode(bytes: Uint8Array, start: number, end: number, source: LineSource): string | undefined {
    const n = end - start;
    if (n === 0) return '';
    if (n === this.#length) {
      const kept = this.#bytes;
      let i = 0;
      while (i < n && kept[i] === bytes[start + i]) i += 1;
      if (i === n) return this.#text;
    }
    this.decodes += 1;
    const text = source.decode(bytes.subarray(start, end));
    // Strict decoding failed, or white space at an edge that the string path would trim.
    if (text === undefined || text.length === 0 || isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1))) return undefined;
    if (n > this.#bytes.length) this.#bytes = new Uint8Array(n * 2);
    this.#bytes.set(bytes.subarray(start, end));
    this.#length = n;
    this.#text = text;
    return text;
  }
}

/** Text columns of each layout (product, method, info_order); the others must be ASCII. */
const TEXT_OF: { readonly [K in StatementLayout]: readonly number[] } = { comma: [11, 12, 13], pipe: [16, 18] };

/**
 * Finds the columns of a line, into the parser's column bounds, and decodes its text columns.
 */
export class ByteColumns {
  readonly #from: Int32Array;
  readonly #to: Int32Array;
  readonly #memos: ColumnMemo[] = Array.from({ length: 19 }, () => new ColumnMemo());
  /** Decoded text of the text columns of the current line (undefined for the others). */
  readonly decoded: (string | undefined)[] = new Array<string | undefined>(19).fill(undefined);

  /** Column bounds shared with the line parser. */
  /** Decoder calls made for text columns so far. */
  get decodes(): number {
    let n = 0;
    for (const m of this.#memos) n += m.decodes;
    return n;
  }

  constructor(from: Int32Array, to: Int32Array) {
    this.#from = from;
    this.#to = to;
  }

  /**
   * Reads the columns of `bytes[start, end)` (no line break), whose latin1 view is `view`, each
   * trimmed of ASCII white space. True when the line has the layout's column count and each text
   * column decodes strictly with no white space left at its edges; false sends the line to the
   * string path. The other columns are
   * left to the readers, which accept only ASCII (the parser checks the token columns).
   *
   * Separators are found in the view: every `|` or `,` byte is taken as one. One that is really
   * the second byte of a GBK character ends a column with a lead byte, which then fails its
   * check (ASCII column) or its strict decoding (text column): by induction from the line start,
   * when every column passes, every separator found is one the decoder sees.
   */
  split(bytes: Uint8Array, view: string, start: number, end: number, layout: StatementLayout, source: LineSource): boolean {
    const from = this.#from;
    const to = this.#to;
    const sep = layout === 'pipe' ? '|' : ',';
    const last = LAYOUT_LAST[layout];
    let at = start;
    for (let n = 0; n < last; n += 1) {
      const next = view.indexOf(sep, at);
      if (next === -1 || next >= end) return false;
      trim(bytes, from, to, n, at, next);
      at = next + 1;
    }
    trim(bytes, from, to, last, at, end);
    for (const c of TEXT_OF[layout]) {
      const text = (this.#memos[c] as ColumnMemo).decode(bytes, from[c] as number, to[c] as number, source);
      if (text === undefined) return false;
      this.decoded[c] = text;
    }
    return true;
  }
}

/** Sets column `i` to `bytes[start, end)` without its ASCII white space (the rest is checked after decoding). */
function trim(bytes: Uint8Array, from: Int32Array, to: Int32Array, i: number, start: number, end: number): void {
  let s = start;
  let e = end;
  while (s < e && isAsciiSpace(bytes[s] as number)) s += 1;
  while (e > s && isAsciiSpace(bytes[e - 1] as number)) e -= 1;
  from[i] = s;
  to[i] = e;
}

const isAsciiSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);

const LAYOUT_LAST: { readonly [K in StatementLayout]: number } = { comma: 13, pipe: 18 };
