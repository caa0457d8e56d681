import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Secret } from '@paykit/core';
import {
  AllinpayConfigCodec, buildPayData, internationalExt1, parseBatchReply, verifyPaymentResult, verifyPreAuthReply,
  verifyRefundQueryReply, settingsOf, type AllinpaySettings,
} from '../src/index.js';
import { simulatorIdentity } from '../src/simulator/index.js';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
const rsaSha1 = (key: Parameters<ReturnType<typeof createSign>['sign']>[0], s: string): string => createSign('RSA-SHA1').update(s, 'utf8').sign(key, 'base64');

function settings(extra: Record<string, unknown> = {}): AllinpaySettings {
  const decoded = AllinpayConfigCodec.decode({
    merchantId: '100020091218001', md5Key: '1234567890', signType: '1', certificate: simulatorIdentity().certificatePem,
    receiveUrl: 'http://ceshi.allinpay.com/demo/eshop/recv-pay-result/recv.do', ...extra,
  });
  if (decoded._tag === 'Left') throw new Error('bad test config');
  return settingsOf(decoded.right as never);
}

describe('Allinpay known answers', () => {
  context('when computing the international-card ext1 of the spec 5.4 example', () => {
    it('reproduces B7C37324D6824A6FD029EE365BD0F5A8', () => {
      const ext1 = internationalExt1({
        ship_to_country: 'US', ship_to_state: 'AL', ship_to_city: 'city', ship_to_street1: 'street_1', ship_to_street2: 'street_2',
        ship_to_phonenumber: '020-13818349139', ship_to_postalcode: '20004', ship_to_firstname: 'Smith', ship_to_lastname: 'Black',
        registration_name: 'rname', registration_email: 'rname@gmail.com', registration_phone: '999-13800000000', buyerid_period: '200',
        fnpay_mode: '0', bill_firstname: 'handon', bill_lastname: 'hao', expireddate: '2211', cvv2: '888', bill_email: 'haod@gmail.com',
        bill_country: 'US', bill_address: 'billaddress', bill_city: 'billcity', bill_state: 'IL', bill_zip: '22222',
      });
      expect(ext1).to.equal('B7C37324D6824A6FD029EE365BD0F5A8');
    });
  });

  context('when signing a payData', () => {
    it('signs the table fields in the spec order with &key= appended, uppercase MD5, cardNo unsigned', () => {
      const built = buildPayData({
        orderId: 'NOM20150717161126543', amount: { amount: 1, currency: 'CNY' }, description: '笔记本电脑',
        createdAt: new Date('2015-07-17T08:11:26Z'), extra: { cardNo: '6222021234567890123' },
      }, settings({ signType: '0' }), new Date());
      if (built.isErr()) throw new Error(built.error.message);
      const text = 'inputCharset=1&receiveUrl=http://ceshi.allinpay.com/demo/eshop/recv-pay-result/recv.do&version=v1.0&signType=0'
        + '&merchantId=100020091218001&orderNo=NOM20150717161126543&orderAmount=1&orderCurrency=156&orderDatetime=20150717161126'
        + '&productName=笔记本电脑&payType=0';
      expect(built.value.signedText).to.equal(`${text}&key=<md5Key>`);
      expect(built.value.fields.signMsg).to.equal(md5(`${text}&key=1234567890`));
      expect(built.value.fields.cardNo).to.equal('6222021234567890123');
      expect(Object.keys(JSON.parse(built.value.json))).to.deep.equal([
        'inputCharset', 'receiveUrl', 'version', 'signType', 'merchantId', 'orderNo', 'orderAmount', 'orderCurrency',
        'orderDatetime', 'productName', 'payType', 'signMsg', 'cardNo',
      ]);
    });
  });

  context('when a notification is signed with SHA1withRSA by independent code', () => {
    const fields = {
      merchantId: '100020091218001', version: 'v1.0', language: '1', signType: '1', payType: '0', paymentOrderId: '201501150001',
      orderNo: 'NO20150115093032', orderDatetime: '20150115093027', orderAmount: '1000', payDatetime: '20150115093102',
      payAmount: '1000', payResult: '1', returnDatetime: '20150115093105',
    };
    const text = 'merchantId=100020091218001&version=v1.0&language=1&signType=1&payType=0&paymentOrderId=201501150001'
      + '&orderNo=NO20150115093032&orderDatetime=20150115093027&orderAmount=1000&payDatetime=20150115093102&payAmount=1000'
      + '&payResult=1&returnDatetime=20150115093105';

    it('verifies with the certificate given as PEM and as DER', () => {
      const signMsg = rsaSha1(simulatorIdentity().privateKey, text);
      const pem = verifyPaymentResult({ ...fields, signMsg }, settings(), 'CNY');
      if (pem.isErr()) throw new Error(pem.error.message);
      expect(pem.isOk() && pem.value.signedText).to.equal(text);
      const der = verifyPaymentResult({ ...fields, signMsg }, settings({ certificate: Buffer.from(simulatorIdentity().certificateDer).toString('base64') }), 'CNY');
      expect(der.isOk() && der.value.report.status).to.equal('succeeded');
    });

    it('accepts an unpaid result whose errorCode has the 13 characters of table 6.1 (the field table says 10)', () => {
      const unpaid = { ...fields, payResult: '0', errorCode: 'P00002_100003' };
      const source = text.replace('&payResult=1', '&payResult=0&errorCode=P00002_100003');
      const r = verifyPaymentResult({ ...unpaid, signMsg: rsaSha1(simulatorIdentity().privateKey, source) }, settings(), 'CNY');
      expect(r.isOk() && r.value.report).to.deep.include({ status: 'pending', failure: { providerCode: 'P00002_100003', message: 'Allinpay error P00002_100003' } });
    });

    it('rejects the same notification against Allinpay\'s published test certificate', () => {
      const cer = readFileSync(new URL('../../../../shared/fixtures/allinpay-TLCert-test.cer', import.meta.url), 'utf8');
      const signMsg = rsaSha1(simulatorIdentity().privateKey, text);
      const r = verifyPaymentResult({ ...fields, signMsg }, settings({ certificate: cer }), 'CNY');
      expect(r.isErr() && r.error.kind).to.equal('Signature');
    });
  });

  context('when verifying a multi-line refund status query reply', () => {
    const lines = [
      'v2.4|0|100020091218001|NO20150115093032|1|20150115093027|123|TKSUCC0002|20150115092309',
      'v2.4|0|100020091218001|NO20150115093032|1|20150115093102|1234|TKSUCC0002|20150115092309',
    ];
    it('checks MD5 over the records joined with \\r\\n, then "|" and the key (type 0)', () => {
      const sig = md5(`${lines[0]}\r\n${lines[1]}|1234567890`);
      const r = verifyRefundQueryReply(`${lines.join('\r\n')}\r\n${sig}`, settings());
      expect(r.isOk() && r.value.signedText).to.equal(`${lines[0]}\r\n${lines[1]}`);
      expect(r.isOk() && r.value.records.map((x) => x.mchtRefundOrderNo)).to.deep.equal(['123', '1234']);
      const joinedWithLf = md5(`${lines[0]}\n${lines[1]}|1234567890`);
      expect(verifyRefundQueryReply(`${lines.join('\r\n')}\r\n${joinedWithLf}`, settings()).isErr()).to.equal(true);
    });

    it('checks SHA1withRSA over the uppercase MD5 hex of the text (type 1)', () => {
      const typed = lines.map((l) => l.replace('v2.4|0|', 'v2.4|1|'));
      const sig = rsaSha1(simulatorIdentity().privateKey, md5(typed.join('\r\n')));
      expect(verifyRefundQueryReply(`${typed.join('\r\n')}\r\n${sig}`, settings()).isOk()).to.equal(true);
    });
  });

  context('when verifying a batch query reply', () => {
    const header = '100020091218001|1|1|N';
    const detail = '100020091218001|20130108100811000|NO20130108020644452|20130108000000|100|20130108101010|100|||1';
    it('checks SHA1withRSA over the MD5 of header and details each followed by \\r\\n', () => {
      const signed = `${header}\r\n${detail}\r\n`;
      const sig = rsaSha1(simulatorIdentity().privateKey, md5(signed));
      const body = Buffer.from(`${signed}\r\n${sig}\r\n`, 'utf8').toString('base64');
      const r = parseBatchReply(body, settings());
      expect(r.isOk() && r.value.signedText).to.equal(signed);
      expect(r.isOk() && r.value.details[0]?.orderNo).to.equal('NO20130108020644452');
    });
  });

  context('when verifying a pre-authorisation reply', () => {
    it('checks the record line like the refund query (type 0: MD5 with |key)', () => {
      const line = '0000|ok|v1.9|0|100020091218001|NO1|20150115093027|5000|840|PA1|20150116000000';
      const r = verifyPreAuthReply(`${line}\r\n${md5(`${line}|1234567890`)}`, settings());
      expect(r.isOk() && r.value.wire.preAuthId).to.equal('PA1');
    });
  });

  context('when loading Allinpay\'s published test certificate', () => {
    it('accepts it as the instance certificate and refuses garbage with a config message', () => {
      const cer = readFileSync(new URL('../../../../shared/fixtures/allinpay-TLCert-test.cer', import.meta.url), 'utf8');
      const base = { merchantId: '100020091218001', md5Key: 'k', receiveUrl: 'https://shop.example/n' };
      expect(AllinpayConfigCodec.decode({ ...base, certificate: cer })._tag).to.equal('Right');
      expect(AllinpayConfigCodec.decode({ ...base, certificate: 'not a certificate' })._tag).to.equal('Left');
      expect(AllinpayConfigCodec.decode(base)._tag).to.equal('Left');
      expect(AllinpayConfigCodec.decode({ ...base, signType: '0' })._tag).to.equal('Right');
      const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
      expect(other.publicKey.type).to.equal('public');
      void Secret;
    });
  });
});
