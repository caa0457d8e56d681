/**
 * Allinpay signatures (spec 5, specs README "Allinpay: signing"). Verification is pure: text in,
 * boolean out, compared in constant time.
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { CHARSETS, constantTimeEqual, encodeText, guard, md5Hex, PaymentErrors, rsaVerify, type Charset, type PayResult, type Secret } from '@paykit/core';
import { InternationalFields } from './wire.js';

/** A signature and the exact text it was computed over (the key shown as `<md5Key>`). */
export interface Signed {
  /** The signature value. */
  readonly signature: string;
  /** The signed text, with the MD5 key replaced by `<md5Key>`. */
  readonly explained: string;
}

/** The `name=value&…` source string of a request: fields in table order, empty ones skipped (spec 5.1). */
export function signSource(fields: Readonly<Record<string, string | undefined>>, order: readonly string[]): string {
  // core's kvString with the Allinpay rules, written out: every notification and reply is signed
  // this way (bench row "verify certificate-signed notification"). The `name=` and `&name=` texts
  // are made once per order array (the orders are module constants), so a field adds two pieces of
  // text to the source instead of four: fewer strings to allocate, and to flatten for the digest.
  let texts = SIGN_TEXTS.get(order);
  if (texts === undefined) {
    const names = order.filter((name) => name !== 'signMsg' && name !== 'cardNo'); // never signed (spec 2.1, 5.2)
    texts = { names, first: names.map((name) => `${name}=`), next: names.map((name) => `&${name}=`) };
    SIGN_TEXTS.set(order, texts);
  }
  const { names, first, next } = texts;
  let source = '';
  for (let i = 0; i < names.length; i += 1) {
    const value = fields[names[i] as string];
    if (value === undefined || value === '') continue;
    source = source === '' ? (first[i] as string) + value : source + (next[i] as string) + value;
  }
  return source;
}

/** Per sign order: the signed names, and the `name=` and `&name=` text before each one's value. */
const SIGN_TEXTS = new WeakMap<readonly string[], { readonly names: readonly string[]; readonly first: readonly string[]; readonly next: readonly string[] }>();

/** Request `signMsg`: uppercase MD5 of the source string + `&key=` + the MD5 key (spec 5.2). */
export function md5SignMsg(fields: Readonly<Record<string, string | undefined>>, order: readonly string[], key: Secret): Signed {
  const source = signSource(fields, order);
  return { signature: md5Hex(`${source}&key=${key.reveal()}`, 'upper'), explained: `${source}&key=<md5Key>` };
}

/** payData `inputCharset` → the charset whose bytes its `signMsg` covers (spec 2.1, 5.1 c). */
export const INPUT_CHARSETS: Readonly<Record<'1' | '2' | '3', Charset>> = { '1': 'UTF-8', '2': 'GBK', '3': 'GB2312' };

/**
 * Request `signMsg` over the bytes of a declared charset (spec 5.1 c: Chinese text is signed in the
 * specified charset). UTF-8 gives {@link md5SignMsg}'s result. A value with a character the charset
 * cannot hold is an `InvalidRequest` whose path is the field's wire name; nothing is substituted.
 */
export function md5SignMsgIn(fields: Readonly<Record<string, string | undefined>>, order: readonly string[], key: Secret, charset: Charset): PayResult<Signed> {
  return guard('allinpay-mobile.md5SignMsgIn', () => {
    if (typeof fields !== 'object' || fields === null) return err(PaymentErrors.invalidRequest('fields must be an object of field name to text value', { path: 'fields' }));
    if (!Array.isArray(order) || !order.every((name) => typeof name === 'string')) {
      return err(PaymentErrors.invalidRequest('order must be the array of field names in signing order (e.g. PayData.order)', { path: 'order' }));
    }
    if (typeof key?.reveal !== 'function') return err(PaymentErrors.invalidRequest('key must be the MD5 key as a Secret (new Secret(md5Key))', { path: 'key' }));
    if (!CHARSETS.includes(charset)) return err(PaymentErrors.invalidRequest(`charset must be one of ${CHARSETS.join(', ')}`, { path: 'charset' }));
    if (charset === 'UTF-8') return ok(md5SignMsg(fields, order, key));
    for (const name of order) {
      const value = fields[name];
      if (value === undefined || value === '' || name === 'signMsg' || name === 'cardNo' || isAscii(value)) continue;
      const bytes = encodeText(value, charset);
      if (bytes.isErr() || (charset === 'GB2312' && !isGb2312(bytes.value))) {
        return err(PaymentErrors.invalidRequest(`${name} holds a character that ${charset} cannot encode: remove it, or declare a wider inputCharset (2 GBK, 1 UTF-8)`, { path: name }));
      }
    }
    const source = signSource(fields, order);
    return encodeText(`${source}&key=${key.reveal()}`, charset)
      .map((bytes) => ({ signature: md5Hex(bytes, 'upper'), explained: `${source}&key=<md5Key>` }))
      // Unreachable after the per-field check (the key and names are ASCII); never echoes the key.
      .mapErr(() => PaymentErrors.invalidRequest(`the sign string cannot be encoded in ${charset}`, { path: 'inputCharset' }));
  });
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Whether GBK bytes hold only GB2312 characters: ASCII, or two bytes with lead A1–F7 and trail
 * A1–FE. core's encodeText writes GB2312 as GBK (its superset), which would accept a GBK-only
 * character such as 喆 (86 B4) that a GB2312 peer cannot read.
 */
function isGb2312(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i += 1) {
    const lead = bytes[i] as number;
    if (lead < 0x80) continue;
    const trail = bytes[i + 1];
    if (lead < 0xa1 || lead > 0xf7 || trail === undefined || trail < 0xa1 || trail > 0xfe) return false;
    i += 1;
  }
  return true;
}

/** Checks an uppercase-hex MD5 `signMsg` over `source&key=…` (replies and signType 0 notifications). */
export function verifyMd5SignMsg(source: string, key: Secret, signMsg: string): boolean {
  return constantTimeEqual(md5Hex(`${source}&key=${key.reveal()}`, 'upper'), signMsg.trim().toUpperCase());
}

/** Checks a SHA1withRSA `signMsg` over the UTF-8 bytes of `text` with Allinpay's certificate key. */
export function verifyCertificateSignature(text: string, key: KeyObject, signMsg: string): boolean {
  // Fast path for what Allinpay sends, canonical base64 on one line: decode it once and verify the
  // bytes. Anything else (line-wrapped, stray characters) takes core's strict rsaVerify.
  const bytes = Buffer.from(signMsg, 'base64');
  if (bytes.length === 0 || bytes.toString('base64') !== signMsg) return rsaVerify('sha1', key, text, signMsg);
  try {
    return createVerify('RSA-SHA1').update(text).verify(key, bytes);
  } catch {
    return false;
  }
}

/** The text a line-format reply signs: its record lines joined with `\r\n` (spec 3.8 note 2). */
export function linesSignedText(lines: readonly string[]): string {
  return lines.join('\r\n');
}

/**
 * Verifies a line-format reply (refund status query 3.8, pre-auth 4.2/4.4): type `0` is uppercase
 * `MD5(text + "|" + key)`; type `1` is SHA1withRSA over the uppercase MD5 hex of the text.
 */
export function verifyLinesSignature(text: string, signType: string, signMsg: string, key: Secret, cert: KeyObject | undefined): boolean {
  if (signType === '0') return constantTimeEqual(md5Hex(`${text}|${key.reveal()}`, 'upper'), signMsg.trim().toUpperCase());
  if (signType === '1' && cert !== undefined) return verifyCertificateSignature(md5Hex(text, 'upper'), cert, signMsg);
  return false;
}

/**
 * The text the batch query reply signs (spec 3.4): the header and every detail line, each followed
 * by `\r\n`. The signature is SHA1withRSA over its uppercase MD5 hex.
 */
export function batchSignedText(header: string, details: readonly string[]): string {
  return [header, ...details].map((l) => `${l}\r\n`).join('');
}

/**
 * International-card `ext1` (spec 5.4): uppercase MD5 of the extra fields' values concatenated in
 * the spec's order with no separator (empty fields add nothing).
 *
 * @example
 * ```ts
 * internationalExt1({ ship_to_country: 'US', ship_to_state: 'AL', … }) // 'B7C37324D6824A6FD029EE365BD0F5A8' for the 5.4 example
 * ```
 */
export function internationalExt1(fields: Readonly<Record<string, string | undefined>>): string {
  return md5Hex(InternationalFields.order.map((n) => fields[n] ?? '').join(''), 'upper');
}
