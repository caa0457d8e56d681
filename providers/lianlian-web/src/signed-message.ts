/**
 * A message LianLian signed (notification, sync return, API reply): the fields of its spec table
 * decoded, the fields the table lacks kept as text, and the signature checked over every field
 * present (less `sign` and the documented unsigned ones). A field LianLian adds later is covered
 * by its signature, so it is kept rather than refused (README "LianLian: signing" rule 1: every
 * field but `sign` is signed). An optional field sent empty or as `null` is not signed (the same
 * rule), so it is read as absent.
 */
import type * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import { decodeWith, PaymentErrors, type Charset, type PayResult } from '@paykit/core';
import { PROVIDER_ID } from './mapping.js';
import { verifyFields, type LoadedKeys } from './signer.js';
import { isNoValue, type ClosedCodec, type SignType } from './wire.js';

/** What {@link readSignedMessage} needs of a closed codec: its decoder and its key lists. */
export type TableCodec<A> = t.Decoder<unknown, A> & Pick<ClosedCodec<A>, 'sortedKeys' | 'knownKeys' | 'optionalKeys'>;

/** Fields of a verified message that its spec table does not list, as signed text. */
export type ExtraFields = Readonly<Record<string, string>>;

/** A verified message. */
export interface SignedMessage<A> {
  /** The table's fields, decoded. */
  readonly wire: A;
  /** Fields the table lacks (names as sent), empty when there are none. */
  readonly extra: ExtraFields;
  /** The exact text whose signature was checked. */
  readonly signedText: string;
}

/** How a verified message is read. */
export interface SignedMessageRules {
  /** Sign types accepted (a message cannot choose a weaker check than configured). */
  readonly expected: readonly SignType[];
  /** Fields LianLian does not sign (README rule 5). */
  readonly unsigned?: readonly string[];
  /** Bytes the signature covers (`UTF-8` for every JSON message). */
  readonly charset?: Charset;
}

// A name LianLian could add: its fields are lower-case words joined by `_`. Anything else (a `=`
// or `&` in a name would blur the `k=v&…` text the signature covers) is refused.
const EXTRA_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const NO_EXTRA: ExtraFields = Object.freeze({});

/** The text a field value is signed as (the signing text's own rule: JSON text for non-strings). */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * Decodes and verifies one message. `json` must be the message as received (every field, `sign`
 * included); `what` names it in errors.
 *
 * An optional field sent empty, as the text `null` or as JSON null is read as absent: LianLian
 * leaves such values out of what it signs (README rule 1), and sends them for fields it has no
 * value for (spec 4.3: settle_date "支付成功后会有", bank_code "余额支付没有此项"). A required field
 * sent that way is still refused. Only incoming messages are read so: a request paykit sends is
 * checked by its codec alone, which refuses empty values.
 */
export function readSignedMessage<A>(
  json: Readonly<Record<string, unknown>>, codec: TableCodec<A>, rules: SignedMessageRules, keys: LoadedKeys, what: string,
): PayResult<SignedMessage<A>> {
  // The usual message has only its table's fields, none of them empty: the closed codec, which
  // refuses any other key and any empty value, then decodes it as it is. Only a message it refuses
  // is looked at again, for fields the table lacks and for optional fields sent empty.
  let wire = decodeWith(codec, json, what, 'reply');
  let unknownKeys = false;
  let extra: Record<string, string> | undefined;
  if (wire.isErr()) {
    const known: Record<string, unknown> = {};
    let leftOut = false;
    for (const k in json) {
      const v = json[k];
      if (codec.knownKeys.has(k)) {
        // An optional field sent empty is left out; a required one stays, for the codec to refuse.
        if (isNoValue(v) && codec.optionalKeys.has(k)) leftOut = true;
        else known[k] = v;
        continue;
      }
      leftOut = true;
      unknownKeys = true;
      if (!EXTRA_NAME.test(k)) {
        return err(PaymentErrors.decode(`${what}: field name "${k.slice(0, 40)}" is not a LianLian field name (letters, digits, _)`, { path: `${what}.${k.slice(0, 40)}`, providerId: PROVIDER_ID }));
      }
      // Empty and null values are not signed (README rule 1): nothing to keep.
      if (isNoValue(v)) continue;
      (extra ??= {})[k] = textOf(v);
    }
    // Nothing left out: the codec's own error stands (a required field empty, a malformed value).
    if (!leftOut) return err(wire.error);
    wire = decodeWith(codec, known, what, 'reply');
  }
  if (wire.isErr()) return err(wire.error);
  // The signature covers the message as received (empty values left out by the signing text
  // itself). The codec's sorted key list stands for the message's keys only when it has no others.
  const signedText = verifyFields(json, rules.expected, keys, rules.unsigned ?? [], rules.charset ?? 'UTF-8', unknownKeys ? undefined : codec.sortedKeys);
  if (signedText.isErr()) return err(signedText.error);
  return ok({ wire: wire.value, extra: extra === undefined ? NO_EXTRA : Object.freeze(extra), signedText: signedText.value });
}
