/** LianLian signing for payouts: sorted `k=v&…` text, MD5withRSA (README "LianLian: signing"). */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { kvString, PaymentErrors, rsaSign, rsaVerify, type PayResult } from '@paykit/core';

/** The exact text LianLian signs: every field but `sign`, empty and literal `null` values dropped, keys sorted. */
export function signText(fields: Readonly<Record<string, unknown>>): string {
  return kvString(fields, { order: 'sorted', exclude: ['sign'], skipNullLiteral: true });
}

/** Signs request fields with the merchant key; returns the fields with `sign` added. */
export function signFields<T extends Readonly<Record<string, unknown>>>(fields: T, privateKey: KeyObject): PayResult<T & { readonly sign: string }> {
  return rsaSign('md5', privateKey, signText(fields)).map((sign) => ({ ...fields, sign }));
}

/**
 * Verifies a message LianLian signed (reply or notification) given as its parsed JSON fields.
 * Pure: `Signature` error when the sign is missing, not RSA, or does not verify.
 */
export function verifyFields(fields: Readonly<Record<string, unknown>>, publicKey: KeyObject, what: string): PayResult<string> {
  const sign = fields['sign'];
  if (typeof sign !== 'string' || sign === '') return err(PaymentErrors.signature(`${what} carries no sign: nothing in it can be trusted`));
  if (fields['sign_type'] !== 'RSA') {
    return err(PaymentErrors.signature(`${what} is signed with sign_type "${String(fields['sign_type']).slice(0, 8)}"; LianLian payouts are RSA only: set the merchant site's sign type to RSA`));
  }
  const text = signText(fields);
  return rsaVerify('md5', publicKey, text, sign) ? ok(text)
    : err(PaymentErrors.signature(`${what} signature does not verify with the configured lianlianPublicKey: check the key, and that the body was passed unchanged`));
}
