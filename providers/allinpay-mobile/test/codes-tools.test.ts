import { createHash } from 'node:crypto';
import { expectResultForAnyInput } from '@paykit/conformance';
import { expect } from 'chai';
import { Secret, STANDARD_CODES } from '@paykit/core';
import {
  allinpayCurrency, allinpayErrorCode, allinpayMobilePlugin, ALLINPAY_ERROR_CODES, buildOrderQuery, buildPayData, checkInternationalCard, md5SignMsgIn,
  notificationCurrency, parseBatchReply, parseSyncResult, verifyPreAuthReply, verifyRefundQueryReply, verifyRefundReply,
} from '../src/index.js';
import { AllinpaySimulator } from '../src/simulator/index.js';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();

describe('Allinpay error codes (spec 6.1)', () => {
  context('when looking up documented codes', () => {
    it('keeps Allinpay\'s code, description and user-facing message with a standard code, category and retry flag', () => {
      expect(allinpayErrorCode('EM0001_000009')).to.deep.equal({
        code: 'invalid_card', retryable: false, category: 'user', providerCode: 'EM0001_000009',
        description: '卡有效期为空或非法', userMessage: '卡片有效期不正确，请重新输入',
      });
      expect(allinpayErrorCode('EM0001_000022')).to.include({ code: 'provider_error', retryable: true, category: 'retry', userMessage: '网络超时(E1,22)，请重试' });
      expect(allinpayErrorCode('ZF30005')).to.include({ code: 'merchant_config', category: 'merchant', retryable: false });
      expect(allinpayErrorCode('EM0001_000030')).to.include({ code: 'limit_exceeded', category: 'user' });
      expect(allinpayErrorCode('ZF10002').description).to.equal('参数取货地址不正确 / 参数通知地址不正确');
    });

    it('covers every row of 6.1 plus the refund query codes 001-011 and FC0003_000008, each with a known standard code', () => {
      expect(ALLINPAY_ERROR_CODES).to.have.length(234 + 11 + 1);
      for (const c of ['BL0003_000001', '30007', 'TX10013', 'QZ90103', 'U00004_000005', '001', '011', 'FC0003_000008', 'EB0001_100014']) {
        expect(ALLINPAY_ERROR_CODES).to.include(c);
      }
      for (const c of ALLINPAY_ERROR_CODES) {
        const m = allinpayErrorCode(c);
        expect(STANDARD_CODES, c).to.include(m.code);
        expect(['user', 'merchant', 'provider', 'retry'], c).to.include(m.category);
        expect(m.userMessage.length, c).to.be.greaterThan(0);
      }
      expect(allinpayMobilePlugin.introspection?.errorCodes?.map('011').code).to.equal('not_found');
    });
  });

  context('when the code is unknown', () => {
    it('maps to a non-retryable provider error that keeps the code', () => {
      expect(allinpayErrorCode('NOPE_1')).to.include({ code: 'provider_error', retryable: false, category: 'provider', providerCode: 'NOPE_1' });
    });
  });
});

describe('Allinpay control sync result (spec 2.2.2)', () => {
  context('when the iOS control returns', () => {
    it('maps payResult 0 / 1 / -1 to accepted / failed / cancelled', () => {
      const ok = parseSyncResult('{"payResult":0,"payAmount":1000,"payTime":"20240101120000","payOrderId":"P1"}');
      expect(ok.isOk() && ok.value).to.deep.equal({ platform: 'ios', outcome: 'accepted', code: '0', amount: { amount: 1000, currency: 'CNY' }, payTime: '20240101120000', payOrderId: 'P1' });
      expect(parseSyncResult('{"payResult":1}')._unsafeUnwrap().outcome).to.equal('failed');
      expect(parseSyncResult('{"payResult":-1,"payOrderId":""}')._unsafeUnwrap().outcome).to.equal('cancelled');
    });
  });
  context('when the posted result names an Object.prototype member (the route is unauthenticated)', () => {
    it('refuses it as an unknown control result, for either platform', () => {
      for (const json of ['{"payResult":"toString"}', '{"payResult":"constructor"}', '{"allinpay_pay_res":"__proto__"}', '{"allinpay_pay_res":"hasOwnProperty"}']) {
        const e = parseSyncResult(json)._unsafeUnwrapErr();
        expect(e.kind, json).to.equal('Decode');
        expect(e.message, json).to.match(/^unknown (ios|android) control result/);
      }
    });
  });
  context('when the Android control returns', () => {
    it('maps allinpay_pay_success / allinpay_pay_fail, amounts in the given currency', () => {
      const r = parseSyncResult('{"allinpay_pay_res":"allinpay_pay_success","payAmount":"1000","payTime":"x","payOrderId":"P"}', 'JPY');
      expect(r.isOk() && r.value).to.deep.include({ platform: 'android', outcome: 'accepted', amount: { amount: 1000, currency: 'JPY' } });
      expect(parseSyncResult('{"allinpay_pay_res":"allinpay_pay_fail"}')._unsafeUnwrap().outcome).to.equal('failed');
    });
  });
  context('when the result is not one of the documented forms', () => {
    it('returns Decode errors, never throws', () => {
      expect(parseSyncResult('not json')._unsafeUnwrapErr().kind).to.equal('Decode');
      expect(parseSyncResult('{"payResult":7}')._unsafeUnwrapErr().message).to.contain('0, 1 or -1');
      expect(parseSyncResult('{"payResult":0,"payAmount":"10.00"}')._unsafeUnwrapErr().kind).to.equal('Decode');
    });
  });
});

describe('Allinpay currency tables', () => {
  // Copied by hand from spec 6.2 and 6.3 (every row).
  const CROSS_BORDER = { CNY: '156', USD: '840', HKD: '344', JPY: '392', EUR: '978', MYR: '458', AUD: '032' } as const;
  const INTERNATIONAL_CARD = { CNY: '156', USD: '840', GBP: '826', HKD: '344', EUR: '978', CAD: '124', AUD: '036', JPY: '392', SGD: '702', SEK: '752' } as const;

  context('when a currency is in the table of its payment kind', () => {
    it('sends every row of 6.2 for cross-border and every row of 6.3 for international cards', () => {
      for (const [currency, code] of Object.entries(CROSS_BORDER)) {
        // 6.2 prints AUD as 032 (ISO 4217: the Argentine peso); 6.3 and ISO give 036, sent unless the instance asks for 032.
        const expected = currency === 'AUD' ? '036' : code;
        expect(allinpayCurrency(currency as keyof typeof CROSS_BORDER, 'cross-border')._unsafeUnwrap(), currency).to.equal(expected);
      }
      expect(allinpayCurrency('AUD', 'cross-border', '032')._unsafeUnwrap()).to.equal(CROSS_BORDER.AUD);
      expect(allinpayCurrency('AUD', 'international-card', '032')._unsafeUnwrap()).to.equal(INTERNATIONAL_CARD.AUD);
      for (const [currency, code] of Object.entries(INTERNATIONAL_CARD)) {
        expect(allinpayCurrency(currency as keyof typeof INTERNATIONAL_CARD, 'international-card')._unsafeUnwrap(), currency).to.equal(code);
      }
    });
  });

  context('when a currency is not in the table', () => {
    it('returns InvalidRequest naming the table, for SEK cross-border and MYR on an international card', () => {
      const sek = allinpayCurrency('SEK', 'cross-border');
      expect(sek.isErr() && sek.error.message).to.contain('6.2');
      const myr = allinpayCurrency('MYR', 'international-card');
      expect(myr.isErr() && myr.error.kind).to.equal('InvalidRequest');
      expect(myr.isErr() && myr.error.message).to.contain('6.3');
    });
  });
});

describe('Allinpay CLI tools', () => {
  const tools = allinpayMobilePlugin.tools;
  if (!tools) throw new Error('no tools');

  context('when signing', () => {
    it('signs payData by default and shows the key as <md5Key>', () => {
      const r = tools.sign({ inputCharset: '1', receiveUrl: 'http://x', version: 'v1.0', signType: '0', merchantId: '1', orderNo: 'A', orderAmount: '1', orderDatetime: '20240101000000', productName: 'p', payType: '0', cardNo: '6222021234567890123' }, { md5Key: 'K' });
      const text = 'inputCharset=1&receiveUrl=http://x&version=v1.0&signType=0&merchantId=1&orderNo=A&orderAmount=1&orderDatetime=20240101000000&productName=p&payType=0';
      expect(r._unsafeUnwrap()).to.deep.equal({ field: 'signMsg', signature: md5(`${text}&key=K`), signedText: `${text}&key=<md5Key>` });
    });
    it('signs another request with --message, in that request\'s order', () => {
      const r = tools.sign({ orderNo: 'A', merchantId: '1', version: 'v2.3', signType: '1', refundAmount: '5', orderDatetime: '20240101000000' }, { md5Key: 'K', message: 'refund' });
      expect(r._unsafeUnwrap().signedText).to.equal('version=v2.3&signType=1&merchantId=1&orderNo=A&refundAmount=5&orderDatetime=20240101000000&key=<md5Key>');
      expect(tools.sign({}, { md5Key: 'K', message: 'nope' })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect(tools.sign({}, {})._unsafeUnwrapErr().message).to.contain('MD5 key');
    });
  });

  context('when verifying what Allinpay sends', () => {
    it('recognises a certificate-signed notification and an ERRORCODE reply', async () => {
      const sim = await AllinpaySimulator.start({ md5Key: 'K' });
      try {
        const payData: Record<string, string> = { inputCharset: '1', receiveUrl: 'http://127.0.0.1:9/n', version: 'v1.0', signType: '1', merchantId: sim.merchantId, orderNo: 'T1', orderAmount: '5', orderCurrency: '156', orderDatetime: '20240101000000', productName: 'p', payType: '0' };
        payData.signMsg = tools.sign(payData, { md5Key: 'K' })._unsafeUnwrap().signature;
        sim.pay(JSON.stringify(payData), 'succeeded', false);
        const body = new Uint8Array(Buffer.from(sim.notificationBody('T1')));
        const v = tools.verify(body, { cert: sim.certificatePem });
        expect(v.isOk() && v.value.message).to.equal('payment notification');
        expect(tools.verify(body, { cert: sim.certificateDer }).isOk()).to.equal(true);
        const wrong = tools.verify(new Uint8Array(Buffer.from(sim.notificationBody('T1').replace('orderAmount=5', 'orderAmount=6'))), { cert: sim.certificatePem });
        expect(wrong.isErr() && wrong.error.kind).to.equal('Signature');
        expect(tools.verify(new Uint8Array(Buffer.from('ERRORCODE=011&ERRORMSG=退款订单不存在')), {})._unsafeUnwrapErr().kind).to.equal('NotFound');
      } finally {
        await sim.close();
      }
    });

    it('recognises refund query, pre-auth and batch replies, and refuses one without its signature line', async () => {
      const sim = await AllinpaySimulator.start({ md5Key: 'K' });
      try {
        const key = (await import('../src/simulator/index.js')).simulatorIdentity().privateKey;
        const { createSign } = await import('node:crypto');
        const rsa = (text: string): string => createSign('RSA-SHA1').update(text).sign(key, 'base64');
        const rec = 'v2.4|1|100020091218001|NO1|100|20240101000000|RF1|TKSUCC0006|20240101000001';
        const rq = tools.verify(new Uint8Array(Buffer.from(`${rec}\r\n${rsa(md5(rec))}`)), { cert: sim.certificatePem });
        expect(rq.isOk() && rq.value.message).to.equal('refund query reply');
        expect(tools.verify(new Uint8Array(Buffer.from(`${rec}\r\n`)), { cert: sim.certificatePem })._unsafeUnwrapErr().message).to.contain('signature line');
        const pa = '0000|ok|v1.8|0|100020091218001|NO1|20240101000000|5000|840|PA1|20240102000000';
        const pr = tools.verify(new Uint8Array(Buffer.from(`${pa}\r\n${md5(`${pa}|K`)}`)), { md5Key: 'K' });
        expect(pr.isOk() && pr.value.message).to.equal('pre-authorisation reply');
        const signed = '100020091218001|0|0|N\r\n';
        const batch = Buffer.from(`${signed}\r\n${rsa(md5(signed))}\r\n`).toString('base64');
        const br = tools.verify(new Uint8Array(Buffer.from(batch)), { cert: sim.certificateDer });
        expect(br.isOk() && br.value.signedText).to.equal(signed);
      } finally {
        await sim.close();
      }
    });
  });
});

describe('Allinpay CLI verify of MD5-signed line replies', () => {
  const tools = allinpayMobilePlugin.tools;
  if (!tools) throw new Error('no tools');
  // Specs README, refund query v2.4 (and the pre-auth replies, signed the same way): type 0 is
  // uppercase MD5(text + "|" + key). With no key given, MD5(text + "|") is what a forger computes.
  const forged = (line: string): Uint8Array => new Uint8Array(Buffer.from(`${line}\r\n${md5(`${line}|`)}`));

  context('when no MD5 key is given', () => {
    it('refuses to verify a signType 0 refund query reply instead of checking it against an empty key', () => {
      const r = tools.verify(forged('v2.4|0|100020091218001|NO1|100|20240101000000|RF1|TKSUCC0006|20240101000001'), {});
      expect(r.isErr() && r.error).to.deep.include({ kind: 'InvalidRequest', path: 'md5Key' });
    });

    it('refuses to verify a signType 0 pre-authorisation reply instead of checking it against an empty key', () => {
      const r = tools.verify(forged('0000|ok|v1.8|0|100020091218001|NO1|20240101000000|5000|840|PA1|20240102000000'), { message: 'preAuthReply' });
      expect(r.isErr() && r.error).to.deep.include({ kind: 'InvalidRequest', path: 'md5Key' });
    });
  });
});

describe('Allinpay public functions given anything (rule 3)', () => {
  it('the reply readers and request builders answer any input with a Result', () => {
    const now = new Date('2026-12-01T02:00:00Z');
    for (const [name, fn] of [
      ['verifyPreAuthReply', verifyPreAuthReply], ['verifyRefundQueryReply', verifyRefundQueryReply], ['verifyRefundReply', verifyRefundReply], ['parseBatchReply', parseBatchReply],
    ] as const) {
      expectResultForAnyInput(name, (a, b) => fn(a as never, b as never), 2, 'signMsg=x');
      expectResultForAnyInput(name, (a, b) => fn(a as never, b as never), 2, {});
    }
    expectResultForAnyInput('buildOrderQuery', (a, b) => buildOrderQuery(a as never, b as never, now), 2, {});
    expectResultForAnyInput('buildPayData', (a, b) => buildPayData(a as never, b as never, now), 2, {});
    expectResultForAnyInput('checkInternationalCard', (a, b) => checkInternationalCard(a as never, b as never), 2, {});
  });

  it('allinpayCurrency answers any input with a Result', () => {
    expectResultForAnyInput('allinpayCurrency', (a, b, c) => allinpayCurrency(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('allinpayCurrency', (a) => allinpayCurrency(a as never, 'cross-border', '032'), 1, undefined);
    expectResultForAnyInput('allinpayCurrency', (b) => allinpayCurrency('AUD', b as never), 1, undefined);
    expectResultForAnyInput('allinpayCurrency', (c) => allinpayCurrency('AUD', 'cross-border', c as never), 1, undefined);
    // Own table entries only: an Object.prototype name is no currency.
    expect(allinpayCurrency('toString' as never, 'cross-border')._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
  });

  it('allinpayCurrency says what to pass for a currency that is not a code', () => {
    const e = allinpayCurrency(Symbol('CNY') as never, 'cross-border')._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'amount.currency' });
    expect(e.message).to.include('ISO 4217 code such as "CNY"');
  });

  it('notificationCurrency answers any input with a Result', () => {
    expectResultForAnyInput('notificationCurrency', (a, b) => notificationCurrency(a as never, b as never), 2, {});
    expectResultForAnyInput('notificationCurrency', (a) => notificationCurrency(a as never, 'CNY'), 1, undefined);
    expectResultForAnyInput('notificationCurrency', (b) => notificationCurrency('/notify?paykit_currency=USD', b as never), 1, undefined);
    expect(notificationCurrency('/notify?paykit_currency=USD', 'CNY')._unsafeUnwrap()).to.equal('USD');
  });

  it('md5SignMsgIn answers any input with a Result', () => {
    const fields = { orderNo: '订单-1', productName: '商品' };
    const order = ['orderNo', 'productName'];
    const key = new Secret('md5-key');
    expectResultForAnyInput('md5SignMsgIn', (a, b, c, d) => md5SignMsgIn(a as never, b as never, c as never, d as never), 4, {});
    for (const charset of ['GBK', 'GB2312', 'UTF-8'] as const) {
      expectResultForAnyInput('md5SignMsgIn', (a) => md5SignMsgIn(a as never, order, key, charset), 1, undefined);
      expectResultForAnyInput('md5SignMsgIn', (b) => md5SignMsgIn(fields, b as never, key, charset), 1, undefined);
      expectResultForAnyInput('md5SignMsgIn', (c) => md5SignMsgIn(fields, order, c as never, charset), 1, undefined);
      expectResultForAnyInput('md5SignMsgIn', (v) => md5SignMsgIn({ ...fields, productName: v as never }, order, key, charset), 1, undefined);
    }
    expectResultForAnyInput('md5SignMsgIn', (d) => md5SignMsgIn(fields, order, key, d as never), 1, undefined);
    expect(md5SignMsgIn(fields, order, key, 'GBK').isOk(), 'valid input still signs').to.equal(true);
  });

  it('md5SignMsgIn says what to pass for an order that is not a list of names', () => {
    const e = md5SignMsgIn({ orderNo: '1' }, 'orderNo' as never, new Secret('md5-key'), 'GBK')._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'order' });
    expect(e.message).to.include('array of field names in signing order');
  });
});
