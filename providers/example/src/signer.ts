/**
 * Example Pay signatures: HMAC-SHA256 with the merchant key over the fields sorted by name as
 * `k=v&k=v` (empty values and `sign` left out), lower-case hex.
 */
import { hexDigestEquals, hmac, kvString, PaymentErrors, type PayResult, type Secret } from '@paykit/core';
import { err, ok } from 'neverthrow';

/** The exact text that is signed for a set of fields. */
export function signedText(fields: Readonly<Record<string, unknown>>): string {
  return kvString(fields, { order: 'sorted', exclude: ['sign'] });
}

/** The signature of a set of fields. */
export function sign(fields: Readonly<Record<string, unknown>>, key: Secret): string {
  return hmac('sha256', key.reveal(), signedText(fields)).toString('hex');
}

/** The fields with `sign_type` and `sign` added. */
export function signFields<T extends Record<string, string>>(fields: T, key: Secret): T & { sign_type: 'HMAC-SHA256'; sign: string } {
  const withType = { ...fields, sign_type: 'HMAC-SHA256' as const };
  return { ...withType, sign: sign(withType, key) };
}

/**
 * Verifies the `sign` of received fields in constant time. The error says what to check, never
 * the key or the expected signature.
 */
export function verifyFields(fields: Readonly<Record<string, string>>, key: Secret, what: string): PayResult<void> {
  const given = fields.sign;
  if (given === undefined || given === '') {
    return err(PaymentErrors.signature(`${what} carries no sign field: Example Pay signs every message, so it did not come from Example Pay`, { providerId: 'example' }));
  }
  if (fields.sign_type !== 'HMAC-SHA256') {
    return err(PaymentErrors.signature(`${what} has sign_type "${String(fields.sign_type).slice(0, 16)}"; only HMAC-SHA256 is accepted`, { providerId: 'example' }));
  }
  return hexDigestEquals(hmac('sha256', key.reveal(), signedText(fields)), given)
    ? ok(undefined)
    : err(PaymentErrors.signature(`${what} signature does not verify: check that the merchant key matches the one in the Example Pay console and that the raw body was passed unchanged`, { providerId: 'example' }));
}
