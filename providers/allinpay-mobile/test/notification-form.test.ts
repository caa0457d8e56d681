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

  context('when a browser-style encoder wrote the form', () => {
    // Expected values come from URLSearchParams, an independent decoder of the same format.
    const values = {
      merchantId: '100020091218001', orderNo: 'A+B&C=D', ext1: '中 文+1 100% é', ext2: 'a  b\tc\r\n', payResult: '1',
      errorCode: '', unknownField: '~!*()\'%25',
    };
    const body = new URLSearchParams(values).toString();

    it('decodes every value, including the empty one, as URLSearchParams does', () => {
      expect(parseNotificationForm(bytes(body))._unsafeUnwrap()).to.deep.equal(Object.fromEntries(new URLSearchParams(body)));
    });

    it('decodes lowercase and uppercase hex escapes alike', () => {
      const lower = 'orderNo=A%2b%2f%3d%c3%a9&ext1=%e4%b8%ad';
      expect(parseNotificationForm(bytes(lower))._unsafeUnwrap()).to.deep.equal(Object.fromEntries(new URLSearchParams(lower)));
    });

    it('keeps a value that holds = after the first one', () => {
      expect(parseNotificationForm(bytes('ext1=a=b==&orderNo=1'))._unsafeUnwrap()).to.deep.equal({ ext1: 'a=b==', orderNo: '1' });
    });
  });

  context('when the pairs are not the ones or in the order Allinpay sends', () => {
    it('takes the fields in any order', () => {
      const shuffled = 'signMsg=x%2By&payResult=1&orderNo=N1&merchantId=M1&ext2=b&ext1=a';
      expect(parseNotificationForm(bytes(shuffled))._unsafeUnwrap()).to.deep.equal({ signMsg: 'x+y', payResult: '1', orderNo: 'N1', merchantId: 'M1', ext2: 'b', ext1: 'a' });
    });

    it('does not mistake a longer name for a field whose name begins it', () => {
      const r = parseNotificationForm(bytes('orderNoSuffix=1&orderNo=2&payResultX=3&signMsgs=a+b'));
      expect(r._unsafeUnwrap()).to.deep.equal({ orderNoSuffix: '1', orderNo: '2', payResultX: '3', signMsgs: 'a b' });
    });

    it('keeps the last value of a repeated name, known or not', () => {
      const r = parseNotificationForm(bytes('orderNo=1&merchantId=M&orderNo=2&extra=a&extra=b&orderNo=3'));
      expect(r._unsafeUnwrap()).to.deep.equal({ orderNo: '3', merchantId: 'M', extra: 'b' });
    });

    it('takes names as sent, without decoding them', () => {
      expect(parseNotificationForm(bytes('order%4Eo=1&a+b=2'))._unsafeUnwrap()).to.deep.equal({ 'order%4Eo': '1', 'a+b': '2' });
    });

    it('skips empty pairs, pairs without a name and names without =', () => {
      expect(parseNotificationForm(bytes('&&=x&flag&orderNo=1&&='))._unsafeUnwrap()).to.deep.equal({ orderNo: '1' });
    });

    it('stays linear on a long body of pairs without = (no search to the end of the body per pair)', () => {
      // 800 kB: about 0.1 s when linear; a search to the end of the body for every pair takes seconds.
      const body = bytes(`${'a&'.repeat(400_000)}orderNo=1`);
      const started = Date.now();
      expect(parseNotificationForm(body)._unsafeUnwrap()).to.deep.equal({ orderNo: '1' });
      expect(Date.now() - started).to.be.below(1500);
    });
  });

  context('when signMsg arrives through a form encoder', () => {
    it('decodes it as URLSearchParams does, with every space turned back into +', () => {
      const signMsg = 'ab+cd/ef==';
      const body = `orderNo=1&${new URLSearchParams({ signMsg }).toString()}`;
      const independent = (new URLSearchParams(body).get('signMsg') ?? '').replace(/ /g, '+');
      expect(parseNotificationForm(bytes(body))._unsafeUnwrap().signMsg).to.equal(independent).and.to.equal(signMsg);
    });

    it('turns a raw space into + as well', () => {
      expect(parseNotificationForm(bytes('signMsg=ab cd'))._unsafeUnwrap().signMsg).to.equal('ab+cd');
    });
  });

  context('when a %-escape is cut short by the end of its value', () => {
    for (const bad of ['ext1=ab%2&orderNo=1', 'ext1=ab%&orderNo=1', 'signMsg=ab%2&orderNo=1', 'ext1=a+b%4', 'orderNo=1&ext1=%']) {
      it(`returns a Decode error for "${bad}" rather than reading past it`, () => {
        const r = parseNotificationForm(bytes(bad));
        expect(r.isErr() && r.error.kind).to.equal('Decode');
        expect(r.isErr() && r.error.message).to.contain('%-escape');
      });
    }
  });

  context('when the body holds raw non-ASCII bytes', () => {
    it('decodes valid UTF-8 and drops a leading byte-order mark', () => {
      const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('orderNo=1&ext1=中文+é', 'utf8')]);
      expect(parseNotificationForm(new Uint8Array(raw))._unsafeUnwrap()).to.deep.equal({ orderNo: '1', ext1: '中文 é' });
    });

    it('returns a Decode error for bytes that are not UTF-8', () => {
      const r = parseNotificationForm(new Uint8Array([...Buffer.from('orderNo=1&ext1=', 'utf8'), 0xd6, 0xd0])); // GBK 中
      expect(r.isErr() && r.error.kind).to.equal('Decode');
    });

    it('reads only the bytes of a view into a larger buffer', () => {
      const backing = Buffer.from('\xffXorderNo=1&ext1=a\xff', 'latin1');
      expect(parseNotificationForm(new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 3))._unsafeUnwrap())
        .to.deep.equal({ orderNo: '1', ext1: 'a' });
    });
  });

  context('when the body is empty or only whitespace', () => {
    for (const blank of ['', '  \r\n']) {
      it(`returns a Decode error for ${JSON.stringify(blank)}`, () => {
        const r = parseNotificationForm(bytes(blank));
        expect(r.isErr() && r.error.kind).to.equal('Decode');
        expect(r.isErr() && r.error.message).to.contain('empty');
      });
    }
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

describe('Allinpay notifications capability', () => {
  async function notifications() {
    const built = await createPaykit({
      instances: { app: { plugin: 'allinpay-mobile', options: {
        merchantId: '100020091218001', md5Key: 'literal:1234567890', certificate: simulatorIdentity().certificatePem, receiveUrl: 'http://127.0.0.1:9/notify',
      } } },
    }, { plugins: [allinpayMobilePlugin], env: {} });
    if (built.isErr()) throw new Error(built.error.message);
    return built.value.extension('app', Tokens.Notifications)._unsafeUnwrap();
  }

  context('when verify is called with something that is not a request', () => {
    it('returns an Internal error instead of throwing', async () => {
      const n = await notifications();
      const r = n.verify(null as never);
      expect(r.isErr() && r.error.kind).to.equal('Internal');
    });
  });

  context('when a verified notification is posted', () => {
    it('reports the payment with its event key and the acknowledgement Allinpay expects', async () => {
      const n = await notifications();
      const body = bytes(new URLSearchParams({ ...FIELDS, signMsg: rsaSha1(SIGNED) }).toString());
      const r = n.verify({ method: 'POST', url: '/notify', headers: {}, body });
      if (r.isErr()) throw new Error(r.error.message);
      expect(r.value.eventKey).to.equal('payment:NO20150115093032:201501150001:1');
      expect(r.value.ack.body).to.equal('success');
      expect(r.value.event).to.deep.include({ type: 'payment' });
      // 2015-01-15 09:31:02 in China Standard Time (UTC+8).
      expect(r.value.event.type === 'payment' && r.value.event.report.paidAt?.toISOString()).to.equal('2015-01-15T01:31:02.000Z');
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
