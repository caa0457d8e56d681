/** `paykit sign` / `paykit verify` for Example Pay. */
import { PaymentErrors, Secret, type ProviderTools } from '@paykit/core';
import { err, ok } from 'neverthrow';
import { sign, signedText, verifyFields } from './signer.js';
import { parseFlatJson } from './wire.js';

function keyOf(md5Key: string | undefined): Secret | undefined {
  return md5Key === undefined || md5Key === '' ? undefined : new Secret(md5Key);
}

const NO_KEY = 'Example Pay signs with the merchant HMAC key: pass it as the key option (--key)';

/**
 * Signs request fields and verifies messages with the merchant key (given as `md5Key`, the CLI's
 * generic symmetric-key option).
 */
export const exampleTools: ProviderTools = {
  sign(fields, options) {
    const key = keyOf(options.md5Key);
    if (key === undefined) return err(PaymentErrors.invalidRequest(NO_KEY, { path: 'key' }));
    const withType = { ...fields, sign_type: 'HMAC-SHA256' };
    return ok({ field: 'sign', signature: sign(withType, key), signedText: signedText(withType) });
  },
  verify(raw, options) {
    const key = keyOf(options.md5Key);
    if (key === undefined) return err(PaymentErrors.invalidRequest(NO_KEY, { path: 'key' }));
    return parseFlatJson(raw, 'message').andThen((fields) => verifyFields(fields, key, 'message').map(() => ({
      message: 'notify_id' in fields ? 'notification' : 'code' in fields ? 'reply' : 'request',
      result: fields,
      signedText: signedText(fields),
    })));
  },
};
