/** Reads LianLian payout replies: raw bytes → JSON → signature verified → decoded. Nothing trusted before. */
import type { KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { decodeWith, parseJsonObject as parseJsonBody, PaymentErrors, type PayResult } from '@paykit/core';
import * as t from 'io-ts';
import { verifyFields } from './signer.js';
import { ApplyReply, QueryReply } from './wire.js';

/** Parses a raw JSON body into an object of fields; `Decode` error for anything else. */
export function parseJsonObject(body: Uint8Array, what: string): PayResult<Record<string, unknown>> {
  return parseJsonBody(body, what, WORDING);
}

const WORDING = { providerId: 'lianlian-payout', hint: 'LianLian replies and notifications are JSON objects' } as const;

/** Parses, verifies and decodes a signed message with a codec, then checks it is for this merchant and order. */
export function readSigned<A extends { readonly oid_partner: string; readonly no_order?: string }>(
  body: Uint8Array, codec: t.Decoder<unknown, A>, publicKey: KeyObject, what: string,
  expected: { readonly oidPartner: string; readonly noOrder?: string },
): PayResult<A> {
  return parseJsonObject(body, what)
    .andThen((fields) => verifyFields(fields, publicKey, what).map(() => fields))
    .andThen((fields) => decodeWith(codec, fields, what, 'reply'))
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
