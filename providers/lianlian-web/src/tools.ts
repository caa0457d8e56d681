/** `paykit sign` / `paykit verify` for LianLian web (CLI debugging tools). */
import { err, ok } from 'neverthrow';
import {
  charsetOf, guard, PaymentErrors, Secret, type Charset, type PayResult, type ProviderTools, type SignToolResult,
  type VerifyToolResult,
} from '@paykit/core';
import { parseJsonObject } from './api.js';
import { signedCharsetOf } from './charset.js';
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

/**
 * `--message` of `paykit sign`: `form` (or none) signs the UTF-8 bytes, the plugin's default for
 * every message; `form-charset` signs the bytes of the fields' `charset_name`, as an instance with
 * `signedBytes: "form-charset"` signs its cashier form.
 */
export const SIGNABLE_MESSAGES = ['form', 'form-charset'] as const;

function signTool(fields: Readonly<Record<string, unknown>>, options: { signType?: string; md5Key?: string; privateKey?: string; message?: string }): PayResult<SignToolResult> {
  const signType = (options.signType ?? (typeof fields.sign_type === 'string' ? fields.sign_type : 'MD5')).toUpperCase();
  if (signType !== 'MD5' && signType !== 'RSA') return err(PaymentErrors.invalidRequest('sign type must be MD5 or RSA', { path: 'signType' }));
  if (options.message !== undefined && !(SIGNABLE_MESSAGES as readonly string[]).includes(options.message)) {
    return err(PaymentErrors.invalidRequest(`unknown message "${String(options.message).slice(0, 30)}": use ${SIGNABLE_MESSAGES.join(' or ')}`, { path: 'message' }));
  }
  const formCharset = charsetOf(typeof fields.charset_name === 'string' ? fields.charset_name : 'UTF-8');
  if (formCharset.isErr()) return err(formCharset.error);
  const charset = signedCharsetOf(options.message === 'form-charset' ? 'form-charset' : 'UTF-8', formCharset.value);
  const keyTexts = {
    ...(options.md5Key !== undefined ? { md5Key: new Secret(options.md5Key) } : {}),
    ...(options.privateKey !== undefined ? { privateKey: new Secret(options.privateKey) } : {}),
  };
  const text = signingText(fields);
  return loadKeys(keyTexts).andThen((keys) => signText(text, signType as SignType, keys, charset)).map((signature) => ({
    field: 'sign', signature,
    // The MD5 key is shown as a placeholder: the signed text is for explaining, not for leaking.
    signedText: signType === 'MD5' ? `${text}&key=<md5Key>` : text,
  }));
}

/** A `--message` of `paykit verify`: `NAME[:CHARSET[:form-charset]]`, the last two for the sync return. */
interface VerifyMessageOption {
  readonly name: VerifiableMessage | undefined;
  /** The sync return form's charset (its percent-encoded bytes), UTF-8 by default. */
  readonly formCharset: Charset;
  /** The bytes the signature covers. */
  readonly signedCharset: Charset;
}

function parseVerifyMessage(message: string | undefined): PayResult<VerifyMessageOption> {
  const [name = '', charsetName, bytes, ...rest] = (message ?? '').split(':');
  const usage = `use NAME[:CHARSET[:form-charset]] with NAME one of ${VERIFIABLE_MESSAGES.join(', ')} (CHARSET and form-charset for sync-return only)`;
  const bad = (): PayResult<never> => err(PaymentErrors.invalidRequest(`unknown message "${String(message).slice(0, 40)}": ${usage}`, { path: 'message' }));
  if (name !== '' && !(VERIFIABLE_MESSAGES as readonly string[]).includes(name)) return bad();
  if (rest.length > 0 || (bytes !== undefined && bytes !== 'form-charset') || (charsetName !== undefined && name !== 'sync-return')) return bad();
  const formCharset = charsetName === undefined ? ok<Charset>('UTF-8') : charsetOf(charsetName);
  if (formCharset.isErr()) return err(formCharset.error);
  return ok({
    name: name === '' ? undefined : name as VerifiableMessage,
    formCharset: formCharset.value,
    signedCharset: signedCharsetOf(bytes === 'form-charset' ? 'form-charset' : 'UTF-8', formCharset.value),
  });
}

function verifyTool(raw: Uint8Array, options: { md5Key?: string; publicKey?: string; message?: string }): PayResult<VerifyToolResult> {
  const chosen = parseVerifyMessage(options.message);
  if (chosen.isErr()) return err(chosen.error);
  const text = Buffer.from(raw).toString('utf8').trim();
  const json = text.startsWith('{');
  const parsed = json ? parseJsonObject(Buffer.from(text, 'utf8'), 'message') : parseFormBody(Buffer.from(text, 'utf8'), chosen.value.formCharset);
  if (parsed.isErr()) return err(parsed.error);
  const fields = parsed.value;
  const message = chosen.value.name ?? recogniseMessage(fields, json);
  const spec = CODECS[message];
  const keyTexts = {
    ...(options.md5Key !== undefined ? { md5Key: new Secret(options.md5Key) } : {}),
    ...(options.publicKey !== undefined ? { lianlianPublicKey: options.publicKey } : {}),
  };
  return loadKeys(keyTexts)
    .andThen((keys) => readSignedMessage(fields, spec.codec, { expected: ['MD5', 'RSA'], unsigned: spec.unsigned, charset: chosen.value.signedCharset }, keys, message))
    .andThen(({ wire, signedText }) => {
      const hasPayment = typeof fields.money_order === 'string' && typeof fields.result_pay === 'string';
      // The report is built from the decoded fields, where an optional field sent empty is absent.
      const result = hasPayment ? reportOf(wire as Parameters<typeof reportOf>[0]) : ok(fields);
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
