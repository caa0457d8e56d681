import { constants, createSign, createVerify, generateKeyPairSync, privateDecrypt, publicEncrypt, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import forge from 'node-forge';
import {
  aesCtr, charsetOf, constantTimeEqual, decodeText, encodeText, hexDigestEquals, hmac, isBase64, kvString, loadCertificate, loadPrivateKey, loadPublicKey,
  md5Hex, parseJsonObject, parseKv, rsaOaepDecrypt, rsaOaepEncrypt, rsaSign, rsaVerify, shaHex, type PayResult,
} from '../src/index.js';

function okValue<T>(r: PayResult<T>): T {
  if (r.isErr()) expect.fail(`expected Ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}
function errValue<T>(r: PayResult<T>) {
  if (r.isOk()) expect.fail('expected Err, got Ok');
  return r.error;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sameKey = (a: KeyObject, b: KeyObject) => expect(hex(a.export({ type: 'spki', format: 'der' }))).to.equal(hex(b.export({ type: 'spki', format: 'der' })));

// Keys generated per run with node:crypto; certificates with node-forge (test-only use).
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wrap64 = (s: string) => s.replace(/(.{64})/g, '$1\n');

function selfSignedCertificate(keys: { publicKey: KeyObject; privateKey: KeyObject }): { pem: string; der: Buffer } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2024-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2034-01-01T00:00:00Z');
  const name = [{ name: 'commonName', value: 'paykit test' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { pem: forge.pki.certificateToPem(cert), der };
}

describe('signing', () => {
  describe('kvString', () => {
    it('sorts keys by code unit, skips empty and absent values and excluded keys', () => {
      expect(kvString({ b: '2', a: '1', sign: 'x', c: '', d: undefined, e: null, B: 'upper' }, { order: 'sorted', exclude: ['sign'] }))
        .to.equal('B=upper&a=1&b=2');
    });
    it('follows a fixed order, leaving out missing keys', () => {
      expect(kvString({ z: 'last', a: 'first', m: 'mid' }, { order: ['m', 'z', 'missing', 'a'] })).to.equal('m=mid&z=last&a=first');
    });
    it('skips the literal "null" only when asked', () => {
      expect(kvString({ a: 'null', b: '1' }, { order: 'sorted' })).to.equal('a=null&b=1');
      expect(kvString({ a: 'null', b: '1' }, { order: 'sorted', skipNullLiteral: true })).to.equal('b=1');
    });
    it('writes numbers as text and objects as JSON', () => {
      expect(kvString({ n: 5, risk: { frms_ware_category: '2009', user_info_mercht_userno: 'u1' }, t: true }, { order: 'sorted' }))
        .to.equal('n=5&risk={"frms_ware_category":"2009","user_info_mercht_userno":"u1"}&t=true');
    });
    it('uses another separator when given', () => {
      expect(kvString({ a: '1', b: '2' }, { order: 'sorted', separator: '|' })).to.equal('a=1|b=2');
    });
    it('orders any set of keys as a code-unit sort does (insertion sort for small messages, Array#sort for large)', () => {
      // The reference: the keys sorted by a comparator written here, then joined. Keys include
      // upper and lower case, digits, `_`, non-ASCII and astral characters, and prefixes of each other.
      const key = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '_', '0', '9', 'é', '中', '\u{1F600}'), minLength: 1, maxLength: 6 });
      fc.assert(fc.property(fc.dictionary(key, fc.string({ minLength: 1, maxLength: 4 }), { maxKeys: 90 }), (fields) => {
        const expected = Object.keys(fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => `${k}=${fields[k]}`).join('&');
        expect(kvString(fields, { order: 'sorted' })).to.equal(expected);
      }), { numRuns: 500 });
    });
    it('orders each message by its own keys when messages of one shape and of others alternate', () => {
      // The sorted order of the previous message's keys is reused when the next has the same keys
      // in the same order: a message with one key more, fewer, renamed or in another order must not get it.
      const shapes: Record<string, string>[] = [
        { b: '2', a: '1', c: '3' }, { b: '2', a: '1', c: '3' }, { b: '2', a: '1', c: '3', A: '0' }, { b: '2', a: '1' },
        { a: '1', b: '2', c: '3' }, { b: '2', z: '1', c: '3' }, { b: '2', a: '1', c: '3' },
      ];
      const reference = (f: Record<string, string>): string => Object.keys(f).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map((k) => `${k}=${f[k]}`).join('&');
      for (const f of [...shapes, ...shapes.reverse()]) expect(kvString(f, { order: 'sorted' })).to.equal(reference(f));
      const key = fc.constantFrom('a', 'b', 'B', 'c', '_', '中');
      fc.assert(fc.property(fc.array(fc.dictionary(key, fc.constant('v'), { maxKeys: 6 }), { maxLength: 8 }), (messages) => {
        for (const f of messages) expect(kvString(f, { order: 'sorted' })).to.equal(reference(f));
      }), { numRuns: 300 });
    });
    it('leaves out every excluded key, wherever it sorts', () => {
      expect(kvString({ sign: 's', a: '1', z: '2', m: '3' }, { order: 'sorted', exclude: ['sign', 'z', 'a'] })).to.equal('m=3');
      expect(kvString({ a: '1' }, { order: 'sorted', exclude: ['a'] })).to.equal('');
    });
  });

  describe('parseKv', () => {
    it('splits pairs on the first "=" without URL-decoding', () => {
      expect(parseKv('a=1&b=x=y&c=%20')).to.deep.equal({ a: '1', b: 'x=y', c: '%20' });
    });
    it('keeps the last of duplicate keys and skips pairs with no key', () => {
      expect(parseKv('a=1&a=2&=3&noeq&b=')).to.deep.equal({ a: '2', b: '' });
    });
    it('gives nothing for an empty body', () => {
      expect(parseKv('')).to.deep.equal({});
    });
  });

  describe('digests', () => {
    // RFC 1321 appendix A.5 test suite.
    const rfc1321: readonly [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'], ['a', '0cc175b9c0f1b6a831c399e269772661'], ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'], ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ];
    for (const [input, digest] of rfc1321) {
      it(`md5("${input}") is ${digest} (and upper case on request)`, () => {
        expect(md5Hex(input)).to.equal(digest);
        expect(md5Hex(Buffer.from(input))).to.equal(digest);
        expect(md5Hex(input, 'upper')).to.equal(digest.toUpperCase());
      });
    }
    it('hashes SHA-1 and SHA-256 (FIPS 180 "abc" vectors)', () => {
      expect(shaHex('sha1', 'abc')).to.equal('a9993e364706816aba3e25717850c26c9cd0d89d');
      expect(shaHex('sha256', 'abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });
    it('computes HMAC-SHA-256 of RFC 4231 test case 2', () => {
      expect(hex(hmac('sha256', 'Jefe', 'what do ya want for nothing?'))).to.equal('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    });
    it('computes HMAC-MD5 and HMAC-SHA-1 of RFC 2202 test case 2', () => {
      expect(hex(hmac('md5', 'Jefe', 'what do ya want for nothing?'))).to.equal('750c783e6ab0b503eaa86e310a5db738');
      expect(hex(hmac('sha1', 'Jefe', 'what do ya want for nothing?'))).to.equal('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
    });
  });

  describe('constantTimeEqual', () => {
    it('is true only for identical strings', () => {
      expect(constantTimeEqual('abc', 'abc')).to.equal(true);
      expect(constantTimeEqual('abc', 'abd')).to.equal(false);
      expect(constantTimeEqual('abc', 'abcd')).to.equal(false);
      expect(constantTimeEqual('', '')).to.equal(true);
      expect(constantTimeEqual('é', 'e\u0301')).to.equal(false);
    });
  });

  describe('hexDigestEquals', () => {
    const digest = hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog');
    const text = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'; // the published HMAC-SHA256 example value (key "key")
    it('is true for the hex of the digest, in either case', () => {
      expect(hexDigestEquals(digest, text)).to.equal(true);
      expect(hexDigestEquals(digest, text.toUpperCase())).to.equal(true);
    });
    it('is false for another digest, a shorter or longer text, non-hex text, or no text', () => {
      expect(hexDigestEquals(digest, `${text.slice(0, -1)}9`)).to.equal(false);
      expect(hexDigestEquals(digest, text.slice(0, -2))).to.equal(false);
      expect(hexDigestEquals(digest, `${text}00`)).to.equal(false);
      // Node's hex decoder stops at the first non-hex pair: the text is then shorter than the digest.
      expect(hexDigestEquals(digest, `${text.slice(0, -2)}zz`)).to.equal(false);
      expect(hexDigestEquals(digest, `zz${text.slice(2)}`)).to.equal(false);
      expect(hexDigestEquals(digest, '')).to.equal(false);
      expect(hexDigestEquals(digest, undefined as unknown as string)).to.equal(false);
    });
  });

  describe('aesCtr', () => {
    // NIST SP 800-38A F.5.5 CTR-AES256.Encrypt.
    const key = Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex');
    const counter = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'hex');
    const plain = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710', 'hex');
    const cipher = '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6';
    it('encrypts the NIST vector', () => {
      expect(hex(okValue(aesCtr(key, counter, plain)))).to.equal(cipher);
    });
    it('decrypts it back (CTR is symmetric)', () => {
      expect(hex(okValue(aesCtr(key, counter, Buffer.from(cipher, 'hex'))))).to.equal(hex(plain));
    });
    it('refuses a key or counter of the wrong size', () => {
      expect(errValue(aesCtr(Buffer.alloc(20), counter, plain)).message).to.contain('got 20 and 16');
      expect(errValue(aesCtr(key, Buffer.alloc(8), plain)).kind).to.equal('InvalidRequest');
    });
  });

  describe('RSA', () => {
    const text = 'busi_partner=101001&dt_order=20240101080000&money_order=49.65&no_order=A1001&oid_partner=201408071000001543';
    for (const digest of ['md5', 'sha1', 'sha256'] as const) {
      context(`with ${digest.toUpperCase()}withRSA`, () => {
        it('signs exactly what createSign gives', () => {
          const expected = createSign(`RSA-${digest.toUpperCase()}`).update(text).sign(rsa1024.privateKey, 'base64');
          expect(okValue(rsaSign(digest, rsa1024.privateKey, text))).to.equal(expected);
        });
        it('verifies a createSign signature, also with line breaks, and refuses tampered text', () => {
          const sig = createSign(`RSA-${digest.toUpperCase()}`).update(text).sign(rsa2048.privateKey, 'base64');
          expect(rsaVerify(digest, rsa2048.publicKey, text, sig)).to.equal(true);
          expect(rsaVerify(digest, rsa2048.publicKey, text, wrap64(sig))).to.equal(true);
          expect(rsaVerify(digest, rsa2048.publicKey, `${text}0`, sig)).to.equal(false);
          expect(rsaVerify(digest, rsa1024.publicKey, text, sig)).to.equal(false);
        });
        it('produces a signature createVerify accepts', () => {
          const sig = okValue(rsaSign(digest, rsa2048.privateKey, Buffer.from(text)));
          expect(createVerify(`RSA-${digest.toUpperCase()}`).update(text).verify(rsa2048.publicKey, sig, 'base64')).to.equal(true);
        });
      });
    }
    it('refuses malformed signatures with false', () => {
      for (const bad of ['', 'not base64!', '====', 'AAAA', undefined as unknown as string]) expect(rsaVerify('sha1', rsa1024.publicKey, text, bad)).to.equal(false);
    });
    it('refuses a valid signature with a character node\'s decoder would skip, or padding inside it', () => {
      const sig = okValue(rsaSign('sha1', rsa1024.privateKey, text));
      expect(rsaVerify('sha1', rsa1024.publicKey, text, sig)).to.equal(true);
      // node decodes each of these to the same bytes (it skips what is not base64), so only the check refuses them.
      for (const junk of ['!', '.', '*', '%', 'é']) {
        const tampered = `${sig.slice(0, 10)}${junk}${sig.slice(10)}`;
        expect(createVerify('RSA-SHA1').update(text).verify(rsa1024.publicKey, tampered, 'base64'), junk).to.equal(true);
        expect(rsaVerify('sha1', rsa1024.publicKey, text, tampered), junk).to.equal(false);
      }
      expect(rsaVerify('sha1', rsa1024.publicKey, text, `${sig.slice(0, 10)}=${sig.slice(10)}`)).to.equal(false);
    });
    it('isBase64 accepts exactly what the anchored pattern ^[A-Za-z0-9+/]+={0,2}$ accepts', () => {
      const reference = /^[A-Za-z0-9+/]+={0,2}$/;
      for (const s of ['', '=', '==', 'A', 'A=', 'A==', 'A===', 'A=A', '=A', 'AB=C=', 'AB==', 'AB= ', ' AB', 'A\nB', 'AB=\n', 'ABC+/9z']) {
        expect(isBase64(s), JSON.stringify(s)).to.equal(reference.test(s));
      }
      const unit = fc.constantFrom('A', 'z', '0', '+', '/', '=', ' ', '\n', '-', '_', '!', 'é');
      fc.assert(fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
        expect(isBase64(s)).to.equal(reference.test(s));
      }), { numRuns: 2000 });
    });
    it('signing with a public key is an InvalidConfig, not a throw', () => {
      expect(errValue(rsaSign('sha1', rsa1024.publicKey, text)).kind).to.equal('InvalidConfig');
    });
    for (const oaepHash of ['sha1', 'sha256'] as const) {
      it(`RSA-OAEP (${oaepHash}) encrypts for privateDecrypt and decrypts publicEncrypt`, () => {
        const secret = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
        const enc = okValue(rsaOaepEncrypt(rsa2048.publicKey, secret, oaepHash));
        expect(hex(privateDecrypt({ key: rsa2048.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, enc))).to.equal(hex(secret));
        const theirs = publicEncrypt({ key: rsa2048.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, secret);
        expect(hex(okValue(rsaOaepDecrypt(rsa2048.privateKey, theirs, oaepHash)))).to.equal(hex(secret));
      });
    }
    it('RSA-OAEP decryption with the wrong key is a Signature error', () => {
      const enc = okValue(rsaOaepEncrypt(rsa2048.publicKey, Buffer.from('x')));
      expect(errValue(rsaOaepDecrypt(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, enc)).kind).to.equal('Signature');
    });
  });

  describe('key loading', () => {
    const pkcs1Pem = rsa1024.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const pkcs8Pem = rsa1024.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pkcs8Der = rsa1024.privateKey.export({ type: 'pkcs8', format: 'der' });
    const pkcs1Der = rsa1024.privateKey.export({ type: 'pkcs1', format: 'der' });
    const spkiDer = rsa1024.publicKey.export({ type: 'spki', format: 'der' });
    const spkiPem = rsa1024.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pubPkcs1Pem = rsa1024.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();

    const privateInputs: readonly [string, string | Uint8Array][] = [
      ['PKCS#1 PEM', pkcs1Pem], ['PKCS#8 PEM', pkcs8Pem], ['bare base64 PKCS#8 DER on one line', pkcs8Der.toString('base64')],
      ['bare base64 PKCS#8 DER with line breaks', wrap64(pkcs8Der.toString('base64'))], ['bare base64 PKCS#1 DER', pkcs1Der.toString('base64')],
      ['raw PKCS#8 DER bytes', pkcs8Der], ['raw PKCS#1 DER bytes', pkcs1Der], ['PEM with CRLF line ends', pkcs8Pem.replace(/\n/g, '\r\n')],
      ['PEM text as bytes', Buffer.from(pkcs1Pem)],
    ];
    for (const [name, input] of privateInputs) {
      it(`loads a private key from ${name}`, () => {
        const key = okValue(loadPrivateKey(input));
        expect(key.type).to.equal('private');
        // The same key: its signature verifies with the original public key.
        const sig = createSign('RSA-SHA256').update('x').sign(key);
        expect(createVerify('RSA-SHA256').update('x').verify(rsa1024.publicKey, sig)).to.equal(true);
      });
    }

    it('a 1024-bit SPKI key in base64 starts "MIGf" (the form providers publish)', () => {
      expect(spkiDer.toString('base64').startsWith('MIGf')).to.equal(true);
    });
    const cert = selfSignedCertificate(rsa1024);
    const publicInputs: readonly [string, string | Uint8Array][] = [
      ['SPKI PEM', spkiPem], ['bare base64 SPKI (MIGf…)', spkiDer.toString('base64')], ['bare base64 SPKI with line breaks', wrap64(spkiDer.toString('base64'))],
      ['raw SPKI DER', spkiDer], ['PKCS#1 PEM', pubPkcs1Pem], ['an X.509 certificate in PEM', cert.pem], ['an X.509 certificate in DER', cert.der],
      ['an X.509 certificate as bare base64', cert.der.toString('base64')],
    ];
    for (const [name, input] of publicInputs) {
      it(`loads a public key from ${name}`, () => {
        const key = okValue(loadPublicKey(input));
        expect(key.type).to.equal('public');
        sameKey(key, rsa1024.publicKey);
      });
    }

    it('loads the Allinpay test certificate (PEM, CRLF) as node:crypto reads it', () => {
      const bytes = readFileSync(new URL('../../../shared/fixtures/allinpay-TLCert-test.cer', import.meta.url));
      const direct = new X509Certificate(bytes);
      const loaded = okValue(loadCertificate(bytes));
      expect(loaded.serialNumber).to.equal('0126084A1F7A');
      expect(loaded.subject).to.contain('O=Allinpay Network Services Co.Ltd');
      expect(loaded.fingerprint256).to.equal(direct.fingerprint256);
      sameKey(okValue(loadPublicKey(bytes.toString('latin1'))), direct.publicKey);
    });
    it('loads a generated certificate from DER bytes and PEM text', () => {
      expect(okValue(loadCertificate(cert.der)).subject).to.equal('CN=paykit test');
      expect(okValue(loadCertificate(cert.pem)).serialNumber).to.equal('01');
    });

    context('when the input is not a key', () => {
      const secretish = 'MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAL-NOT-A-KEY-BUT-SECRET';
      const garbage: readonly [string, string | Uint8Array][] = [
        ['text that is not base64', secretish], ['valid base64 that is not DER', Buffer.from('my md5 key 1234567890').toString('base64')],
        ['a truncated PEM', pkcs8Pem.slice(0, 200)], ['bytes starting like DER', Buffer.from([0x30, 0x82, 0x01, 0x02, 0x03])], ['an empty string', ''],
      ];
      for (const [name, input] of garbage) {
        it(`${name} is an InvalidConfig that does not echo the input`, () => {
          for (const r of [loadPrivateKey(input), loadPublicKey(input), loadCertificate(input)]) {
            const e = errValue(r as PayResult<unknown>);
            expect(e.kind).to.equal('InvalidConfig');
            const printed = JSON.stringify(e);
            const inputText = typeof input === 'string' ? input : Buffer.from(input).toString('base64');
            if (inputText.length > 8) {
              expect(printed).to.not.contain(inputText.slice(0, 24));
              expect(printed).to.not.contain(inputText.slice(-16));
            }
          }
        });
      }
      it('a public key is not accepted as a private key', () => {
        expect(errValue(loadPrivateKey(spkiPem)).kind).to.equal('InvalidConfig');
      });
    });
  });

  describe('charsets', () => {
    it('encodes "中文" in GBK, GB2312 and GB18030 as d6 d0 ce c4, and in UTF-8 as e4 b8 ad e6 96 87', () => {
      for (const cs of ['GBK', 'GB2312', 'GB18030'] as const) expect(hex(okValue(encodeText('中文', cs)))).to.equal('d6d0cec4');
      expect(hex(okValue(encodeText('中文', 'UTF-8')))).to.equal('e4b8ade69687');
    });
    it('decodes those bytes back', () => {
      for (const cs of ['GBK', 'GB2312', 'GB18030'] as const) expect(okValue(decodeText(Buffer.from('d6d0cec4', 'hex'), cs))).to.equal('中文');
      expect(okValue(decodeText(Buffer.from('e4b8ade69687', 'hex'), 'UTF-8'))).to.equal('中文');
    });
    it('treats GBK bytes read as UTF-8 as a Decode error, not replacement characters', () => {
      const e = errValue(decodeText(Buffer.from('d6d0cec4', 'hex'), 'UTF-8'));
      expect(e.kind).to.equal('Decode');
      expect(e.message).to.contain('UTF-8');
    });
    it('refuses characters GBK cannot hold instead of writing "?"', () => {
      expect(errValue(encodeText('pay 😀', 'GBK')).kind).to.equal('InvalidRequest');
      expect(errValue(encodeText('pay 😀', 'GB2312')).kind).to.equal('InvalidRequest');
    });
    it('encodes any Unicode text in GB18030 and reads it back', () => {
      const s = 'pay 😀 €';
      expect(okValue(decodeText(okValue(encodeText(s, 'GB18030')), 'GB18030'))).to.equal(s);
    });
    it('names charsets case-insensitively', () => {
      expect(okValue(charsetOf('utf-8'))).to.equal('UTF-8');
      expect(okValue(charsetOf('utf8'))).to.equal('UTF-8');
      expect(okValue(charsetOf('gbk'))).to.equal('GBK');
      expect(errValue(charsetOf('latin1')).kind).to.equal('InvalidRequest');
    });
  });

  describe('parseJsonObject', () => {
    const body = (s: string | number[]): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Uint8Array.from(s));
    it('gives the fields of a JSON object, whatever their values', () => {
      expect(okValue(parseJsonObject(body('{"a":"1","b":{"c":2},"d":null}'), 'reply'))).to.deep.equal({ a: '1', b: { c: 2 }, d: null });
    });
    it('refuses bytes that are not UTF-8, text that is not JSON, and JSON that is not an object, as Decode errors naming the message', () => {
      const cases: [Uint8Array, string][] = [
        [body([0xc4, 0xe3, 0xba, 0xc3]), 'notification is not valid UTF-8: pass the body\'s bytes exactly as received'],
        [body('<html><body>502 Bad Gateway</body></html>'), 'notification is not JSON (41 characters starting "<html><body>502 Bad Gate"): send JSON'],
        [body(''), 'notification is not JSON (0 characters starting ""): send JSON'],
        [body('[1,2]'), 'notification is JSON but not an object'],
        [body('null'), 'notification is JSON but not an object'],
        [body('"text"'), 'notification is JSON but not an object'],
      ];
      for (const [bytes, message] of cases) {
        expect(errValue(parseJsonObject(bytes, 'notification', { providerId: 'p', hint: 'send JSON' }))).to.deep.include({ kind: 'Decode', message, providerId: 'p' });
      }
    });
    it('masks a card number in the part of the body it quotes', () => {
      const e = errValue(parseJsonObject(body('card_no=6216261234567890&x=1'), 'notification'));
      expect(e.message).to.equal('notification is not JSON (28 characters starting "card_no=621626******7890")');
      expect(e.providerId).to.equal(undefined);
    });
  });
});
