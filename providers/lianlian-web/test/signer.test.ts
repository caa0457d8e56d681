import { createHash, createSign, createVerify, createPrivateKey, createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { Secret } from '@paykit/core';
import { loadKeys, signingText, signText, verifyFields } from '../src/index.js';
import { NotificationCodec } from '../src/wire.js';
import { simSign, simSigningText, simSpoil } from '../src/simulator/index.js';
import { testKeys } from './support.js';

// Spec 6.1.3's example request fields (the document wraps the string over lines; "¬ify_url" is
// its rendering of "&notify_url").
const EXAMPLE = {
  busi_partner: '101001', dt_order: '20130516131212', info_order: '用户13958069593购买了3桶羽毛球', money_order: '210.97',
  name_goods: '羽毛球', no_order: '20130516000000001', notify_url: 'http://payhttp.xiaofubao.com/***/back.shtml',
  oid_partner: '201304121000001004', sign_type: 'RSA',
};
const EXAMPLE_TEXT = 'busi_partner=101001&dt_order=20130516131212&info_order=用户13958069593购买了3桶羽毛球&money_order=210.97'
  + '&name_goods=羽毛球&no_order=20130516000000001&notify_url=http://payhttp.xiaofubao.com/***/back.shtml'
  + '&oid_partner=201304121000001004&sign_type=RSA';

const keys = loadKeys({ md5Key: new Secret('lianlian1234567890'), privateKey: new Secret(testKeys.merchantPrivate), lianlianPublicKey: testKeys.lianlianPublic })._unsafeUnwrap();
const merchantPublic = createPublicKey({ key: Buffer.from(testKeys.merchantPublic, 'base64'), format: 'der', type: 'spki' });
const lianlianPublicOf = () => createPublicKey({ key: Buffer.from(testKeys.lianlianPublic, 'base64'), format: 'der', type: 'spki' });
const lianlianPrivate = createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' });

describe('LianLian web signing', function () {
  context('when building the signing string of the spec 6.1.3 example', function () {
    it('reproduces the documented string exactly', function () {
      expect(signingText(EXAMPLE)).to.equal(EXAMPLE_TEXT);
    });

    it('sorts keys, skips empty values and the literal null, and leaves sign out', function () {
      const shuffled = { sign: 'zzz', url_order: '', platform: 'null', ...EXAMPLE };
      expect(signingText(shuffled)).to.equal(EXAMPLE_TEXT);
    });

    it('appends &key= for MD5 and hashes lowercase hex, as node:crypto computes it', function () {
      const md5 = { ...EXAMPLE, sign_type: 'MD5' };
      const expected = createHash('md5').update(`${EXAMPLE_TEXT.replace('sign_type=RSA', 'sign_type=MD5')}&key=lianlian1234567890`, 'utf8').digest('hex');
      expect(signText(signingText(md5), 'MD5', keys)._unsafeUnwrap()).to.equal(expected);
      expect(expected).to.match(/^[0-9a-f]{32}$/);
    });
  });

  context('when signing with RSA (MD5withRSA)', function () {
    it('produces a signature that bare node:crypto verifies with the merchant public key', function () {
      const sig = signText(EXAMPLE_TEXT, 'RSA', keys)._unsafeUnwrap();
      expect(createVerify('RSA-MD5').update(Buffer.from(EXAMPLE_TEXT, 'utf8')).verify(merchantPublic, sig, 'base64')).to.equal(true);
    });

    it('verifies a signature made by bare node:crypto with LianLian\'s private key', function () {
      const fields = { ...EXAMPLE, sign: createSign('RSA-MD5').update(Buffer.from(EXAMPLE_TEXT, 'utf8')).sign(lianlianPrivate, 'base64') };
      expect(verifyFields(fields, ['RSA'], keys).isOk()).to.equal(true);
    });

    it('accepts the signature wrapped by an old Java encoder or with + turned into spaces, and refuses junk characters', function () {
      // The test keys are generated per run, so pick a message whose signature has a "+" (about
      // 93% of them do): vary info_order until one does.
      let fields = EXAMPLE;
      let text = EXAMPLE_TEXT;
      let sig = createSign('RSA-MD5').update(Buffer.from(text, 'utf8')).sign(lianlianPrivate, 'base64');
      for (let i = 0; !sig.includes('+') && i < 64; i += 1) {
        fields = { ...EXAMPLE, info_order: `${EXAMPLE.info_order}${i}` };
        text = EXAMPLE_TEXT.replace(`info_order=${EXAMPLE.info_order}&`, `info_order=${EXAMPLE.info_order}${i}&`);
        sig = createSign('RSA-MD5').update(Buffer.from(text, 'utf8')).sign(lianlianPrivate, 'base64');
      }
      expect(sig).to.include('+');
      const wrapped = `${sig.slice(0, 76)}\r\n${sig.slice(76)}`;
      expect(verifyFields({ ...fields, sign: wrapped }, ['RSA'], keys).isOk()).to.equal(true);
      expect(verifyFields({ ...fields, sign: sig.replace(/\+/g, ' ') }, ['RSA'], keys).isOk()).to.equal(true);
      // node's base64 decoder would skip "!" and still verify: the plugin refuses it.
      expect(createVerify('RSA-MD5').update(Buffer.from(text, 'utf8')).verify(lianlianPublicOf(), `${sig.slice(0, 10)}!${sig.slice(10)}`, 'base64')).to.equal(true);
      expect(verifyFields({ ...fields, sign: `${sig.slice(0, 10)}!${sig.slice(10)}` }, ['RSA'], keys)._unsafeUnwrapErr().kind).to.equal('Signature');
    });

    it('refuses the same signature once one character of a field changes', function () {
      const sig = createSign('RSA-MD5').update(Buffer.from(EXAMPLE_TEXT, 'utf8')).sign(lianlianPrivate, 'base64');
      const e = verifyFields({ ...EXAMPLE, money_order: '210.98', sign: sig }, ['RSA'], keys);
      expect(e._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });

  context('when the form charset is GBK', function () {
    it('signs the GBK bytes, not the UTF-8 ones (MD5 checked against iconv + node:crypto)', function () {
      const gbkBytes = iconv.encode(`${EXAMPLE_TEXT}&key=lianlian1234567890`, 'gbk');
      const expected = createHash('md5').update(gbkBytes).digest('hex');
      const got = signText(EXAMPLE_TEXT, 'MD5', keys, 'GBK')._unsafeUnwrap();
      expect(got).to.equal(expected);
      expect(got).not.to.equal(signText(EXAMPLE_TEXT, 'MD5', keys, 'UTF-8')._unsafeUnwrap());
    });

    it('signs GB18030 bytes with RSA so node:crypto verifies them', function () {
      const sig = signText(EXAMPLE_TEXT, 'RSA', keys, 'GB18030')._unsafeUnwrap();
      expect(createVerify('RSA-MD5').update(iconv.encode(EXAMPLE_TEXT, 'gb18030')).verify(merchantPublic, sig, 'base64')).to.equal(true);
    });
  });

  context('when a message chooses a sign type the instance does not expect', function () {
    it('refuses an MD5-signed message where RSA is configured, even with a correct MD5', function () {
      const md5 = { ...EXAMPLE, sign_type: 'MD5' };
      const sign = createHash('md5').update(`${signingText(md5)}&key=lianlian1234567890`).digest('hex');
      const r = verifyFields({ ...md5, sign }, ['RSA'], keys);
      expect(r._unsafeUnwrapErr().kind).to.equal('Signature');
      expect(r._unsafeUnwrapErr().message).not.to.include('lianlian1234567890');
    });
  });

  context('when building signing strings of generated notifications', function () {
    // README signing rule, restated on its own: sorted keys, sign and empty or "null" values left out.
    const expected = (fields: Record<string, string>): string => Object.keys(fields).sort()
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] !== 'null')
      .map((k) => `${k}=${fields[k] as string}`).join('&');
    const VALUES = ['', 'null', 'NULL', '0', '210.97', 'SUCCESS', '用户13958069593购买了3桶羽毛球', 'a&b=c', '𠀀', ' x ', 'sign'];

    it('writes the documented string for 5 000 generated field sets, with and without the codec\'s sorted keys', function () {
      const names = NotificationCodec.sortedKeys;
      // Any subset of the codec's fields, each holding one of VALUES.
      const fieldSets = fc.record(Object.fromEntries(names.map((k) => [k, fc.constantFrom(...VALUES)])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
      fc.assert(fc.property(fieldSets, (fields) => {
        const want = expected(fields);
        expect(signingText(fields), JSON.stringify(fields)).to.equal(want);
        expect(signingText(fields, [], names), JSON.stringify(fields)).to.equal(want);
      }), { numRuns: 5_000 });
    });
  });
});


describe("the simulator's bad-signature fault (simSpoil)", () => {
  const simKeys = { md5Key: 'lianlian1234567890', lianlianPrivateKey: createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' }) };
  // Signed fields whose signature starts with `first`: the case the old fault left unchanged
  // (it always wrote "A" first for RSA), found by trying order numbers.
  function signedStartingWith(signType: 'MD5' | 'RSA', first: string): Record<string, string> {
    for (let i = 0; i < 10_000; i += 1) {
      const fields = { oid_partner: '201304121000001004', sign_type: signType, no_order: `N${i}`, money_order: '1.00' };
      const sign = simSign(simSigningText(fields), signType, simKeys);
      if (sign.startsWith(first)) return { ...fields, sign };
    }
    throw new Error(`no ${signType} signature starting with ${first} in 10,000 tries`);
  }
  for (const [signType, first] of [['RSA', 'A'], ['RSA', 'B'], ['MD5', '0'], ['MD5', '1']] as const) {
    it(`spoils a ${signType} signature starting with "${first}" so that it no longer verifies`, () => {
      const fields = signedStartingWith(signType, first);
      expect(verifyFields(fields, [signType], keys).isOk(), 'the unspoiled signature verifies').to.equal(true);
      const spoiled = simSpoil(fields.sign as string, signType);
      expect(spoiled).to.not.equal(fields.sign);
      expect(verifyFields({ ...fields, sign: spoiled }, [signType], keys)._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  }
});
