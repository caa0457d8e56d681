import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Hex letter case of a digest. */
export type HexCase = 'lower' | 'upper';

/** MD5 of bytes or UTF-8 text, as hex in the chosen case. */
export function md5Hex(data: string | Uint8Array, hexCase: HexCase = 'lower'): string {
  const hex = createHash('md5').update(data).digest('hex');
  return hexCase === 'upper' ? hex.toUpperCase() : hex;
}

/** SHA-1 / SHA-256 digest of bytes or UTF-8 text, as hex. */
export function shaHex(algorithm: 'sha1' | 'sha256', data: string | Uint8Array): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** HMAC of a message with a key, raw bytes. */
export function hmac(algorithm: 'sha1' | 'sha256' | 'md5', key: string | Uint8Array, message: string | Uint8Array): Buffer {
  return createHmac(algorithm, key).update(message).digest();
}

/**
 * Compares two strings in constant time for equal lengths (length itself is not secret).
 * Use for every signature and MAC comparison.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/**
 * Compares a digest or MAC with the hex text a message carries, in constant time for equal
 * lengths, without encoding the digest as text. Hex digits of either case decode alike; text that
 * is not hex of the digest's length is unequal.
 *
 * @example
 * ```ts
 * hexDigestEquals(hmac('sha256', key, text), fields.sign) // true when the MAC matches
 * ```
 */
export function hexDigestEquals(digest: Uint8Array, givenHex: string): boolean {
  if (!ArrayBuffer.isView(digest) || typeof givenHex !== 'string' || givenHex.length !== digest.length * 2) return false;
  const given = Buffer.from(givenHex, 'hex');
  return given.length === digest.length && timingSafeEqual(given, digest);
}
