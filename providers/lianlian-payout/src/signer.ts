/** LianLian signing for payouts: sorted `k=v&…` text, MD5withRSA (README "LianLian: signing"). */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { constantTimeEqual, kvString, type KvOptions, md5Hex, PaymentErrors, rsaSign, rsaVerify, type PayResult, type Secret } from '@paykit/core';

/** How {@link signText} builds the text, made once rather than per message. */
const SIGN_TEXT: KvOptions = { order: 'sorted', exclude: ['sign'], skipNullLiteral: true };

/** The exact text LianLian signs: every field but `sign`, empty and literal `null` values dropped, keys sorted. */
export function signText(fields: Readonly<Record<string, unknown>>): string {
  return kvString(fields, SIGN_TEXT);
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
  const expected = keys.notifySignType ?? 'RSA';
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
  if (keys.notifyMd5Key === undefined) return err(PaymentErrors.invalidConfig('verifying an MD5-signed notification needs notifyMd5Key, the MD5 key set on the merchant site', { path: 'notifyMd5Key' }));
  const text = signText(fields);
  return constantTimeEqual(md5Hex(`${text}&key=${keys.notifyMd5Key.reveal()}`, 'lower'), sign) ? ok(text)
    : err(PaymentErrors.signature(`${what} MD5 signature does not match: check notifyMd5Key against the merchant site, and that the body was passed unchanged`));
}
