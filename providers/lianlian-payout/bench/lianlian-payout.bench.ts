/**
 * Bench: building an encrypted payout request (sign + pay_load) through the plugin, against the bare
 * node:crypto sequence on the same input (MD5withRSA sign, two OAEP encryptions, AES-256-CTR, HMAC).
 */
import { constants, createCipheriv, createHmac, createSign, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';
import { encryptedBody, systemRandom } from '../src/index.js';

/** The rows of this package. */
export async function rows(): Promise<BenchRow[]> {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const lianlian = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const fields: Record<string, string> = {
    oid_partner: '201606221000921503', api_version: '1.0', sign_type: 'RSA', no_order: 'BENCH-1', dt_order: '20240301090000',
    money_order: '49.65', card_no: '6216261234567890018', acct_name: '张三', info_order: '提现', flag_card: '0',
    notify_url: 'https://shop.example/notify', memo: '提现',
  };
  const options = { oidPartner: fields['oid_partner'] as string, privateKey: merchant.privateKey, lianlianPublicKey: lianlian.publicKey };
  const chars = (n: number): string => randomBytes(n).toString('hex').slice(0, n).toUpperCase();
  const bare = (): string => {
    const text = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
    const sign = createSign('RSA-MD5').update(text).sign(merchant.privateKey, 'base64');
    const json = JSON.stringify({ ...fields, sign });
    const hmacKey = chars(32);
    const aesKey = chars(32);
    const nonce = chars(8);
    const oaep = (s: string): string => publicEncrypt({ key: lianlian.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(s)).toString('base64');
    const cipher = createCipheriv('aes-256-ctr', Buffer.from(aesKey), Buffer.concat([Buffer.from(nonce), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])]));
    const c = Buffer.from(nonce).toString('base64');
    const d = Buffer.concat([cipher.update(json), cipher.final()]).toString('base64');
    const e = createHmac('sha256', hmacKey).update(`${c}$${d}`).digest('base64');
    return JSON.stringify({ oid_partner: fields['oid_partner'], pay_load: `lianpay1_0_1$${oaep(hmacKey)}$${oaep(aesKey)}$${c}$${d}$${e}` });
  };
  return [await measureRatio({
    name: 'lianlian-payout: signed + encrypted payout request',
    baseline: 'bare node:crypto (MD5withRSA, 2× OAEP, AES-CTR, HMAC)',
    subject: () => encryptedBody(fields, options, systemRandom),
    bare,
    target: 0.8,
  })];
}
