/** Reads LianLian payout replies: raw bytes → JSON → signature verified → decoded. Nothing trusted before. */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { decodeWith, parseJsonObject as parseJsonBody, PaymentErrors, type PaymentError, type PayResult } from '@paykit/core';
import { verifyFields } from './signer.js';
import { ApplyReply, QueryReply, type ReceivedCodec } from './wire.js';

/** Parses a raw JSON body into an object of fields; `Decode` error for anything else. */
export function parseJsonObject(body: Uint8Array, what: string): PayResult<Record<string, unknown>> {
  return parseJsonBody(body, what, WORDING);
}

const WORDING = { providerId: 'lianlian-payout', hint: 'LianLian replies and notifications are JSON objects' } as const;

/** A value LianLian leaves out of the signing text (README rule 1): empty, the text `null`, or none. */
function isUnsigned(value: unknown): boolean {
  return value === '' || value === 'null' || value === null || value === undefined;
}

/**
 * The second reading of a signed message its codec refused (`first`): optional fields sent empty,
 * as the text `null` or as JSON null are left out and the rest decoded again. LianLian does not sign
 * such values (README "LianLian: signing" rule 1) and sends them for what it has no value for (a
 * failed payout has no settle_date), so they say nothing. A message with no such field keeps the
 * first error; a required field sent empty is still refused. Call it only when the first decode
 * failed, so a well-formed message is decoded once.
 */
export function decodeWithoutUnsigned<A>(codec: ReceivedCodec<A>, fields: Readonly<Record<string, unknown>>, what: string, first: PaymentError): PayResult<A> {
  const all = Object.entries(fields);
  const kept = all.filter(([k, v]) => !(codec.optionalKeys.has(k) && isUnsigned(v)));
  // fromEntries defines each key as an own property (a "__proto__" key stays a plain field).
  return kept.length < all.length ? decodeWith(codec, Object.fromEntries(kept), what, 'reply') : err(first);
}

/** Decodes a message LianLian signed, reading optional fields sent empty as absent (see {@link decodeWithoutUnsigned}). */
export function decodeReceived<A>(codec: ReceivedCodec<A>, fields: Readonly<Record<string, unknown>>, what: string): PayResult<A> {
  const decoded = decodeWith(codec, fields, what, 'reply');
  return decoded.isOk() ? decoded : decodeWithoutUnsigned(codec, fields, what, decoded.error);
}

/** Parses, verifies and decodes a signed message with a codec, then checks it is for this merchant and order. */
export function readSigned<A extends { readonly oid_partner: string; readonly no_order?: string }>(
  body: Uint8Array, codec: ReceivedCodec<A>, publicKey: KeyObject, what: string,
  expected: { readonly oidPartner: string; readonly noOrder?: string },
): PayResult<A> {
  return parseJsonObject(body, what)
    .andThen((fields) => verifyFields(fields, publicKey, what).map(() => fields))
    // Verified over the message as received (the signing text leaves empty values out itself).
    .andThen((fields) => decodeReceived(codec, fields, what))
    .andThen((reply) => {
      if (reply.oid_partner !== expected.oidPartner) return err(PaymentErrors.decode(`${what} is for merchant ${reply.oid_partner}, not ${expected.oidPartner}`));
      if (expected.noOrder !== undefined && reply.no_order !== undefined && reply.no_order !== expected.noOrder) {
        return err(PaymentErrors.decode(`${what} is for order ${reply.no_order}, not ${expected.noOrder}`));
      }
      return ok(reply);
    });
}

/** Reads an apply or confirm reply. */
export function readApplyReply(body: Uint8Array, key: KeyObject, expected: { readonly oidPartner: string; readonly noOrder: string }, what = 'payout apply reply'): PayResult<ApplyReply> {
  return readSigned(body, ApplyReply, key, what, expected);
}

/** Reads a query reply. */
export function readQueryReply(body: Uint8Array, key: KeyObject, expected: { readonly oidPartner: string; readonly noOrder: string }): PayResult<QueryReply> {
  return readSigned(body, QueryReply, key, 'payout query reply', expected);
}
