/** The simulator's side of `pay_load`: split, authenticate (HMAC first), then decrypt. */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { aesCtr, constantTimeEqual, hmac, PaymentErrors, rsaOaepDecrypt, type PayResult } from '@paykit/core';
import { counterBlock, type PayloadKeys } from '../payload.js';

/** A decrypted payload: the JSON text and the keys it was sealed with. */
export interface OpenedPayload {
  /** The request JSON. */
  readonly json: string;
  /** The keys (recovered from A and B, nonce from C). */
  readonly keys: PayloadKeys;
}

const B64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

/**
 * Opens a `lianpay1_0_1$A$B$C$D$E` payload with LianLian's private key. `Signature` error when it
 * was not made for this key or anything in it was changed.
 */
export function decryptPayload(payload: string, privateKey: KeyObject): PayResult<OpenedPayload> {
  const parts = payload.split('$');
  if (parts.length !== 6 || parts[0] !== 'lianpay1_0_1') return err(PaymentErrors.decode('pay_load must be lianpay1_0_1$A$B$C$D$E'));
  const [, a = '', b = '', c = '', d = '', e = ''] = parts;
  if (![a, b, c, d, e].every((p) => B64.test(p))) return err(PaymentErrors.decode('pay_load parts must be base64'));
  return rsaOaepDecrypt(privateKey, Buffer.from(a, 'base64')).andThen((hmacKey) => rsaOaepDecrypt(privateKey, Buffer.from(b, 'base64')).andThen((aesKey) => {
    // The MAC covers the exact text of C and D as received.
    const mac = hmac('sha256', hmacKey, `${c}$${d}`).toString('base64');
    if (!constantTimeEqual(mac, e.replace(/\s+/g, ''))) return err(PaymentErrors.signature('pay_load HMAC does not match: the payload was changed'));
    const nonce = Buffer.from(c, 'base64');
    if (nonce.length !== 8 || aesKey.length !== 32 || hmacKey.length !== 32) return err(PaymentErrors.decode('pay_load keys must be 32 characters and the nonce 8'));
    return aesCtr(aesKey, counterBlock(nonce.toString('latin1')), Buffer.from(d, 'base64')).andThen((plain) => {
      try {
        const json = new TextDecoder('utf-8', { fatal: true }).decode(plain);
        return ok({ json, keys: { hmacKey: hmacKey.toString('latin1'), aesKey: aesKey.toString('latin1'), nonce: nonce.toString('latin1') } });
      } catch {
        return err(PaymentErrors.decode('pay_load plaintext is not UTF-8'));
      }
    });
  }));
}
