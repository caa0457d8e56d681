import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResult } from '../errors/result.js';
import { decodeText } from './charset.js';

/** How {@link parseJsonObject} words its errors. */
export interface JsonObjectWording {
  /** The provider the body came from, set on the error. */
  readonly providerId?: string;
  /** What to tell the reader when the body is not JSON (`Example Pay sends a JSON object`). */
  readonly hint?: string;
}

/**
 * A provider's JSON body as an object of fields: strict UTF-8, then `JSON.parse`, then an object
 * (not an array, not null). Anything else is a `Decode` error naming `what`; a body that is not
 * JSON is quoted by its first 24 characters (card numbers in them are masked, as in every error).
 * The fields are not checked: decode them with the message's codec. Pure.
 *
 * @example
 * ```ts
 * const fields = parseJsonObject(request.body, 'payout notification', { providerId: 'lianlian-payout' });
 * ```
 */
export function parseJsonObject(body: Uint8Array, what: string, wording: JsonObjectWording = {}): PayResult<Record<string, unknown>> {
  try {
    return readJsonObject(body, what, wording);
  } catch (e) {
    // Only arguments of the wrong kind get here (a `what` that is not text, `wording` not an object).
    return err(PaymentErrors.invalidRequest('parseJsonObject takes the body\'s bytes, a name for the message and optional wording { providerId, hint }', { cause: e }));
  }
}

function readJsonObject(body: Uint8Array, what: string, wording: JsonObjectWording): PayResult<Record<string, unknown>> {
  // Straight-line, no closures: this runs on every reply and notification.
  const details = wording.providerId === undefined ? undefined : { providerId: wording.providerId };
  const text = decodeText(body, 'UTF-8');
  if (text.isErr()) return err(PaymentErrors.decode(`${what} is not valid UTF-8: pass the body's bytes exactly as received`, details));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.value);
  } catch {
    const start = JSON.stringify(text.value.slice(0, 24));
    return err(PaymentErrors.decode(`${what} is not JSON (${text.value.length} characters starting ${start})${wording.hint === undefined ? '' : `: ${wording.hint}`}`, details));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return err(PaymentErrors.decode(`${what} is JSON but not an object`, details));
  return ok(parsed as Record<string, unknown>);
}
