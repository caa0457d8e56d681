/**
 * The `pay_load` envelope of payout apply and confirm (`lianpay1_0_1`), exactly as the README's
 * "pay_load encryption" section gives it. node:crypto through core's signing helpers.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { err } from 'neverthrow';
import { aesCtr, guard, hmac, PaymentErrors, rsaOaepEncrypt, type PayResult } from '@paykit/core';

/** Where the random `hmacKey`, `aesKey` and `nonce` come from (injectable so tests can pin them). */
export interface RandomSource {
  /** `count` random characters from `[0-9A-Z]`. */
  chars(count: number): string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Cryptographically random characters from `[0-9A-Z]` (rejection sampling: no modulo bias). */
export const systemRandom: RandomSource = {
  chars(count: number): string {
    let out = '';
    while (out.length < count) {
      for (const b of randomBytes(count * 2)) {
        if (b < 252 && out.length < count) out += ALPHABET[b % 36];
      }
    }
    return out;
  },
};

/** The counter block: the 8 ASCII bytes of the nonce, then 00 00 00 00 00 00 00 01. */
export function counterBlock(nonce: string): Buffer {
  return Buffer.concat([Buffer.from(nonce, 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])]);
}

/** The secrets one payload is built from. */
export interface PayloadKeys {
  /** 32 characters of `[0-9A-Z]`: the HMAC-SHA256 key. */
  readonly hmacKey: string;
  /** 32 characters of `[0-9A-Z]`: the AES-256 key. */
  readonly aesKey: string;
  /** 8 characters of `[0-9A-Z]`: the CTR nonce. */
  readonly nonce: string;
}

/** Draws fresh payload keys from a random source. */
export function drawKeys(random: RandomSource): PayloadKeys {
  return { hmacKey: random.chars(32), aesKey: random.chars(32), nonce: random.chars(8) };
}

/**
 * Encrypts the signed request JSON into `lianpay1_0_1$A$B$C$D$E`: A and B are the RSA-OAEP
 * (SHA-1) encryptions of hmacKey and aesKey with LianLian's key; C = base64(nonce);
 * D = base64(AES-256-CTR(json)); E = base64(HMAC-SHA256(hmacKey, C + "$" + D)). Base64 unwrapped.
 *
 * @example
 * ```ts
 * const payload = encryptPayload(JSON.stringify(signedFields), lianlianKey, systemRandom);
 * ```
 */
export function encryptPayload(json: string, lianlianKey: KeyObject, random: RandomSource): PayResult<string> {
  return guard('lianlian-payout.encryptPayload', () => {
    if (typeof random?.chars !== 'function') return err(PaymentErrors.invalidRequest('random must be a RandomSource with chars(count), e.g. systemRandom', { path: 'random' }));
    return encryptWithKeys(json, lianlianKey, drawKeys(random));
  });
}

/** {@link encryptPayload} with given keys. */
export function encryptWithKeys(json: string, lianlianKey: KeyObject, keys: PayloadKeys): PayResult<string> {
  return guard('lianlian-payout.encryptWithKeys', () => {
    if (typeof json !== 'string') return err(PaymentErrors.invalidRequest('json must be the signed request fields as a JSON string', { path: 'json' }));
    // The key texts are secret: the message names what they must be, never what they are.
    if (typeof keys?.hmacKey !== 'string' || typeof keys.aesKey !== 'string' || typeof keys.nonce !== 'string') {
      return err(PaymentErrors.invalidRequest('keys must be { hmacKey, aesKey, nonce } as text (32, 32 and 8 characters of [0-9A-Z]), e.g. drawKeys(systemRandom)', { path: 'keys' }));
    }
    return rsaOaepEncrypt(lianlianKey, Buffer.from(keys.hmacKey, 'latin1')).andThen((a) =>
      rsaOaepEncrypt(lianlianKey, Buffer.from(keys.aesKey, 'latin1')).andThen((b) =>
        aesCtr(Buffer.from(keys.aesKey, 'latin1'), counterBlock(keys.nonce), Buffer.from(json, 'utf8')).map((cipher) => {
          const c = Buffer.from(keys.nonce, 'latin1').toString('base64');
          const d = cipher.toString('base64');
          const e = hmac('sha256', Buffer.from(keys.hmacKey, 'latin1'), `${c}$${d}`).toString('base64');
          return `lianpay1_0_1$${a.toString('base64')}$${b.toString('base64')}$${c}$${d}$${e}`;
        })));
  });
}
