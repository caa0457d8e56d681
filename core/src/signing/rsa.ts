import { constants, createCipheriv, createSign, createVerify, publicEncrypt, privateDecrypt, type KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { kindOf } from '../errors/text.js';
import type { PayResult } from '../errors/result.js';

/** Digests used with RSA PKCS#1 v1.5 signatures by the providers. */
export type RsaDigest = 'md5' | 'sha1' | 'sha256';

/** node:crypto's name of each digest's RSA signature algorithm. */
const RSA_ALGORITHMS: { readonly [D in RsaDigest]: string } = { md5: 'RSA-MD5', sha1: 'RSA-SHA1', sha256: 'RSA-SHA256' };

/** RSA PKCS#1 v1.5 signature of bytes with the chosen digest, base64. */
export function rsaSign(digest: RsaDigest, key: KeyObject, data: string | Uint8Array): PayResult<string> {
  try {
    return ok(createSign(RSA_ALGORITHMS[digest]).update(data).sign(key, 'base64'));
  } catch (e) {
    return err(PaymentErrors.invalidConfig('RSA signing failed: check that the private key is an RSA key', { cause: e }));
  }
}

const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/**
 * Whether `text` is base64 as providers send it: at least one character of the alphabet, no
 * whitespace or other character, and `=` only as the last one or two. Checked before decoding,
 * since node's base64 decoder skips what it does not know. (A search for one character outside
 * the alphabet plus a look at the padding: about two thirds of the time of one anchored pattern,
 * on every signature verified.)
 *
 * @example
 * ```ts
 * isBase64('q83v') // true
 * isBase64('q8 3v') // false
 * isBase64('q8=3v') // false
 * ```
 */
export function isBase64(text: string): boolean {
  if (typeof text !== 'string' || text.length === 0 || NOT_BASE64.test(text)) return false;
  const pad = text.indexOf('=');
  if (pad === -1) return true;
  return pad > 0 && pad >= text.length - 2 && (pad === text.length - 1 || text.charCodeAt(pad + 1) === 61);
}

/** Base64 wrapped in lines, as old Java encoders write it: the whitespace is not part of it. */
const WRAPPED_BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

/** Verifies an RSA PKCS#1 v1.5 base64 signature (line breaks allowed); false for any malformed signature. */
export function rsaVerify(digest: RsaDigest, key: KeyObject, data: string | Uint8Array, signatureBase64: string): boolean {
  if (typeof signatureBase64 !== 'string') return false;
  let signature = signatureBase64;
  if (!isBase64(signature)) {
    if (!WRAPPED_BASE64.test(signature)) return false;
    signature = signature.replace(/\s+/g, '');
  }
  try {
    return createVerify(RSA_ALGORITHMS[digest]).update(data).verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

/** RSA-OAEP encryption (SHA-1 with MGF1-SHA-1 by default), raw bytes. */
export function rsaOaepEncrypt(key: KeyObject, data: Uint8Array, oaepHash: 'sha1' | 'sha256' = 'sha1'): PayResult<Buffer> {
  try {
    return ok(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data));
  } catch (e) {
    return err(PaymentErrors.invalidConfig('RSA-OAEP encryption failed: check the provider public key', { cause: e }));
  }
}

/** RSA-OAEP decryption (simulators, tests). */
export function rsaOaepDecrypt(key: KeyObject, data: Uint8Array, oaepHash: 'sha1' | 'sha256' = 'sha1'): PayResult<Buffer> {
  try {
    return ok(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data));
  } catch {
    return err(PaymentErrors.signature('RSA-OAEP decryption failed: the payload was not encrypted for this key'));
  }
}

/**
 * AES-CTR encryption (and decryption: CTR is symmetric). The key length picks AES-128/192/256;
 * the counter block is 16 bytes.
 */
export function aesCtr(key: Uint8Array, counterBlock: Uint8Array, data: Uint8Array): PayResult<Buffer> {
  // ArrayBuffer.isView reads no property (a proxy's traps are never called); sizes are in bytes.
  if (!ArrayBuffer.isView(key) || !ArrayBuffer.isView(counterBlock) || !ArrayBuffer.isView(data)) {
    return err(PaymentErrors.invalidRequest(`AES-CTR needs the key, counter block and data as bytes (a Uint8Array or Buffer), got ${kindOf(key)}, ${kindOf(counterBlock)} and ${kindOf(data)}`));
  }
  const bits = key.byteLength * 8;
  if (![128, 192, 256].includes(bits) || counterBlock.byteLength !== 16) {
    return err(PaymentErrors.invalidRequest(`AES-CTR needs a 16/24/32-byte key and a 16-byte counter block (got ${key.byteLength} and ${counterBlock.byteLength})`));
  }
  const cipher = createCipheriv(`aes-${bits}-ctr`, key, counterBlock);
  return ok(Buffer.concat([cipher.update(data), cipher.final()]));
}
