/**
 * LianLian signing (spec 6.1 and README "LianLian: signing"): sorted `k=v&…` of every non-empty
 * field but `sign` (the literal `null` skipped too), MD5 of `text&key=KEY` as lowercase hex, or
 * MD5withRSA over the text's bytes, base64.
 */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import {
  guard, constantTimeEqual, kvString, loadPrivateKey, loadPublicKey, md5Hex, PaymentErrors, rsaSign, rsaVerify,
  type Charset, type PayResult, type Secret,
} from '@paykit/core';
import { encodeStrict } from './charset.js';
import type { SignType } from './wire.js';

/**
 * The text LianLian signs: every field but `sign` and `unsigned`, sorted, empty values and `null` skipped.
 * `sortedKeys` (a closed codec's `sortedKeys`) may be passed for fields that codec decoded: they have
 * no other keys, so the per-message sort is skipped.
 */
export function signingText(fields: Readonly<Record<string, unknown>>, unsigned: readonly string[] = [], sortedKeys?: readonly string[]): string {
  // One pass over the sorted keys, straight into the string (this runs on every notification and
  // reply). A non-string value (a nested risk_item object) falls back to kvString, which signs its JSON text.
  const keys = sortedKeys ?? Object.keys(fields).sort();
  // `&key=` is built once per codec key list, not twice per field per message; the leading `&` is cut at the end.
  const prefixes = sortedKeys === undefined ? undefined : prefixesOf(sortedKeys);
  let out = '';
  for (let i = 0; i < keys.length; i += 1) {
    const k = keys[i] as string;
    const v = fields[k];
    if (typeof v !== 'string') {
      if (v === undefined || v === null) continue;
      return kvString(fields, { order: 'sorted', exclude: ['sign', ...unsigned], skipNullLiteral: true });
    }
    if (v === '' || v === 'null' || k === 'sign' || (unsigned.length > 0 && unsigned.includes(k))) continue;
    out = out + (prefixes === undefined ? `&${k}=` : (prefixes[i] as string)) + v;
  }
  return out.slice(1);
}

/** `&key=` for each key of a codec's `sortedKeys`, kept per list (there are a handful of lists). */
const PREFIXES = new WeakMap<readonly string[], readonly string[]>();

function prefixesOf(sortedKeys: readonly string[]): readonly string[] {
  let prefixes = PREFIXES.get(sortedKeys);
  if (prefixes === undefined) {
    prefixes = sortedKeys.map((k) => `&${k}=`);
    PREFIXES.set(sortedKeys, prefixes);
  }
  return prefixes;
}

/** Loaded key material for one instance (keys parsed once, not per request). */
export interface LoadedKeys {
  /** MD5 key. */
  readonly md5Key?: Secret;
  /** Merchant private key. */
  readonly privateKey?: KeyObject;
  /** LianLian's public key. */
  readonly publicKey?: KeyObject;
}

/** Parses the configured key texts; an unreadable key is an `InvalidConfig` error naming the option. */
export function loadKeys(k: { md5Key?: Secret; privateKey?: Secret; lianlianPublicKey?: string }): PayResult<LoadedKeys> {
  return guard('lianlian-web.loadKeys', () => {
    const out: { md5Key?: Secret; privateKey?: KeyObject; publicKey?: KeyObject } = {};
    if (k.md5Key !== undefined) out.md5Key = k.md5Key;
    if (k.privateKey !== undefined) {
      const pk = loadPrivateKey(k.privateKey.reveal());
      if (pk.isErr()) return err(PaymentErrors.invalidConfig(`privateKey: ${pk.error.message}`, { path: 'privateKey' }));
      out.privateKey = pk.value;
    }
    if (k.lianlianPublicKey !== undefined) {
      const pub = loadPublicKey(k.lianlianPublicKey);
      if (pub.isErr()) return err(PaymentErrors.invalidConfig(`lianlianPublicKey: ${pub.error.message}`, { path: 'lianlianPublicKey' }));
      out.publicKey = pub.value;
    }
    return ok(out);
  });
}

/**
 * Signs a text. MD5 hashes the charset's bytes of `text&key=KEY`; RSA signs the charset's bytes of
 * the text. UTF-8 unless the instance signs the form's `charset_name` bytes (see charset.ts);
 * every JSON message is UTF-8.
 */
export function signText(text: string, signType: SignType, keys: LoadedKeys, charset: Charset = 'UTF-8'): PayResult<string> {
  return guard('lianlian-web.signText', () => {
    if (signType === 'MD5') {
      if (keys.md5Key === undefined) return err(PaymentErrors.invalidConfig('sign type MD5 needs md5Key in the instance options', { path: 'md5Key' }));
      return encodeStrict(`${text}&key=${keys.md5Key.reveal()}`, charset).map((bytes) => md5Hex(bytes, 'lower'));
    }
    if (keys.privateKey === undefined) return err(PaymentErrors.invalidConfig('sign type RSA needs privateKey (the merchant RSA private key) in the instance options', { path: 'privateKey' }));
    const key = keys.privateKey;
    return encodeStrict(text, charset).andThen((bytes) => rsaSign('md5', key, bytes));
  });
}

/** Signs fields; returns the signature for the `sign` field. */
export function signFields(fields: Readonly<Record<string, unknown>>, signType: SignType, keys: LoadedKeys, charset: Charset = 'UTF-8'): PayResult<string> {
  return signText(signingText(fields), signType, keys, charset);
}

/**
 * Verifies a message LianLian signed: recomputes the text without `sign` and the unsigned fields and
 * checks `sign` (MD5 compared exactly in constant time; RSA with LianLian's public key). Only the
 * `expected` sign types are accepted, so a message cannot choose a weaker check than configured.
 * Pass `sortedKeys` only for fields a closed codec has already decoded (see {@link signingText}).
 */
export function verifyFields(
  fields: Readonly<Record<string, unknown>>,
  expected: readonly SignType[],
  keys: LoadedKeys,
  unsigned: readonly string[] = [],
  charset: Charset = 'UTF-8',
  sortedKeys?: readonly string[],
): PayResult<string> {
  return guard('lianlian-web.verifyFields', () => {
    const declared = fields.sign_type;
    const signature = fields.sign;
    if (typeof signature !== 'string' || signature.length === 0) return err(PaymentErrors.signature('the message has no sign field: it cannot be trusted'));
    if (declared !== 'MD5' && declared !== 'RSA') return err(PaymentErrors.signature('sign_type must be MD5 or RSA'));
    if (!expected.includes(declared)) {
      return err(PaymentErrors.signature(`message is signed with ${declared} but this instance expects ${expected.join(' or ')}: check notifySignType/signType against the merchant site settings`));
    }
    const text = signingText(fields, unsigned, sortedKeys);
    if (declared === 'MD5') {
      if (keys.md5Key === undefined) return err(PaymentErrors.invalidConfig('verifying an MD5 signature needs md5Key in the instance options', { path: 'md5Key' }));
      const bytes = encodeStrict(`${text}&key=${keys.md5Key.reveal()}`, charset);
      if (bytes.isErr()) return err(PaymentErrors.signature('the signed text cannot be encoded in its charset'));
      return constantTimeEqual(md5Hex(bytes.value, 'lower'), signature) ? ok(text) : err(PaymentErrors.signature('MD5 signature does not match: check md5Key, and that the raw body was passed unchanged'));
    }
    if (keys.publicKey === undefined) return err(PaymentErrors.invalidConfig('verifying an RSA signature needs lianlianPublicKey in the instance options', { path: 'lianlianPublicKey' }));
    const bytes = bytesOf(text, charset);
    if (bytes === undefined) return err(PaymentErrors.signature('the signed text cannot be encoded in its charset'));
    return verifyMd5WithRsa(keys.publicKey, bytes, signature) ? ok(text) : err(PaymentErrors.signature('RSA signature does not verify with lianlianPublicKey: check the key, and that the raw body was passed unchanged'));
  });
}

/**
 * What node:crypto hashes for a signed text: a UTF-8 text is handed over as the string itself
 * (node:crypto encodes it natively, no Buffer is built per message); other charsets go through
 * the strict encoder.
 */
function bytesOf(text: string, charset: Charset): Uint8Array | string | undefined {
  if (charset === 'UTF-8') return text;
  const encoded = encodeStrict(text, charset);
  return encoded.isOk() ? encoded.value : undefined;
}

/**
 * MD5withRSA verification (core's `rsaVerify`: strict base64, line-wrapped base64 unwrapped). Form
 * decoding may have turned '+' of the base64 signature into spaces (the sync return of spec 4.2):
 * base64 has no spaces, so they are restored first.
 */
function verifyMd5WithRsa(key: KeyObject, data: Uint8Array | string, signature: string): boolean {
  return rsaVerify('md5', key, data, signature.includes(' ') ? signature.replace(/ /g, '+') : signature);
}
