/**
 * Bench: a LianLian notification verified, decoded and mapped by the plugin, against bare
 * node:crypto MD5withRSA verification of the same signed bytes.
 *
 * A second row, for reference, measures the floor of any path that reads the notification with
 * JSON.parse: strict UTF-8 decoding, JSON.parse, the signing text and the same verification, with
 * no field checks, no mapping and no error values. No plugin path can be faster than that floor,
 * so where the floor itself is near the target, the target cannot be met with JSON.parse.
 */
import { createPrivateKey, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';
import { Secret } from '@paykit/core';
import { loadKeys, verifyNotificationBody, type LianlianWebOptions } from '../src/index.js';
import { testKeys } from '../src/harness.js';
import { NotificationCodec } from '../src/wire.js';
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
  const options: LianlianWebOptions = { oidPartner: fields.oid_partner, signType: 'RSA', notifySignType: 'RSA', privateKey: new Secret(testKeys.merchantPrivate), lianlianPublicKey: testKeys.lianlianPublic, goodsCategory: '1002' };
  const keys = loadKeys(options)._unsafeUnwrap();
  if (verifyNotificationBody(body, options, keys).isErr()) throw new Error('bench notification does not verify');
  if (!floorPath(body, lianlianPublic)) throw new Error('bench notification does not verify on the floor path');
  const bare = (): boolean => createVerify('RSA-MD5').update(textBytes).verify(lianlianPublic, sign, 'base64');
  return [await measureRatio({
    name: 'lianlian-web: notification verify + decode + map',
    baseline: 'bare node:crypto RSA-MD5 verify of the same bytes',
    subject: () => verifyNotificationBody(body, options, keys),
    bare,
    target: 0.8,
  }), await measureRatio({
    name: 'lianlian-web: floor of a JSON.parse path (strict UTF-8, JSON.parse, signing text, the same verify; no checks, no mapping), for reference',
    baseline: 'the same bare verify',
    subject: () => floorPath(body, lianlianPublic),
    bare,
  })];
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The least a notification path built on JSON.parse does before it may trust anything: decode,
 * parse, rebuild the signed text (the spec's keys in order, empty values and `sign` left out) and verify it. It
 * checks no field, so it is a floor to compare the plugin with, never a way to read a notification.
 */
function floorPath(body: Uint8Array, key: KeyObject): boolean {
  const json = JSON.parse(STRICT_UTF8.decode(body)) as Record<string, string>;
  let text = '';
  // The spec's keys in signing order, known beforehand (as the plugin knows them): no sort per message.
  for (const k of NotificationCodec.sortedKeys) {
    const v = json[k];
    if (k !== 'sign' && v !== '' && v !== undefined) text += `${text === '' ? '' : '&'}${k}=${v}`;
  }
  return createVerify('RSA-MD5').update(text, 'utf8').verify(key, json.sign ?? '', 'base64');
}
