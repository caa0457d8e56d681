import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { AllinpayConfigCodec, allinpayTools, buildPayData, settingsOf, type AllinpaySettings } from '../src/index.js';
import { world, type World } from './support.js';

// 笔记本电脑 in GBK (and GB2312), written out by hand from the code tables: 笔 B1CA 记 BCC7 本 B1BE 电 B5E7 脑 C4D4.
const NOTEBOOK_GBK = Buffer.from('B1CABCC7B1BEB5E7C4D4', 'hex');
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex').toUpperCase();

function settings(inputCharset: '1' | '2' | '3'): AllinpaySettings {
  const decoded = AllinpayConfigCodec.decode({
    merchantId: '100020091218001', md5Key: '1234567890', signType: '0', inputCharset, receiveUrl: 'https://shop.example/n',
  });
  if (decoded._tag === 'Left') throw new Error('bad test config');
  return settingsOf(decoded.right as never);
}

const ORDER = { orderId: 'NOM1', amount: { amount: 1, currency: 'CNY' as const }, description: '笔记本电脑', createdAt: new Date('2015-07-17T08:11:26Z') };
const before = (cs: string) => `inputCharset=${cs}&receiveUrl=https://shop.example/n&version=v1.0&signType=0&merchantId=100020091218001`
  + '&orderNo=NOM1&orderAmount=1&orderCurrency=156&orderDatetime=20150717161126&productName=';
const after = '&payType=0&key=1234567890';

describe('Allinpay payData charset', () => {
  for (const cs of ['2', '3'] as const) {
    context(`when inputCharset is ${cs} (${cs === '2' ? 'GBK' : 'GB2312'}) and the goods name is Chinese`, () => {
      it('signs the GBK bytes of the sign string (spec 5.1 c), not its UTF-8 bytes', () => {
        const built = buildPayData(ORDER, settings(cs), new Date());
        if (built.isErr()) throw new Error(built.error.message);
        const expected = md5(Buffer.concat([Buffer.from(before(cs), 'ascii'), NOTEBOOK_GBK, Buffer.from(after, 'ascii')]));
        expect(built.value.fields.signMsg).to.equal(expected);
        // The payData handed to the control stays a Unicode JSON string.
        expect(JSON.parse(built.value.json).productName).to.equal('笔记本电脑');
      });
    });
  }

  context('when inputCharset is 1', () => {
    it('signs the UTF-8 bytes, as before', () => {
      const built = buildPayData(ORDER, settings('1'), new Date());
      expect(built._unsafeUnwrap().fields.signMsg).to.equal(md5(Buffer.from(`${before('1')}笔记本电脑${after}`, 'utf8')));
    });
  });

  context('when a character is outside the declared charset', () => {
    it('refuses a GBK-only character (喆) under GB2312, naming the field, instead of signing a substitute', () => {
      const r = buildPayData({ ...ORDER, description: '陶喆的茶' }, settings('3'), new Date());
      expect(r.isErr() && r.error.kind).to.equal('InvalidRequest');
      expect(r.isErr() && r.error.path).to.equal('description');
      expect(r.isErr() && r.error.message).to.contain('productName').and.to.contain('GB2312');
      expect(buildPayData({ ...ORDER, description: '陶喆的茶' }, settings('2'), new Date()).isOk()).to.equal(true);
    });

    it('refuses a character GBK cannot hold under GBK', () => {
      const r = buildPayData({ ...ORDER, description: 'tea 🍵' }, settings('2'), new Date());
      expect(r.isErr() && r.error).to.deep.include({ kind: 'InvalidRequest', path: 'description' });
    });
  });

  context('when paykit sign is given a message name that is an Object.prototype member', () => {
    it('refuses it as an unknown message, naming the messages it signs', () => {
      for (const message of ['toString', 'constructor', '__proto__']) {
        const e = allinpayTools.sign({ orderNo: 'NOM1' }, { md5Key: '1234567890', message })._unsafeUnwrapErr();
        expect(e, message).to.deep.include({ kind: 'InvalidRequest', path: 'message' });
        expect(e.message, message).to.include(`unknown message "${message}"`).and.to.include('payData');
      }
    });
  });

  context('when paykit sign is given a GBK payData', () => {
    it('signs its GBK bytes too', () => {
      const fields = {
        inputCharset: '2', receiveUrl: 'https://shop.example/n', version: 'v1.0', signType: '0', merchantId: '100020091218001',
        orderNo: 'NOM1', orderAmount: '1', orderCurrency: '156', orderDatetime: '20150717161126', productName: '笔记本电脑', payType: '0',
      };
      const r = allinpayTools.sign(fields, { md5Key: '1234567890' });
      expect(r._unsafeUnwrap().signature).to.equal(md5(Buffer.concat([Buffer.from(before('2'), 'ascii'), NOTEBOOK_GBK, Buffer.from(after, 'ascii')])));
    });
  });
});

describe('Allinpay simulator with a GBK payData', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when the control submits a GBK-signed payData with Chinese text', () => {
    it('verifies it and pays the order', async () => {
      w = await world({ inputCharset: '2', signType: '0' });
      const r = await w.paykit.payments.create({ orderId: 'GBK-1', amount: { amount: 100, currency: 'CNY' }, description: '笔记本电脑' });
      const action = r._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      expect(() => w.sim.pay(action.payload, 'succeeded', false)).not.to.throw();
      expect((await w.paykit.payments.query('GBK-1'))._unsafeUnwrap().status).to.equal('succeeded');
    });
  });
});
