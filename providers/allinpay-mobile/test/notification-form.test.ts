import { createSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPaykit, Tokens } from '@paykit/core';
import { allinpayMobilePlugin, AllinpayConfigCodec, parseNotificationForm, settingsOf, verifyPaymentResult, type AllinpaySettings } from '../src/index.js';
import { simulatorIdentity } from '../src/simulator/index.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const rsaSha1 = (s: string): string => createSign('RSA-SHA1').update(s, 'utf8').sign(simulatorIdentity().privateKey, 'base64');

function settings(): AllinpaySettings {
  const decoded = AllinpayConfigCodec.decode({
    merchantId: '100020091218001', md5Key: '1234567890', signType: '1', certificate: simulatorIdentity().certificatePem,
    receiveUrl: 'http://127.0.0.1:9/notify',
  });
  if (decoded._tag === 'Left') throw new Error('bad test config');
  return settingsOf(decoded.right as never);
}

const FIELDS = {
  merchantId: '100020091218001', version: 'v1.0', language: '1', signType: '1', payType: '0', paymentOrderId: '201501150001',
  orderNo: 'NO20150115093032', orderDatetime: '20150115093027', orderAmount: '1000', payDatetime: '20150115093102',
  payAmount: '1000', ext1: '中 文+1', payResult: '1', returnDatetime: '20150115093105',
};
// Written out by hand in the spec 2.2.3 order (not built by the code under test).
const SIGNED = 'merchantId=100020091218001&version=v1.0&language=1&signType=1&payType=0&paymentOrderId=201501150001'
  + '&orderNo=NO20150115093032&orderDatetime=20150115093027&orderAmount=1000&payDatetime=20150115093102&payAmount=1000'
  + '&ext1=中 文+1&payResult=1&returnDatetime=20150115093105';

describe('Allinpay notification form', () => {
  context('when values carry UTF-8 %-escapes, + for spaces and an escaped +', () => {
    it('decodes them as a browser form would', () => {
      const r = parseNotificationForm(bytes('orderNo=A%2B1&ext1=%E4%B8%AD+%E6%96%87%2B1&ext2=a+b&empty=&=nameless&flag'));
      expect(r._unsafeUnwrap()).to.deep.equal({ orderNo: 'A+1', ext1: '中 文+1', ext2: 'a b', empty: '' });
    });
  });

  context('when a value has a broken %-escape', () => {
    for (const bad of ['ext1=%E4%B8', 'ext1=%ZZ', 'ext1=abc%2', 'signMsg=ab%C3']) {
      it(`returns a Decode error for "${bad}" instead of throwing`, () => {
        const r = parseNotificationForm(bytes(`orderNo=1&${bad}`));
        expect(r.isErr() && r.error.kind).to.equal('Decode');
        expect(r.isErr() && r.error.message).to.contain('%-escape');
      });
    }
  });

  context('when signMsg arrives with its + unescaped, escaped, or already turned into a space', () => {
    it('keeps every one of them a + (base64 has no spaces)', () => {
      const r = parseNotificationForm(bytes('signMsg=ab+cd%2Bef%20gh%2F%3D'));
      expect(r._unsafeUnwrap().signMsg).to.equal('ab+cd+ef+gh/=');
    });
  });

  context('when a certificate-signed notification is posted as an encoded form', () => {
    const signMsg = rsaSha1(SIGNED);

    it('verifies over the exact spec-order text, with ext1 decoded', () => {
      const body = new URLSearchParams({ ...FIELDS, signMsg }).toString();
      const r = parseNotificationForm(bytes(body)).andThen((f) => verifyPaymentResult(f, settings(), 'CNY'));
      if (r.isErr()) throw new Error(r.error.message);
      expect(r.value.signedText).to.equal(SIGNED);
      expect(r.value.report).to.deep.include({ orderId: 'NO20150115093032', status: 'succeeded', amount: { amount: 1000, currency: 'CNY' } });
    });

    it('verifies a signMsg wrapped in CRLF lines by an old base64 encoder', () => {
      const wrapped = (signMsg.match(/.{1,76}/g) ?? []).join('\r\n');
      const body = new URLSearchParams({ ...FIELDS, signMsg: wrapped }).toString();
      const r = parseNotificationForm(bytes(body)).andThen((f) => verifyPaymentResult(f, settings(), 'CNY'));
      expect(r.isOk()).to.equal(true);
    });

    it('rejects a signMsg with stray characters, a changed field, or fields in another order', () => {
      const withJunk = verifyPaymentResult({ ...FIELDS, signMsg: `${signMsg.slice(0, 10)}!${signMsg.slice(10)}` }, settings(), 'CNY');
      expect(withJunk.isErr() && withJunk.error.kind).to.equal('Signature');
      const changed = verifyPaymentResult({ ...FIELDS, payAmount: '1001', signMsg }, settings(), 'CNY');
      expect(changed.isErr() && changed.error.kind).to.equal('Signature');
      const reordered = rsaSha1(SIGNED.replace('version=v1.0&language=1', 'language=1&version=v1.0'));
      const wrongOrder = verifyPaymentResult({ ...FIELDS, signMsg: reordered }, settings(), 'CNY');
      expect(wrongOrder.isErr() && wrongOrder.error.kind).to.equal('Signature');
    });
  });
});

describe('Allinpay certificate configuration', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'allinpay-cert-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['PEM', 'DER'] as const) {
    context(`when "certificate" is a file: reference to a ${format} certificate`, () => {
      it('verifies a notification signed by independent code with the key of that certificate', async () => {
        const file = format === 'PEM' ? 'TLCert.pem' : 'TLCert.cer';
        writeFileSync(join(dir, file), format === 'PEM' ? simulatorIdentity().certificatePem : simulatorIdentity().certificateDer);
        const built = await createPaykit({
          instances: { app: { plugin: 'allinpay-mobile', options: {
            merchantId: '100020091218001', md5Key: 'literal:1234567890', certificate: `file:${file}`, receiveUrl: 'http://127.0.0.1:9/notify',
          } } },
        }, { plugins: [allinpayMobilePlugin], baseDir: dir, env: {} });
        if (built.isErr()) throw new Error(built.error.message);
        const notifications = built.value.extension('app', Tokens.Notifications)._unsafeUnwrap();
        const body = bytes(new URLSearchParams({ ...FIELDS, signMsg: rsaSha1(SIGNED) }).toString());
        const r = notifications.verify({ method: 'POST', url: '/notify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        expect(r.isOk() && r.value.event).to.deep.include({ type: 'payment' });
        const tampered = bytes(new URLSearchParams({ ...FIELDS, orderAmount: '1', signMsg: rsaSha1(SIGNED) }).toString());
        const bad = notifications.verify({ method: 'POST', url: '/notify', headers: {}, body: tampered });
        expect(bad.isErr() && bad.error.kind).to.equal('Signature');
      });
    });
  }
});
