import iconv from 'iconv-lite';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';

/** Character sets providers declare for signed text. */
export type Charset = 'UTF-8' | 'GBK' | 'GB2312' | 'GB18030';

/** Every {@link Charset}. */
export const CHARSETS: readonly Charset[] = ['UTF-8', 'GBK', 'GB2312', 'GB18030'];

/** Parses a charset name case-insensitively (`utf-8`, `gbk`…). */
export function charsetOf(name: string): PayResult<Charset> {
  return guard('charsetOf', () => {
    const upper = typeof name === 'string' ? name.trim().toUpperCase() : '';
    const found = CHARSETS.find((c) => c === upper || c.replace('-', '') === upper);
    return found ? ok(found) : err(PaymentErrors.invalidRequest(`unsupported charset "${String(name).slice(0, 20)}": use one of ${CHARSETS.join(', ')}`, { path: 'charset' }));
  });
}

/**
 * The bytes of a text in a charset. GB2312 is encoded as GBK (its superset), which gives the same
 * bytes for every GB2312 character; a character the charset cannot hold is an error, never a `?`.
 */
export function encodeText(text: string, charset: Charset): PayResult<Uint8Array> {
  return guard('encodeText', () => {
    if (charset === 'UTF-8') return ok(Buffer.from(text, 'utf8'));
    const enc = charset === 'GB18030' ? 'gb18030' : 'gbk';
    const bytes = iconv.encode(text, enc);
    // iconv-lite substitutes unmappable characters; decode back to detect that.
    if (iconv.decode(bytes, enc) !== text) {
      return err(PaymentErrors.invalidRequest(`text contains characters that ${charset} cannot encode`, { path: 'charset' }));
    }
    return ok(bytes);
  });
}

/**
 * One strict decoder per charset, shared: without the `stream` option a decoder keeps no state from
 * one `decode` to the next, and building one per call cost more than decoding a notification.
 */
const STRICT = {
  utf8: new TextDecoder('utf-8', { fatal: true }),
  gb18030: new TextDecoder('gb18030', { fatal: true }),
  gbk: new TextDecoder('gbk', { fatal: true }),
} as const;

/**
 * Decodes bytes in a charset, strictly: invalid byte sequences are an error (a GBK file read as
 * UTF-8 fails here instead of producing replacement characters).
 */
export function decodeText(bytes: Uint8Array, charset: Charset): PayResult<string> {
  // A plain try/catch rather than guard's closure: this runs on every reply and notification.
  try {
    const decoder = charset === 'UTF-8' ? STRICT.utf8 : charset === 'GB18030' ? STRICT.gb18030 : STRICT.gbk;
    return ok(decoder.decode(bytes));
  } catch {
    return err(PaymentErrors.decode(`bytes are not valid ${typeof charset === 'string' ? charset.slice(0, 16) : 'text in the charset given'}: check the declared encoding`));
  }
}
