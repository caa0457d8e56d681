/**
 * Core rows: signing helpers and money parsing against bare node:crypto / BigInt code on the same
 * input.
 *
 * The MD5 signing row has a floor beside it. Its baseline joins keys sorted once, before the
 * measurement, because it signs one known message; a signing function is given a message's fields
 * and must sort their keys each time. The floor row is that least: the bare code with the sort
 * moved into each call, against the same baseline. Where the floor sits near the target, no
 * function that takes the fields can meet it.
 */
import { createHash, createSign, createVerify, type KeyObject } from 'node:crypto';
import { kvString, md5Hex, parseDecimal, rsaVerify } from '@paykit/core';
import { ratio, sharedKeyPair } from '@paykit/conformance/bench';

const fields: Record<string, string> = {
  busi_partner: '101001', dt_order: '20240101120000', money_order: '210.97', name_goods: '羽毛球',
  no_order: '201403171000001', notify_url: 'http://127.0.0.1/notify', oid_partner: '201103171000000000',
  sign_type: 'MD5', timestamp: '20240101120000', user_id: 'u1001', version: '1.0', info_order: 'x',
};
const key = '201408071000001546_test_20140815';
const expected = createHash('md5').update(`${Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&')}&key=${key}`).digest('hex');

function checked(sign: () => string): () => string {
  if (sign() !== expected) throw new Error('this side does not give the expected MD5 signature');
  return sign;
}

/** Bare: the keys sorted once, outside the measurement (one known message). */
const presorted = {
  name: 'bare join of keys sorted once beforehand + createHash(md5)',
  setup: () => {
    const sorted = Object.keys(fields).sort();
    return checked(() => createHash('md5').update(`${sorted.map((k) => `${k}=${fields[k]}`).join('&')}&key=${key}`).digest('hex'));
  },
};

async function rsa(): Promise<{ text: string; sig: string; publicKey: KeyObject }> {
  const { privateKey, publicKey } = await sharedKeyPair('core', 1024);
  const text = kvString(fields, { order: 'sorted' });
  return { text, sig: createSign('RSA-MD5').update(text).sign(privateKey, 'base64'), publicKey };
}

const amounts = ['49.65', '0.5', '100', '123456.78', '0.01'];
const fen = [4965, 50, 10000, 12345678, 1];

/** The rows of @paykit/core. */
export const rows = [
  ratio({
    id: 'core.md5-sign', target: 0.8,
    subject: { name: 'kvString(sorted) + md5Hex: MD5 signature of 12 fields', setup: () => checked(() => md5Hex(`${kvString(fields, { order: 'sorted' })}&key=${key}`)) },
    baseline: presorted,
  }),
  ratio({
    id: 'core.md5-sign.floor',
    subject: {
      name: 'floor: the bare code sorting the message\'s keys in each call (what any signing function must do), for reference',
      setup: () => checked(() => createHash('md5').update(`${Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&')}&key=${key}`).digest('hex')),
    },
    baseline: presorted,
  }),
  ratio({
    id: 'core.md5-sign.vs-floor',
    subject: { name: 'kvString(sorted) + md5Hex', setup: () => checked(() => md5Hex(`${kvString(fields, { order: 'sorted' })}&key=${key}`)) },
    baseline: {
      name: 'the floor: bare sort + join + createHash(md5) per call',
      setup: () => checked(() => createHash('md5').update(`${Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&')}&key=${key}`).digest('hex')),
    },
  }),
  ratio({
    id: 'core.rsa-verify', target: 0.9,
    subject: {
      name: 'rsaVerify(md5, 1024-bit key)',
      setup: async () => {
        const { text, sig, publicKey } = await rsa();
        if (!rsaVerify('md5', publicKey, text, sig)) throw new Error('does not verify');
        return () => rsaVerify('md5', publicKey, text, sig);
      },
    },
    baseline: {
      name: 'bare createVerify(RSA-MD5)',
      setup: async () => {
        const { text, sig, publicKey } = await rsa();
        return () => createVerify('RSA-MD5').update(text).verify(publicKey, sig, 'base64');
      },
    },
  }),
  ratio({
    id: 'core.parse-decimal', target: 0.3,
    subject: {
      name: 'parseDecimal(CNY) of 5 amounts',
      setup: () => {
        if (amounts.some((a, i) => parseDecimal(a, 'CNY')._unsafeUnwrap().amount !== fen[i])) throw new Error('parseDecimal disagrees');
        return () => amounts.map((a) => parseDecimal(a, 'CNY'));
      },
    },
    baseline: {
      name: 'bare regex + BigInt of the same 5 amounts (no checks, no error values)',
      setup: () => () => amounts.map((a) => {
        const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(a);
        return m ? Number(BigInt(`${m[1]}${(m[2] ?? '').padEnd(2, '0')}`)) : undefined;
      }),
    },
  }),
];
