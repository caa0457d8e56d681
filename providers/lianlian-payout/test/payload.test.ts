import { constants, createCipheriv, createDecipheriv, createHmac, createSign, createVerify, privateDecrypt, publicEncrypt } from 'node:crypto';
import { request } from 'node:http';
import { expect } from 'chai';
import { loadPublicKey } from '@paykit/core';
import { encryptWithKeys, type RandomSource } from '../src/index.js';
import { decryptPayload } from '../src/simulator/index.js';
import { lianlianKeys, merchantKeys, OID_PARTNER, payoutInput, startRig, type Rig } from './support.js';

const HMAC_KEY = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
const AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA987654';
const NONCE = 'N0NCE123';

/** Hands out the fixed keys in the order the plugin draws them: hmacKey, aesKey, nonce. */
function fixedRandom(): RandomSource {
  const queue = [HMAC_KEY, AES_KEY, NONCE];
  let i = 0;
  return { chars: (n) => { const v = queue[i % 3] as string; i += 1; if (v.length !== n) throw new Error(`asked ${n} chars, expected ${v.length}`); return v; } };
}

/** Independent AES-256-CTR with node:crypto: key = ASCII aesKey, counter = nonce ‖ 00…01. */
function independentCtr(aesKey: string, nonce: string, data: Buffer, decrypt = false): Buffer {
  const iv = Buffer.concat([Buffer.from(nonce, 'ascii'), Buffer.from('0000000000000001', 'hex')]);
  const c = decrypt ? createDecipheriv('aes-256-ctr', Buffer.from(aesKey, 'ascii'), iv) : createCipheriv('aes-256-ctr', Buffer.from(aesKey, 'ascii'), iv);
  return Buffer.concat([c.update(data), c.final()]);
}

function oaepDecrypt(b64: string): string {
  return privateDecrypt({ key: lianlianKeys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(b64, 'base64')).toString('ascii');
}

/** Independent LianLian sign text: sorted keys, empty values dropped, `sign` left out. */
function independentSignText(fields: Record<string, string>): string {
  return Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
}

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=utf-8' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

describe('LianLian payout pay_load (lianpay1_0_1)', () => {
  context('when the plugin sends a payout with a fixed hmacKey, aesKey and nonce', () => {
    let rig: Rig;
    let payload: string;
    let outer: Record<string, string>;
    before(async () => {
      rig = await startRig({ random: fixedRandom() });
      const r = await rig.paykit.payouts.submit({ ...payoutInput('FIX-1', 4965), memo: 'memo_1' });
      expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
      const sent = rig.sim.server.received.find((q) => q.path === '/paymentapi/payment.htm');
      outer = JSON.parse(sent!.body.toString('utf8')) as Record<string, string>;
      payload = outer['pay_load'] as string;
    });
    after(() => rig.close());

    it('posts only oid_partner and pay_load, with no plaintext field', () => {
      expect(Object.keys(outer).sort()).to.deep.equal(['oid_partner', 'pay_load']);
      expect(outer['oid_partner']).to.equal(OID_PARTNER);
      expect(JSON.stringify(outer)).not.to.include('6216261234567890018');
    });

    it('writes lianpay1_0_1$A$B$C$D$E with unwrapped base64', () => {
      const parts = payload.split('$');
      expect(parts).to.have.length(6);
      expect(parts[0]).to.equal('lianpay1_0_1');
      expect(payload).not.to.match(/[\r\n]/);
    });

    it('encrypts hmacKey (A) and aesKey (B) with RSA-OAEP SHA-1 for LianLian\'s key', () => {
      const [, a, b] = payload.split('$') as [string, string, string];
      expect(oaepDecrypt(a)).to.equal(HMAC_KEY);
      expect(oaepDecrypt(b)).to.equal(AES_KEY);
    });

    it('pins C, D and E exactly to independent node:crypto values', () => {
      const [, , , c, d, e] = payload.split('$') as [string, string, string, string, string, string];
      expect(c).to.equal(Buffer.from(NONCE, 'ascii').toString('base64'));
      expect(c).to.equal('TjBOQ0UxMjM=');
      const json = independentCtr(AES_KEY, NONCE, Buffer.from(d, 'base64'), true).toString('utf8');
      expect(d).to.equal(independentCtr(AES_KEY, NONCE, Buffer.from(json, 'utf8')).toString('base64'));
      expect(e).to.equal(createHmac('sha256', Buffer.from(HMAC_KEY, 'ascii')).update(`${c}$${d}`).digest('base64'));
    });

    it('carries every apply field, signed MD5withRSA by the merchant key', () => {
      const d = payload.split('$')[4] as string;
      const fields = JSON.parse(independentCtr(AES_KEY, NONCE, Buffer.from(d, 'base64'), true).toString('utf8')) as Record<string, string>;
      expect(fields).to.include({
        oid_partner: OID_PARTNER, api_version: '1.0', sign_type: 'RSA', no_order: 'FIX-1', money_order: '49.65',
        card_no: '6216261234567890018', acct_name: '张三', info_order: '提现 withdrawal', flag_card: '0', notify_url: rig.notifyUrl, memo: 'memo_1',
      });
      expect(fields['dt_order']).to.match(/^\d{14}$/);
      const ok = createVerify('RSA-MD5').update(independentSignText(fields), 'utf8').verify(merchantKeys.publicKey, fields['sign'] as string, 'base64');
      expect(ok).to.equal(true);
    });
  });

  context('when encryptWithKeys seals a known JSON text', () => {
    it('gives C, D and E that independent node:crypto code reproduces', () => {
      const json = '{"no_order":"2017041316593411","money_order":"0.02","acct_name":"全渠道"}';
      const key = loadPublicKey(lianlianKeys.publicB64)._unsafeUnwrap();
      const p = encryptWithKeys(json, key, { hmacKey: HMAC_KEY, aesKey: AES_KEY, nonce: NONCE })._unsafeUnwrap().split('$');
      const d = independentCtr(AES_KEY, NONCE, Buffer.from(json, 'utf8')).toString('base64');
      expect(p[3]).to.equal('TjBOQ0UxMjM=');
      expect(p[4]).to.equal(d);
      expect(p[5]).to.equal(createHmac('sha256', HMAC_KEY).update(`TjBOQ0UxMjM=$${d}`).digest('base64'));
    });
  });

  context('when independent node:crypto code builds the request', () => {
    let rig: Rig;
    before(async () => { rig = await startRig(); });
    after(() => rig.close());

    function independentBody(noOrder: string, o: { wrap?: boolean; tamper?: boolean } = {}): string {
      const fields: Record<string, string> = {
        oid_partner: OID_PARTNER, api_version: '1.0', sign_type: 'RSA', no_order: noOrder, dt_order: '20240301090000', money_order: '10.00',
        card_no: '6216261234567890018', acct_name: '李四', info_order: 'independent', flag_card: '0', notify_url: 'http://127.0.0.1:1/n', memo: 'x',
      };
      fields['sign'] = createSign('RSA-MD5').update(independentSignText(fields), 'utf8').sign(merchantKeys.privateKey, 'base64');
      const oaep = (s: string): string => publicEncrypt({ key: lianlianKeys.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(s, 'ascii')).toString('base64');
      const wrap = (s: string): string => (o.wrap ? (s.match(/.{1,76}/g) ?? []).join('\r\n') : s);
      const c = Buffer.from(NONCE, 'ascii').toString('base64');
      let d = wrap(independentCtr(AES_KEY, NONCE, Buffer.from(JSON.stringify(fields), 'utf8')).toString('base64'));
      const e = createHmac('sha256', HMAC_KEY).update(`${c}$${d}`).digest('base64');
      if (o.tamper) d = (d[0] === 'A' ? 'B' : 'A') + d.slice(1);
      return JSON.stringify({ oid_partner: OID_PARTNER, pay_load: `lianpay1_0_1$${wrap(oaep(HMAC_KEY))}$${wrap(oaep(AES_KEY))}$${c}$${d}$${e}` });
    }

    it('the simulator accepts it and answers with a reply signed by LianLian\'s key', async () => {
      const res = await post(`${rig.sim.baseUrl}/payment.htm`, independentBody('IND-1'));
      const reply = JSON.parse(res.body) as Record<string, string>;
      expect(reply).to.include({ ret_code: '0000', no_order: 'IND-1' });
      expect(createVerify('RSA-MD5').update(independentSignText(reply), 'utf8').verify(lianlianKeys.publicKey, reply['sign'] as string, 'base64')).to.equal(true);
      expect(rig.sim.orders.get('IND-1')?.amountFen).to.equal(1000);
    });

    it('accepts base64 wrapped with \\r\\n as an old Java encoder writes it, the MAC taken over the exact text', async () => {
      const res = await post(`${rig.sim.baseUrl}/payment.htm`, independentBody('IND-WRAP', { wrap: true }));
      expect(JSON.parse(res.body)).to.include({ ret_code: '0000' });
      expect(rig.sim.orders.has('IND-WRAP')).to.equal(true);
    });

    it('rejects a payload whose ciphertext was changed, and records no order', async () => {
      const res = await post(`${rig.sim.baseUrl}/payment.htm`, independentBody('IND-TAMPER', { tamper: true }));
      expect(JSON.parse(res.body)).to.include({ ret_code: '1001' });
      expect(rig.sim.orders.has('IND-TAMPER')).to.equal(false);
    });

    it('decryptPayload returns a Signature error for a changed MAC, never a throw', () => {
      const body = JSON.parse(independentBody('IND-X')) as { pay_load: string };
      const parts = body.pay_load.split('$');
      parts[5] = createHmac('sha256', 'other key').update('x').digest('base64');
      const r = decryptPayload(parts.join('$'), lianlianKeys.privateKey);
      expect(r.isErr() && r.error.kind).to.equal('Signature');
    });

    it('decryptPayload returns an error for a payload made for another key', () => {
      const r = decryptPayload(`lianpay1_0_1$${Buffer.from('x'.repeat(128)).toString('base64')}$QQ==$QQ==$QQ==$QQ==`, lianlianKeys.privateKey);
      expect(r.isErr()).to.equal(true);
    });
  });
});
