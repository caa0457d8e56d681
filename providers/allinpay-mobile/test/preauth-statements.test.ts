import { createHash, createSign } from 'node:crypto';
import { expect } from 'chai';
import { Tokens } from '@paykit/core';
import { simulatorIdentity } from '../src/simulator/index.js';
import { lastForm, MD5_KEY, paidOrder, world, type World } from './support.js';
import { trafficDay } from '@paykit/core/simulator';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
const INTL = {
  payType: '30', issuerId: 'visa', tradeNature: 'SERVICES', international: {
    ship_to_country: 'US', ship_to_state: 'IL', ship_to_city: 'Chicago', ship_to_street1: '1 Main', ship_to_phonenumber: '312',
    ship_to_postalcode: '60601', ship_to_firstname: 'Ada', ship_to_lastname: 'L',
  },
};

describe('Allinpay mobile pre-authorisation', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when confirming part of an authorised international-card payment', () => {
    it('sends v1.9 with confirmAmount and the 6.3 currency code, and records the capture', async () => {
      w = await world();
      await paidOrder(w, 'PA-1', 5000, 'USD', INTL, { preauth: true });
      const r = await w.paykit.preauth.capture({ orderId: 'PA-1', amount: { amount: 4200, currency: 'USD' } });
      expect(r.isOk() && r.value).to.deep.include({ status: 'captured', captured: { amount: 4200, currency: 'USD' } });
      const sent = lastForm(w);
      expect(sent).to.include({ version: 'v1.9', orderAmount: '5000', confirmAmount: '4200', currency: '840' });
      const source = `version=v1.9&merchantId=${sent.merchantId}&orderAmount=5000&confirmAmount=4200&currency=840&orderNo=PA-1&orderDatetime=${sent.orderDatetime}&signType=1`;
      expect(sent.signMsg).to.equal(md5(`${source}&key=${MD5_KEY}`));
    });

    it('refuses a confirm above the authorised amount without calling Allinpay', async () => {
      w = await world();
      const preauth = w.paykit.extension('app', Tokens.PreAuth)._unsafeUnwrap();
      const r = await preauth.capture({ payment: { orderId: 'PA-2', amount: { amount: 5000, currency: 'USD' }, createdAt: new Date() }, amount: { amount: 5001, currency: 'USD' } });
      expect(r.isErr() && r.error.code).to.equal('invalid_amount');
      expect(w.sim.server.received.length).to.equal(0);
    });
  });

  context('when cancelling twice', () => {
    it('voids once, then maps Allinpay\'s FC0003_000008 refusal', async () => {
      w = await world({ signType: '0' });
      await paidOrder(w, 'PA-3', 5000, 'USD', INTL, { preauth: true });
      const first = await w.paykit.preauth.void('PA-3');
      expect(first.isOk() && first.value.status).to.equal('voided');
      expect(lastForm(w)).to.include({ version: 'v1.8', currency: '840', orderAmount: '5000' });
      const preauth = w.paykit.extension('app', Tokens.PreAuth)._unsafeUnwrap();
      const created = w.sim.orders.get('PA-3');
      const again = await preauth.void({ payment: { orderId: 'PA-3', amount: { amount: 5000, currency: 'USD' }, createdAt: new Date(Number(0)) } });
      expect(created).not.to.equal(undefined);
      expect(again.isErr() && again.error).to.deep.include({ kind: 'ProviderRejected', providerCode: 'FC0003_000008' });
    });
  });

  context('when Allinpay cancels and then answers, signed, with a code spec 4.2 does not list', () => {
    it('keeps the void an unknown outcome that is never sent again blindly, not a refusal', async () => {
      w = await world();
      await paidOrder(w, 'PA-5', 5000, 'USD', INTL, { preauth: true });
      w.sim.nextPreAuthAnswer = { retCode: 'FC0099_000001', retMsg: '系统繁忙' };
      const r = await w.paykit.preauth.void('PA-5');
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      expect(w.sim.orders.get('PA-5')?.preauth).to.equal('cancelled');
      const record = (await w.paykit.preauth.get('PA-5'))._unsafeUnwrap();
      expect(record.status).to.equal('authorised');
      const sent = w.sim.server.received.length;
      const again = await w.paykit.preauth.void('PA-5');
      expect(again.isErr() && again.error.kind).to.equal('Conflict');
      expect(w.sim.server.received.length).to.equal(sent);
      const report = (await w.paykit.resolvePending({ olderThan: 0, kinds: ['preauths'] }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome])).to.deep.equal([['PA-5', 'needs_attention']]);
    });

    it('keeps a confirm answered with a code whose own text says the result is unknown (EM0001_000091) an unknown outcome', async () => {
      w = await world();
      await paidOrder(w, 'PA-9', 5000, 'USD', INTL, { preauth: true });
      w.sim.nextPreAuthAnswer = { retCode: 'EM0001_000091', retMsg: '移动支付更新支付结果失败' };
      const r = await w.paykit.preauth.capture({ orderId: 'PA-9', amount: { amount: 3000, currency: 'USD' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      const sent = w.sim.server.received.length;
      expect((await w.paykit.preauth.capture({ orderId: 'PA-9', amount: { amount: 3000, currency: 'USD' } }))._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect(w.sim.server.received.length).to.equal(sent);
    });

    it('still takes FC0003_000008 as a refusal of the cancel, and any signed code but 0000 as a failed confirm (spec 4.4)', async () => {
      w = await world();
      await paidOrder(w, 'PA-6', 5000, 'USD', INTL, { preauth: true });
      const order = w.sim.orders.get('PA-6');
      if (order !== undefined) order.preauth = 'confirmed';
      const voided = await w.paykit.preauth.void('PA-6');
      expect(voided.isErr() && voided.error).to.deep.include({ kind: 'ProviderRejected', providerCode: 'FC0003_000008' });
      const captured = await w.paykit.preauth.capture({ orderId: 'PA-6', amount: { amount: 100, currency: 'USD' } });
      expect(captured.isErr() && captured.error).to.deep.include({ kind: 'ProviderRejected', providerCode: 'FC0004_000001' });
      expect((await w.paykit.preauth.get('PA-6'))._unsafeUnwrap().status).to.equal('authorised');
    });
  });

  context('when the confirm reply times out after Allinpay processed it', () => {
    it('returns OutcomeUnknown', async () => {
      w = await world({}, {}, 300);
      await paidOrder(w, 'PA-4', 5000, 'USD', INTL, { preauth: true });
      w.sim.server.inject({ path: '/gateway/index.do', delayMs: 800 });
      const r = await w.paykit.preauth.capture({ orderId: 'PA-4', amount: { amount: 100, currency: 'USD' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
    });
  });
});

describe('Allinpay mobile pre-authorisation replies (spec 4.2/4.4)', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  /**
   * Answers every gateway call with one reply record for the order sent, signed as the specs README
   * gives for signType 0: the record line, then uppercase MD5(line + "|" + key). `fields` receives the
   * request and returns the record's fields from retCode on.
   */
  const answerWith = (fields: (sent: Record<string, string>) => readonly string[]): void => {
    w.sim.server.route('POST', '/gateway/index.do', (req) => {
      const line = fields(Object.fromEntries(new URLSearchParams(req.body.toString('utf8')))).join('|');
      return { body: `${line}\r\n${md5(`${line}|${MD5_KEY}`)}` };
    });
  };
  const authorised = async (orderId: string): Promise<void> => {
    w = await world({ signType: '0' });
    await paidOrder(w, orderId, 5000, 'USD', INTL, { preauth: true });
  };

  context('when a signed confirm reply has a field after the eleven of spec 4.4', () => {
    it('accepts it and records the capture (the signature covers the whole line)', async () => {
      await authorised('PR-1');
      answerWith((f) => ['0000', '成功', 'v1.9', '0', f.merchantId as string, f.orderNo as string, f.orderDatetime as string, '5000', '840', 'AUTH-1', '20240102000000', 'a-later-field']);
      const r = await w.paykit.preauth.capture({ orderId: 'PR-1', amount: { amount: 4200, currency: 'USD' } });
      expect(r.isOk() && r.value).to.deep.include({ status: 'captured', captured: { amount: 4200, currency: 'USD' } });
    });
  });

  context('when a signed reply has fewer fields than the table', () => {
    it('is a Decode error, which a sent money call reports as an unknown outcome', async () => {
      await authorised('PR-2');
      answerWith((f) => ['0000', '成功', 'v1.8', '0', f.merchantId as string, f.orderNo as string, f.orderDatetime as string, '5000', '840', 'AUTH-2']);
      const r = await w.paykit.preauth.void('PR-2');
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      expect(r.isErr() && r.error.cause).to.deep.include({ name: 'Decode' });
      expect(r.isErr() && r.error.message).to.match(/11 fields of spec 4\.2/);
    });
  });

  context('when a signed confirm reply states the confirm amount as orderAmount', () => {
    it('is not taken as the capture: orderAmount is the order\'s amount (spec 4.4), so the outcome is unknown', async () => {
      await authorised('PR-3');
      answerWith((f) => ['0000', '成功', 'v1.9', '0', f.merchantId as string, f.orderNo as string, f.orderDatetime as string, '4200', '840', 'AUTH-3', '20240102000000']);
      const r = await w.paykit.preauth.capture({ orderId: 'PR-3', amount: { amount: 4200, currency: 'USD' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      expect(r.isErr() && r.error.cause).to.deep.include({ name: 'Decode' });
      expect((await w.paykit.preauth.get('PR-3'))._unsafeUnwrap().status).to.not.equal('captured');
    });
  });

  context('when a signed cancel reply states another currency than the order\'s', () => {
    it('is not taken as the void: the outcome is unknown', async () => {
      await authorised('PR-4');
      answerWith((f) => ['0000', '成功', 'v1.8', '0', f.merchantId as string, f.orderNo as string, f.orderDatetime as string, '5000', '156', 'AUTH-4', '20240102000000']);
      const r = await w.paykit.preauth.void('PR-4');
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      expect(r.isErr() && r.error.cause).to.deep.include({ name: 'Decode' });
      expect((await w.paykit.preauth.get('PR-4'))._unsafeUnwrap().status).to.not.equal('voided');
    });
  });
});

describe('Allinpay mobile batch query statements', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when a day has more paid orders than one page holds', () => {
    it('pages until the header says N and returns every order as a statement entry', async () => {
      w = await world({}, { pageSize: 2 });
      const day = (await trafficDay()).compact;
      for (const id of ['B-1', 'B-2', 'B-3']) await paidOrder(w, id, 100);
      const s = await w.paykit.statements.fetch({ from: day, to: day });
      if (s.isErr()) throw new Error(s.error.message);
      expect(s.value.entries.map((e) => e.orderId).sort()).to.deep.equal(['B-1', 'B-2', 'B-3']);
      expect(s.value.entries[0]?.amount).to.deep.equal({ amount: 100, currency: 'CNY' });
      expect(s.value.discrepancies).to.deep.equal([]);
      const batch = w.sim.server.received.filter((r) => r.path === '/mchtoq/index.do').map((r) => Object.fromEntries(new URLSearchParams(r.body.toString())));
      expect(batch.map((f) => f.pageNo)).to.deep.equal(['1', '2']);
      expect(batch[0]).to.include({ version: 'v1.6', beginDateTime: `${day}00`, endDateTime: `${day}23`, signType: '1' });
    });
  });

  const reply = (body: string) => async (): Promise<string | undefined> => {
    await w?.sim.close();
    w = await world();
    w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body }));
    const day = (await trafficDay()).compact;
    const s = await w.paykit.statements.fetch({ from: day, to: day });
    return s.isErr() ? `${s.error.kind}: ${s.error.message}` : undefined;
  };
  const signed = (text: string): string => createSign('RSA-SHA1').update(md5(text)).sign(simulatorIdentity().privateKey, 'base64');

  context('when the reply is bad', () => {
    it('reports non-base64 text as a Decode error', async () => {
      expect(await reply('<html>oops</html>')()).to.match(/^Decode: .*base64/);
    });
    it('reports a truncated reply as a Decode error', async () => {
      const good = Buffer.from(`H|0|0|N\r\n\r\n${signed('H|0|0|N\r\n')}\r\n`).toString('base64');
      expect(await reply(good.slice(0, good.length - 3))()).to.match(/^Decode: .*truncated/);
    });
    it('reports a missing signature line as a Decode error', async () => {
      expect(await reply(Buffer.from('100020091218001|0|0|N\r\n').toString('base64'))()).to.match(/^Decode: .*signature line/);
    });
    it('reports a wrong signature as a Signature error', async () => {
      expect(await reply(Buffer.from(`100020091218001|0|0|N\r\n\r\n${signed('other\r\n')}\r\n`).toString('base64'))()).to.match(/^Signature:/);
    });
    it('reports a header or a detail line of another merchant as a Decode error (spec 3.4: each line starts with 商户号)', async () => {
      const detail = (merchantId: string): string => `${merchantId}|20240108100811000|NO-M1|20240108000000|100|20240108010101|100|||1`;
      const page = (header: string, details: readonly string[]): string => {
        const text = [header, ...details].map((l) => `${l}\r\n`).join('');
        return Buffer.from(`${text}\r\n${signed(text)}\r\n`).toString('base64');
      };
      expect(await reply(page('100099990000001|1|1|N', [detail('100020091218001')]))()).to.match(/^Decode: .*merchant 100099990000001/);
      expect(await reply(page('100020091218001|1|1|N', [detail('100099990000001')]))()).to.match(/^Decode: .*merchant 100099990000001/);
      expect(await reply(page('100020091218001|1|1|N', [detail('100020091218001')]))()).to.equal(undefined);
    });
    it('reads a signed page whose header and detail lines have fields after the table\'s', async () => {
      const text = '100020091218001|1|1|N|later\r\n100020091218001|20240108100811000|NO-X1|20240108000000|100|20240108010101|100|||1|later\r\n';
      expect(await reply(Buffer.from(`${text}\r\n${signed(text)}\r\n`).toString('base64'))()).to.equal(undefined);
    });
    it('reports ERRORCODE= (plain or base64) as a typed provider error', async () => {
      expect(await reply('ERRORCODE=ZF10024&ERRORMSG="参数查询开始时间不正确"')()).to.match(/^ProviderRejected: .*ZF10024/);
      expect(await reply(Buffer.from('ERRORCODE=ZF10020&ERRORMSG=签名错误').toString('base64'))()).to.match(/^ProviderRejected: .*ZF10020/);
    });
  });
});
