/** Core rows: signing helpers and money parsing against bare node:crypto / BigInt code on the same input. */
import { createHash, createVerify, generateKeyPairSync, createSign } from 'node:crypto';
import { kvString, md5Hex, parseDecimal, rsaVerify } from '@paykit/core';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';

const fields: Record<string, string> = {
  busi_partner: '101001', dt_order: '20240101120000', money_order: '210.97', name_goods: '羽毛球',
  no_order: '201403171000001', notify_url: 'http://127.0.0.1/notify', oid_partner: '201103171000000000',
  sign_type: 'MD5', timestamp: '20240101120000', user_id: 'u1001', version: '1.0', info_order: 'x',
};
const key = '201408071000001546_test_20140815';

/** The benchmark rows of @paykit/core. */
export async function rows(): Promise<BenchRow[]> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const text = kvString(fields, { order: 'sorted' });
  const sig = createSign('RSA-MD5').update(text).sign(privateKey, 'base64');
  const sorted = Object.keys(fields).sort();
  const amounts = ['49.65', '0.5', '100', '123456.78', '0.01'];
  let i = 0;
  return [
    await measureRatio({
      name: 'core kvString + md5Hex (MD5 sign)', baseline: 'bare join + createHash(md5)', target: 0.8,
      subject: () => md5Hex(`${kvString(fields, { order: 'sorted' })}&key=${key}`),
      bare: () => createHash('md5').update(`${sorted.map((k) => `${k}=${fields[k]}`).join('&')}&key=${key}`).digest('hex'),
    }),
    await measureRatio({
      name: 'core rsaVerify (MD5withRSA, 1024)', baseline: 'bare createVerify(RSA-MD5)', target: 0.9,
      subject: () => rsaVerify('md5', publicKey, text, sig),
      bare: () => createVerify('RSA-MD5').update(text).verify(publicKey, sig, 'base64'),
    }),
    await measureRatio({
      name: 'core parseDecimal (CNY)', baseline: 'bare regex + BigInt', target: 0.3,
      subject: () => parseDecimal(amounts[(i += 1) % amounts.length] as string, 'CNY'),
      bare: () => {
        const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amounts[(i += 1) % amounts.length] as string);
        return m ? Number(BigInt(`${m[1]}${(m[2] ?? '').padEnd(2, '0')}`)) : undefined;
      },
    }),
  ];
}
