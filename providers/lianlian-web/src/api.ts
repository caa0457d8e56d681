/**
 * The JSON APIs of spec 4.4–4.7: a signed JSON request posted to LianLian, a JSON reply that is
 * decoded and verified before anything in it is used.
 */
import { err, errAsync, ok } from 'neverthrow';
import {
  decodeWith, parseJsonObject as parseJsonBody, PaymentErrors, type HttpTransport, type Logger, type PayResult, type PayResultAsync,
} from '@paykit/core';
import { DEFAULT_API_BASE_URL, type LianlianWebOptions } from './config.js';
import { errorFromReply, PROVIDER_ID } from './mapping.js';
import { readSignedMessage, type SignedMessage, type TableCodec } from './signed-message.js';
import { signFields, type LoadedKeys } from './signer.js';
import { ErrorReplyCodec, type SignType } from './wire.js';

/** The API paths of spec 4.4–4.7. */
export const API_PATHS = {
  orderQuery: '/queryapi/orderquery.htm',
  cardBin: '/queryapi/bankcardbin.htm',
  bindList: '/queryapi/bankcardbindlist.htm',
  unbind: '/traderapi/bankcardunbind.htm',
} as const;

/** Which API. */
export type ApiName = keyof typeof API_PATHS;

/** Parses a reply body into a JSON object: strict UTF-8, then JSON; anything else is a `Decode` error. */
export function parseJsonObject(body: Uint8Array, what: string): PayResult<Record<string, unknown>> {
  return parseJsonBody(body, what, WORDING);
}

const WORDING = { providerId: PROVIDER_ID } as const;

/**
 * Checks a decoded reply: a `ret_code` other than 0000 becomes the mapped error (its signature, when
 * present, must verify); a 0000 reply must decode with `codec` and verify with the request's sign
 * type, leaving out the fields LianLian does not sign. Fields the table lacks are kept when the
 * signature covers them (see {@link readSignedMessage}).
 */
export function checkReply<A>(
  json: Record<string, unknown>, codec: TableCodec<A>, signType: SignType, keys: LoadedKeys,
  unsigned: readonly string[], operation: string,
): PayResult<SignedMessage<A>> {
  const what = `${operation} reply`;
  if (json.ret_code !== '0000') {
    // An unsigned error reply is read as it is (nothing in it can move money); a signed one must verify.
    const reply = json.sign === undefined
      ? readUnsignedError(json, what)
      : readSignedMessage(json, ErrorReplyCodec, { expected: [signType] }, keys, what).map((m) => m.wire);
    return reply.andThen((e) => err(errorFromReply(e.ret_code, e.ret_msg, operation)));
  }
  return readSignedMessage(json, codec, { expected: [signType], unsigned }, keys, what);
}

/** An error reply LianLian did not sign: only its code and message are read. */
function readUnsignedError(json: Record<string, unknown>, what: string): PayResult<{ ret_code: string; ret_msg: string }> {
  return decodeWith(ErrorReplyCodec, { ret_code: json.ret_code, ret_msg: json.ret_msg }, what, 'reply');
}

/** Posts one signed API request and returns the verified reply. */
export function callApi<A>(
  deps: { readonly options: LianlianWebOptions; readonly keys: LoadedKeys; readonly transport: HttpTransport; readonly logger: Logger },
  api: ApiName, request: Readonly<Record<string, string>>, codec: TableCodec<A>, unsigned: readonly string[], kind: 'query' | 'money',
): PayResultAsync<SignedMessage<A>> {
  const { options: o, keys } = deps;
  const operation = `${PROVIDER_ID}.${api}`;
  const signed = signFields(request, o.signType, keys);
  if (signed.isErr()) return errAsync(signed.error);
  const body = JSON.stringify({ ...request, sign: signed.value });
  const url = `${(o.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '')}${API_PATHS[api]}`;
  deps.logger.log('debug', 'lianlian-web request', { operation, no_order: request.no_order });
  return deps.transport.send(
    { method: 'POST', url, headers: { 'content-type': 'application/json;charset=UTF-8' }, body },
    { timeoutMs: o.timeoutMs ?? 10_000, kind, operation },
  ).andThen((res) => {
    if (res.status < 200 || res.status > 299) {
      return err(PaymentErrors.providerRejected(`${operation}: LianLian answered HTTP ${res.status}`, { providerId: PROVIDER_ID, retryable: res.status >= 500 }));
    }
    return parseJsonObject(res.body, `${operation} reply`).andThen((json) => checkReply(json, codec, o.signType, keys, unsigned, operation));
  });
}
