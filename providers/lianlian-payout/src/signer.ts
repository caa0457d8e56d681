/** LianLian signing for payouts: sorted `k=v&…` text, MD5withRSA (README "LianLian: signing"). */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import {
  constantTimeEqual, guard, kvString, type KvOptions, md5Hex, PaymentErrors, rsaSign, rsaVerify, toPaymentError, type PaymentError, type PayResult, type Secret,
} from '@paykit/core';

/** How {@link signText} builds the text, made once rather than per message. */
const SIGN_TEXT: KvOptions = { order: 'sorted', exclude: ['sign'], skipNullLiteral: true };

/** The exact text LianLian signs: every field but `sign`, empty and literal `null` values dropped, keys sorted. */
export function signText(fields: Readonly<Record<string, unknown>>): string {
  return kvString(fields, SIGN_TEXT);
}

/** Signs request fields with the merchant key; returns the fields with `sign` added. */
export function signFields<T extends Readonly<Record<string, unknown>>>(fields: T, privateKey: KeyObject): PayResult<T & { readonly sign: string }> {
  return guard('lianlian-payout.signFields', () => {
    if (typeof fields !== 'object' || fields === null) return err(PaymentErrors.invalidRequest('fields must be an object of request field name to value', { path: 'fields' }));
    return rsaSign('md5', privateKey, signText(fields)).map((sign) => ({ ...fields, sign }));
  });
}

/**
 * Verifies a message LianLian signed (reply or notification) given as its parsed JSON fields.
 * Pure: `Signature` error when the sign is missing, not RSA, or does not verify.
 */
export function verifyFields(fields: Readonly<Record<string, unknown>>, publicKey: KeyObject, what: string): PayResult<string> {
  // Every reply and RSA notification comes here: plain checks and an inline try (no closure, as
  // guard would make); a value that throws when read, anywhere in the arguments, is an error value.
  const bad = badMessageArguments(fields, what);
  if (bad !== undefined) return err(bad);
  try {
    return signedTextOf(fields, publicKey, what);
  } catch (e) {
    return err(toPaymentError(e, 'lianlian-payout.verifyFields'));
  }
}

function signedTextOf(fields: Readonly<Record<string, unknown>>, publicKey: KeyObject, what: string): PayResult<string> {
  const sign = fields['sign'];
  if (typeof sign !== 'string' || sign === '') return err(PaymentErrors.signature(`${what} carries no sign: nothing in it can be trusted`));
  if (fields['sign_type'] !== 'RSA') {
    return err(PaymentErrors.signature(`${what} is signed with sign_type "${String(fields['sign_type']).slice(0, 8)}"; LianLian payouts are RSA only: set the merchant site's sign type to RSA`));
  }
  const text = signText(fields);
  return rsaVerify('md5', publicKey, text, sign) ? ok(text)
    : err(PaymentErrors.signature(`${what} signature does not verify with the configured lianlianPublicKey: check the key, and that the body was passed unchanged`));
}

/** How the merchant site signs result notifications: requests and replies are RSA only, notifications follow the site. */
export type NotifySignType = 'RSA' | 'MD5';

/** The keys a result notification is verified with. */
export interface NotificationKeys {
  /** LianLian's public key (RSA notifications). */
  readonly lianlianPublicKey?: KeyObject;
  /** The sign type configured on the merchant site for notifications (`RSA` by default). */
  readonly notifySignType?: NotifySignType;
  /** The merchant site's MD5 key (MD5 notifications). */
  readonly notifyMd5Key?: Secret;
}

/**
 * Verifies a result notification given as its parsed JSON fields. Notifications are signed with the
 * sign type configured on the merchant site (README signing 6; the 2014 card-payout document, section
 * 4, allows MD5), so only that one is accepted: a message cannot pick its own check.
 * MD5: lowercase `md5(text + "&key=" + key)` over the UTF-8 bytes, compared in constant time. Pure.
 */
export function verifyNotificationFields(fields: Readonly<Record<string, unknown>>, keys: NotificationKeys, what: string): PayResult<string> {
  // Every notification comes here: plain checks and an inline try, as in verifyFields.
  const bad = badMessageArguments(fields, what);
  if (bad !== undefined) return err(bad);
  if (typeof keys !== 'object' || keys === null) return err(PaymentErrors.invalidRequest('keys must be an object with lianlianPublicKey, or notifySignType "MD5" and notifyMd5Key', { path: 'keys' }));
  try {
    return notificationSignedTextOf(fields, keys, what);
  } catch (e) {
    return err(toPaymentError(e, 'lianlian-payout.verifyNotificationFields'));
  }
}

function notificationSignedTextOf(fields: Readonly<Record<string, unknown>>, keys: NotificationKeys, what: string): PayResult<string> {
  const expected = keys.notifySignType ?? 'RSA';
  if (expected !== 'RSA' && expected !== 'MD5') return err(PaymentErrors.invalidConfig('notifySignType must be "RSA" or "MD5"', { path: 'notifySignType' }));
  const sign = fields['sign'];
  if (typeof sign !== 'string' || sign === '') return err(PaymentErrors.signature(`${what} carries no sign: nothing in it can be trusted`));
  const declared = fields['sign_type'];
  if (declared !== expected) {
    return err(PaymentErrors.signature(`${what} is signed with sign_type "${String(declared).slice(0, 8)}" but this instance expects ${expected}: set notifySignType (and notifyMd5Key for MD5) to the sign type configured on the merchant site`));
  }
  if (expected === 'RSA') {
    if (keys.lianlianPublicKey === undefined) return err(PaymentErrors.invalidConfig("verifying an RSA-signed notification needs LianLian's public key", { path: 'lianlianPublicKey' }));
    return verifyFields(fields, keys.lianlianPublicKey, what);
  }
  if (typeof keys.notifyMd5Key?.reveal !== 'function') {
    return err(PaymentErrors.invalidConfig('verifying an MD5-signed notification needs notifyMd5Key, the MD5 key set on the merchant site, as a Secret', { path: 'notifyMd5Key' }));
  }
  const text = signText(fields);
  return constantTimeEqual(md5Hex(`${text}&key=${keys.notifyMd5Key.reveal()}`, 'lower'), sign) ? ok(text)
    : err(PaymentErrors.signature(`${what} MD5 signature does not match: check notifyMd5Key against the merchant site, and that the body was passed unchanged`));
}

/** What is wrong with the arguments of a verify, if anything (an object that throws when read passes: the callers' try catches it). */
function badMessageArguments(fields: unknown, what: unknown): PaymentError | undefined {
  if (typeof fields !== 'object' || fields === null) return PaymentErrors.invalidRequest('fields must be the parsed JSON object of the message', { path: 'fields' });
  if (typeof what !== 'string') return PaymentErrors.invalidRequest('what must be a short text naming the message (e.g. "payout notification"), used in errors', { path: 'what' });
  return undefined;
}
