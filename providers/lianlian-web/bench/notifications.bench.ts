/**
 * Bench: a LianLian notification verified, decoded and mapped by the plugin, against bare
 * node:crypto MD5withRSA verification of the same signed bytes.
 */
import { createPrivateKey, createPublicKey, createVerify } from 'node:crypto';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';
import { Secret } from '@paykit/core';
import { loadKeys, verifyNotificationBody, type LianlianWebOptions } from '../src/index.js';
import { testKeys } from '../src/harness.js';
import { simSign, simSigningText } from '../src/simulator/index.js';

/** The rows of this file. */
export async function rows(): Promise<BenchRow[]> {
  const lianlianPrivate = createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' });
  const lianlianPublic = createPublicKey({ key: Buffer.from(testKeys.lianlianPublic, 'base64'), format: 'der', type: 'spki' });
  const fields = {
    oid_partner: '201103171000000000', dt_order: '20130515094013', no_order: '2013051500001', oid_paybill: '2013051613121201',
    money_order: '210.97', result_pay: 'SUCCESS', settle_date: '20130516', info_order: '用户13958069593购买了3桶羽毛球',
    pay_type: '2', bank_code: '01020000', sign_type: 'RSA',
  };
  const text = simSigningText(fields);
  const sign = simSign(text, 'RSA', { lianlianPrivateKey: lianlianPrivate });
  const body = Buffer.from(JSON.stringify({ ...fields, sign }), 'utf8');
  const textBytes = Buffer.from(text, 'utf8');
  const options: LianlianWebOptions = { oidPartner: fields.oid_partner, signType: 'RSA', notifySignType: 'RSA', privateKey: new Secret(testKeys.merchantPrivate), lianlianPublicKey: testKeys.lianlianPublic };
  const keys = loadKeys(options)._unsafeUnwrap();
  if (verifyNotificationBody(body, options, keys).isErr()) throw new Error('bench notification does not verify');
  return [await measureRatio({
    name: 'lianlian-web: notification verify + decode + map',
    baseline: 'bare node:crypto RSA-MD5 verify of the same bytes',
    subject: () => verifyNotificationBody(body, options, keys),
    bare: () => createVerify('RSA-MD5').update(textBytes).verify(lianlianPublic, sign, 'base64'),
    target: 0.8,
  })];
}
