/** `paykit sign` / `paykit verify` for LianLian web (CLI debugging tools). */
import { err, ok } from 'neverthrow';
import {
  charsetOf, guard, PaymentErrors, Secret, type Charset, type PayResult, type ProviderTools, type SignToolResult,
  type VerifyToolResult,
} from '@paykit/core';
import { parseJsonObject } from './api.js';
import { PROVIDER_ID, reportOf } from './mapping.js';
import { parseFormBody } from './notifications.js';
import { loadKeys, signingText, signText } from './signer.js';
import {
  BindListReplyCodec, CardBinReplyCodec, ErrorReplyCodec, NotificationCodec, OrderQueryReplyCodec, SyncReturnCodec,
  UnbindReplyCodec, UNSIGNED_FIELDS, type SignType,
} from './wire.js';
import { readSignedMessage, type TableCodec } from './signed-message.js';

/** Messages `paykit verify` recognises. */
export const VERIFIABLE_MESSAGES = ['notification', 'sync-return', 'order-query-reply', 'card-bin-reply', 'bind-list-reply', 'unbind-reply', 'error-reply'] as const;
/** One of {@link VERIFIABLE_MESSAGES}. */
export type VerifiableMessage = (typeof VERIFIABLE_MESSAGES)[number];

const CODECS: { readonly [K in VerifiableMessage]: { codec: TableCodec<unknown>; unsigned: readonly string[] } } = {
  'notification': { codec: NotificationCodec, unsigned: [] },
  'sync-return': { codec: SyncReturnCodec, unsigned: [] },
  'order-query-reply': { codec: OrderQueryReplyCodec, unsigned: UNSIGNED_FIELDS.orderQuery },
  'card-bin-reply': { codec: CardBinReplyCodec, unsigned: [] },
  'bind-list-reply': { codec: BindListReplyCodec, unsigned: UNSIGNED_FIELDS.bindList },
  'unbind-reply': { codec: UnbindReplyCodec, unsigned: [] },
  'error-reply': { codec: ErrorReplyCodec, unsigned: [] },
};

/** Guesses which message a set of fields is (the CLI's `--message` overrides). */
export function recogniseMessage(fields: Readonly<Record<string, unknown>>, json: boolean): VerifiableMessage {
  if (!json) return 'sync-return';
  if (!('ret_code' in fields)) return 'notification';
  if (fields.ret_code !== '0000') return 'error-reply';
  if ('result_pay' in fields) return 'order-query-reply';
  if ('card_type' in fields) return 'card-bin-reply';
  if ('user_id' in fields || 'count' in fields) return 'bind-list-reply';
  return 'unbind-reply';
}

function signTool(fields: Readonly<Record<string, unknown>>, options: { signType?: string; md5Key?: string; privateKey?: string }): PayResult<SignToolResult> {
  const signType = (options.signType ?? (typeof fields.sign_type === 'string' ? fields.sign_type : 'MD5')).toUpperCase();
  if (signType !== 'MD5' && signType !== 'RSA') return err(PaymentErrors.invalidRequest('sign type must be MD5 or RSA', { path: 'signType' }));
  const charsetName = typeof fields.charset_name === 'string' ? fields.charset_name : 'UTF-8';
  const charset = charsetOf(charsetName);
  if (charset.isErr()) return err(charset.error);
  const keyTexts = {
    ...(options.md5Key !== undefined ? { md5Key: new Secret(options.md5Key) } : {}),
    ...(options.privateKey !== undefined ? { privateKey: new Secret(options.privateKey) } : {}),
  };
  const text = signingText(fields);
  return loadKeys(keyTexts).andThen((keys) => signText(text, signType as SignType, keys, charset.value)).map((signature) => ({
    field: 'sign', signature,
    // The MD5 key is shown as a placeholder: the signed text is for explaining, not for leaking.
    signedText: signType === 'MD5' ? `${text}&key=<md5Key>` : text,
  }));
}

function verifyTool(raw: Uint8Array, options: { md5Key?: string; publicKey?: string; message?: string; charset?: Charset }): PayResult<VerifyToolResult> {
  const text = Buffer.from(raw).toString('utf8').trim();
  const json = text.startsWith('{');
  const parsed = json ? parseJsonObject(Buffer.from(text, 'utf8'), 'message') : parseFormBody(Buffer.from(text, 'utf8'), options.charset ?? 'UTF-8');
  if (parsed.isErr()) return err(parsed.error);
  const fields = parsed.value;
  const message = (options.message as VerifiableMessage | undefined) ?? recogniseMessage(fields, json);
  const spec = CODECS[message];
  if (spec === undefined) return err(PaymentErrors.invalidRequest(`unknown message "${String(options.message).slice(0, 30)}": use one of ${VERIFIABLE_MESSAGES.join(', ')}`, { path: 'message' }));
  const keyTexts = {
    ...(options.md5Key !== undefined ? { md5Key: new Secret(options.md5Key) } : {}),
    ...(options.publicKey !== undefined ? { lianlianPublicKey: options.publicKey } : {}),
  };
  return loadKeys(keyTexts)
    .andThen((keys) => readSignedMessage(fields, spec.codec, { expected: ['MD5', 'RSA'], unsigned: spec.unsigned }, keys, message))
    .andThen(({ signedText }) => {
      const hasPayment = typeof fields.money_order === 'string' && typeof fields.result_pay === 'string';
      const result = hasPayment ? reportOf(fields as unknown as Parameters<typeof reportOf>[0]) : ok(fields);
      return result.map((r) => ({ message, result: message === 'sync-return' ? { final: false, claimed: r } : r, signedText }));
    });
}

/** The CLI tools of the LianLian web plugin. */
export const lianlianWebTools: ProviderTools = {
  sign: (fields, options) => guard(`${PROVIDER_ID}.tools.sign`, () => signTool(fields, options)),
  verify: (raw, options) => guard(`${PROVIDER_ID}.tools.verify`, () => verifyTool(raw, {
    ...(options.md5Key !== undefined ? { md5Key: options.md5Key } : {}),
    ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : typeof options.cert === 'string' ? { publicKey: options.cert } : {}),
    ...(options.message !== undefined ? { message: options.message } : {}),
  })),
};
