/**
 * The charsets of the cashier form (spec 4.1 `charset_name`: UTF-8, GBK, GB2312, GB18030) and the
 * bytes a signature covers.
 *
 * Neither document says which bytes MD5 or RSA covers when `charset_name` is not UTF-8 (README,
 * "LianLian: signing" rule 4): this plugin signs and verifies the UTF-8 bytes of the signing text
 * by default, for MD5 and RSA alike, in the form, the sync return and the CLI tools; the instance
 * option `signedBytes: "form-charset"` selects the bytes of `charset_name` instead.
 */
import { err, ok } from 'neverthrow';
import { encodeText, PaymentErrors, type Charset, type PayResult } from '@paykit/core';

/** Which bytes a signature covers: always UTF-8 (the default), or the form's `charset_name`. */
export type SignedBytes = 'UTF-8' | 'form-charset';

/** The charset whose bytes are signed, for a form in `formCharset`. */
export function signedCharsetOf(signedBytes: SignedBytes | undefined, formCharset: Charset | undefined): Charset {
  return signedBytes === 'form-charset' ? formCharset ?? 'UTF-8' : 'UTF-8';
}

// The cells GB2312 assigns, by row (lead byte A1–F7), as [first, last] trail-byte ranges. Rows
// B0–F7 hold the 6763 hanzi, all full but D7 (D7A1–D7F9); AA–AF are empty. 7445 cells in all.
const FULL: readonly (readonly [number, number])[] = [[0xa1, 0xfe]];
const GB2312_ROWS = new Map<number, readonly (readonly [number, number])[]>([
  [0xa1, FULL],
  [0xa2, [[0xb1, 0xe2], [0xe5, 0xee], [0xf1, 0xfc]]],
  [0xa3, FULL],
  [0xa4, [[0xa1, 0xf3]]],
  [0xa5, [[0xa1, 0xf6]]],
  [0xa6, [[0xa1, 0xb8], [0xc1, 0xd8]]],
  [0xa7, [[0xa1, 0xc1], [0xd1, 0xf1]]],
  [0xa8, [[0xa1, 0xba], [0xc5, 0xe9]]],
  [0xa9, [[0xa4, 0xef]]],
  ...Array.from({ length: 0xf7 - 0xb0 + 1 }, (_, i) => [0xb0 + i, 0xb0 + i === 0xd7 ? [[0xa1, 0xf9]] as const : FULL] as const),
]);

/** Whether GBK bytes hold only ASCII and cells GB2312 assigns (GBK is GB2312's superset, same bytes for its cells). */
function isGb2312(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i += 1) {
    const lead = bytes[i] as number;
    if (lead < 0x80) continue;
    const trail = bytes[i + 1];
    const row = GB2312_ROWS.get(lead);
    if (trail === undefined || row === undefined || !row.some(([a, b]) => trail >= a && trail <= b)) return false;
    i += 1;
  }
  return true;
}

/**
 * The bytes of a text in a form charset, strictly: a character the charset cannot hold is an
 * error, never a `?`. GB2312 is checked cell by cell (core encodes it as GBK, which would let a
 * GBK-only character such as 裏 through).
 */
export function encodeStrict(text: string, charset: Charset): PayResult<Uint8Array> {
  const bytes = encodeText(text, charset);
  if (bytes.isErr() || charset !== 'GB2312' || isGb2312(bytes.value)) return bytes;
  return err(PaymentErrors.invalidRequest('text contains characters that GB2312 cannot encode', { path: 'charset' }));
}

/**
 * Checks that every form field can be sent in the form's charset (the browser submits the form in
 * it, spec 4.1). A field with a character outside it is an `InvalidRequest` naming the field; the
 * value is never echoed.
 */
export function checkFormCharset(fields: Readonly<Record<string, string>>, charset: Charset, root: string): PayResult<void> {
  if (charset === 'UTF-8') return ok(undefined);
  for (const [k, v] of Object.entries(fields)) {
    // ASCII is the same in every form charset.
    if (/^[\x00-\x7f]*$/.test(v)) continue;
    if (encodeStrict(v, charset).isErr()) {
      return err(PaymentErrors.invalidRequest(`${root}.${k}: has a character ${charset} cannot encode (the form's charset_name, option charset): remove it or use UTF-8 or GB18030`, { path: `${root}.${k}` }));
    }
  }
  return ok(undefined);
}
