/** `paykit sign` / `paykit verify` for LianLian payouts. */
import { err, ok } from 'neverthrow';
import {
  decodeWith, guard, loadPrivateKey, loadPublicKey, PaymentErrors, rsaSign, Secret, type ProviderTools, type PayResult,
  type SignToolOptions, type VerifyToolOptions, type VerifyToolResult,
} from '@paykit/core';
import * as t from 'io-ts';
import { classifyMoneyCode, classifyQueryCode, payoutStatusOf } from './mapping.js';
import { verifyPayoutNotification } from './notifications.js';
import { decodeReceived, parseJsonObject } from './replies.js';
import { signText, verifyFields } from './signer.js';
import { ApplyFields, ApplyReply, ConfirmFields, QueryFields, QueryReply } from './wire.js';

const RSA_ONLY = 'LianLian payout requests and replies are RSA only (guide 十): pass --sign-type RSA and a private key to sign, --public-key to verify; --md5-key verifies only result notifications the merchant site signs with MD5';

/** The request messages `paykit sign` knows. */
export type PayoutRequestMessage = 'apply' | 'confirm' | 'query';

function requestCodec(message: PayoutRequestMessage): t.Decoder<unknown, Record<string, unknown>> {
  return message === 'apply' ? ApplyFields : message === 'confirm' ? ConfirmFields : QueryFields;
}

/** Which request the fields are: `card_no` → apply, `confirm_code` → confirm, else query. */
export function guessRequest(fields: Readonly<Record<string, unknown>>, message?: string): PayResult<PayoutRequestMessage> {
  return guard('lianlian-payout.guessRequest', () => {
    if (message === 'apply' || message === 'confirm' || message === 'query') return ok(message);
    if (message !== undefined) return err(PaymentErrors.invalidRequest(`unknown message "${message.slice(0, 20)}": use apply, confirm or query`, { path: 'message' }));
    return ok('card_no' in fields ? 'apply' : 'confirm_code' in fields ? 'confirm' : 'query');
  });
}

function sign(fields: Readonly<Record<string, unknown>>, o: SignToolOptions): PayResult<{ field: string; signature: string; signedText: string }> {
  const signType = o.signType ?? (typeof fields['sign_type'] === 'string' ? fields['sign_type'] : 'RSA');
  if (signType.toUpperCase() !== 'RSA' || o.md5Key !== undefined) return err(PaymentErrors.invalidConfig(RSA_ONLY, { path: 'signType' }));
  if (o.privateKey === undefined) return err(PaymentErrors.invalidConfig('pass the merchant private key (PEM or base64 DER) to sign', { path: 'privateKey' }));
  const unsigned: Record<string, unknown> = { sign_type: 'RSA', api_version: '1.0', ...fields };
  delete unsigned['sign'];
  return guessRequest(unsigned, o.message)
    .andThen((m) => decodeWith(requestCodec(m), unsigned, `${m} request`))
    .andThen(() => loadPrivateKey(o.privateKey as string))
    .andThen((key) => {
      const text = signText(unsigned);
      return rsaSign('md5', key, text).map((signature) => ({ field: 'sign', signature, signedText: text }));
    });
}

function verify(raw: Uint8Array, o: VerifyToolOptions): PayResult<VerifyToolResult> {
  return parseJsonObject(raw, 'message').andThen((fields) => {
    const isNotification = o.message === 'notification' || (o.message === undefined && fields['ret_code'] === undefined && fields['result_pay'] !== undefined);
    // Result notifications follow the merchant site's sign type, which may be MD5; everything else is RSA.
    if (isNotification && o.md5Key !== undefined) {
      return verifyPayoutNotification(raw, { oidPartner: String(fields['oid_partner']), notifySignType: 'MD5', notifyMd5Key: new Secret(o.md5Key) })
        .map((v) => ({ message: 'payout notification', result: v.report, signedText: signText(fields) }));
    }
    const keyText = o.publicKey ?? o.cert;
    if (keyText === undefined) return err(PaymentErrors.invalidConfig(o.md5Key !== undefined ? RSA_ONLY : "pass LianLian's public key to verify", { path: o.md5Key !== undefined ? 'md5Key' : 'publicKey' }));
    return loadPublicKey(keyText).andThen((key) => {
      if (isNotification) {
        return verifyPayoutNotification(raw, { oidPartner: String(fields['oid_partner']), lianlianPublicKey: key })
          .map((v) => ({ message: 'payout notification', result: v.report, signedText: signText(fields) }));
      }
      const isQuery = o.message === 'query' || fields['result_pay'] !== undefined;
      const what = isQuery ? 'payout query reply' : o.message === 'confirm' ? 'payout confirm reply' : o.message === 'apply' ? 'payout apply reply' : 'payout apply or confirm reply';
      return verifyFields(fields, key, what).andThen((signedText) => {
        if (isQuery) {
          return decodeReceived(QueryReply, fields, what).map((r) => ({
            message: what, signedText,
            result: { retCode: r.ret_code, retMsg: r.ret_msg, outcome: classifyQueryCode(r.ret_code).kind, ...(r.result_pay !== undefined ? { status: payoutStatusOf(r.result_pay), resultPay: r.result_pay } : {}), ...(r.no_order !== undefined ? { noOrder: r.no_order } : {}), ...(r.money_order !== undefined ? { moneyOrder: r.money_order } : {}) },
          }));
        }
        return decodeReceived(ApplyReply, fields, what).map((r) => ({
          message: what, signedText,
          result: { retCode: r.ret_code, retMsg: r.ret_msg, outcome: classifyMoneyCode(r.ret_code).kind, ...(r.no_order !== undefined ? { noOrder: r.no_order } : {}), ...(r.confirm_code !== undefined ? { confirmCode: r.confirm_code } : {}), ...(r.oid_paybill !== undefined ? { oidPaybill: r.oid_paybill } : {}) },
        }));
      });
    });
  });
}

/** The CLI tools of the plugin: sign any payout request; verify every signed message LianLian sends for payouts. */
export const lianlianPayoutTools: ProviderTools = {
  sign: (fields, options) => guard('lianlian-payout.tools.sign', () => sign(fields, options)),
  verify: (raw, options) => guard('lianlian-payout.tools.verify', () => verify(raw, options)),
};
