import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Tokens } from '@paykit/core';
import { allinpayErrorCode } from '../src/index.js';
import { formRequest, lastForm, MD5_KEY, paidOrder, world, worldOn, type World } from './support.js';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
/** A refund status query reply as spec 3.8 and the specs README sign it for signType 0: record lines, then uppercase MD5(text + "|" + key). */
const md5LinesReply = (records: readonly string[]): string => {
  const text = records.join('\r\n');
  return `${text}\r\n${md5(`${text}|${MD5_KEY}`)}`;
};

describe('Allinpay mobile refunds', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when refunding part of a paid order', () => {
    it('sends a signed v2.3 refund with the merchant refund number, then the v2.4 query settles it', async () => {
      w = await world();
      await paidOrder(w, 'R-1', 1000);
      const r = await w.paykit.refunds.create({ refundId: 'RF-1', orderId: 'R-1', amount: { amount: 300, currency: 'CNY' } });
      expect(r.isOk() && r.value.status).to.equal('processing');
      const sent = lastForm(w);
      expect(sent).to.include({ version: 'v2.3', orderNo: 'R-1', refundAmount: '300', mchtRefundOrderNo: 'RF-1' });
      const source = `version=v2.3&signType=1&merchantId=${sent.merchantId}&orderNo=R-1&refundAmount=300&mchtRefundOrderNo=RF-1&orderDatetime=${sent.orderDatetime}`;
      expect(sent.signMsg).to.equal(md5(`${source}&key=${MD5_KEY}`));
      const q = await w.paykit.refunds.query('RF-1');
      expect(q.isOk() && q.value.status).to.equal('succeeded');
      expect(lastForm(w)).to.include({ version: 'v2.4', mchtRefundOrderNo: 'RF-1', refundAmount: '300' });
      const p = await w.paykit.payments.get('R-1');
      expect(p._unsafeUnwrap()).to.deep.include({ status: 'partially_refunded', refunded: { amount: 300, currency: 'CNY' } });
    });
  });

  context('when paykit first learns of a paid order from its notification', () => {
    it('keeps the order time the notification states, so the refund names the order Allinpay has (spec 3.5)', async () => {
      // The order was made two days ago by another system (here: another paykit on the same merchant).
      w = await world();
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      w.clock.set(twoDaysAgo);
      const created = await w.paykit.payments.create({ orderId: 'EL-1', amount: { amount: 1000, currency: 'CNY' }, description: 'tea' });
      if (created.isErr() || created.value.action.kind !== 'sdk') throw new Error('create failed');
      const orderDatetime = (JSON.parse(created.value.action.payload) as Record<string, string>).orderDatetime;
      w.sim.pay(created.value.action.payload, 'succeeded', false);
      const other = await worldOn(w.sim);
      const handled = await other.paykit.notifications.handle('app', formRequest(w.sim.notificationBody('EL-1')));
      expect(handled.isOk()).to.equal(true);
      const payment = (await other.paykit.payments.get('EL-1'))._unsafeUnwrap();
      expect(payment.status).to.equal('succeeded');
      const r = await other.paykit.refunds.create({ refundId: 'RF-EL-1', orderId: 'EL-1', amount: { amount: 100, currency: 'CNY' } });
      expect(lastForm(w)).to.include({ orderNo: 'EL-1', orderDatetime });
      expect(r.isOk() && r.value.status).to.equal('processing');
    });
  });

  context('when refunds would exceed what was paid minus already refunded', () => {
    it('refuses the second refund locally without calling Allinpay', async () => {
      w = await world();
      await paidOrder(w, 'R-2', 1000);
      expect((await w.paykit.refunds.create({ refundId: 'RF-2a', orderId: 'R-2', amount: { amount: 700, currency: 'CNY' } })).isOk()).to.equal(true);
      const before = w.sim.server.received.length;
      const r = await w.paykit.refunds.create({ refundId: 'RF-2b', orderId: 'R-2', amount: { amount: 301, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('Conflict');
      expect(w.sim.server.received.length).to.equal(before);
    });

    it('refuses a refund above the order amount in the capability itself', async () => {
      w = await world();
      const refunds = w.paykit.extension('app', Tokens.Refunds)._unsafeUnwrap();
      const r = await refunds.refund({ refundId: 'RF-3', amount: { amount: 1001, currency: 'CNY' }, payment: { orderId: 'R-3', amount: { amount: 1000, currency: 'CNY' }, createdAt: new Date() } });
      expect(r.isErr() && r.error.kind).to.equal('Conflict');
      expect(r.isErr() && r.error.code).to.equal('invalid_amount');
      const other = await refunds.refund({ refundId: 'RF-4', amount: { amount: 1, currency: 'USD' }, payment: { orderId: 'R-3', amount: { amount: 1000, currency: 'CNY' }, createdAt: new Date() } });
      expect(other.isErr() && other.error.code).to.equal('invalid_amount');
      expect(w.sim.server.received.length).to.equal(0);
    });
  });

  context('when Allinpay answers the refund with ERRORCODE=', () => {
    it('returns ProviderRejected with the mapped code and releases the reservation', async () => {
      w = await world();
      await paidOrder(w, 'R-5', 1000);
      w.sim.orders.get('R-5')?.refunds.set('X', { amount: 1000, refundDatetime: '20240101000000', status: 'TKSUCC0006', reply: '' });
      const r = await w.paykit.refunds.create({ refundId: 'RF-5', orderId: 'R-5', amount: { amount: 10, currency: 'CNY' } });
      expect(r.isErr() && r.error).to.deep.include({ kind: 'ProviderRejected', providerCode: 'ZF10028', code: 'conflict' });
      const p = await w.paykit.payments.get('R-5');
      expect(p._unsafeUnwrap().status).to.equal('succeeded');
    });
  });

  context('when Allinpay refunds and then answers with an ERRORCODE= its spec does not list', () => {
    it('keeps the refund pending as an unknown outcome, and the verified query finds it refunded', async () => {
      w = await world();
      await paidOrder(w, 'R-9', 1000);
      w.sim.server.inject({ path: '/gateway/index.do', replyBody: 'ERRORCODE=ZF99999&ERRORMSG=系统繁忙' });
      const r = await w.paykit.refunds.create({ refundId: 'RF-9', orderId: 'R-9', amount: { amount: 250, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      if (r.isErr() && r.error.kind === 'OutcomeUnknown') expect(r.error.resolution).to.include({ operation: 'refunds.query', reference: 'RF-9' });
      // Allinpay did refund: paykit must not have recorded the refund failed nor released its amount.
      expect(w.sim.orders.get('R-9')?.refunds.get('RF-9')?.amount).to.equal(250);
      const held = (await w.paykit.refunds.get('RF-9'))._unsafeUnwrap();
      expect(held.status).to.not.equal('failed');
      const other = await w.paykit.refunds.create({ refundId: 'RF-9b', orderId: 'R-9', amount: { amount: 751, currency: 'CNY' } });
      expect(other.isErr() && other.error.kind).to.equal('Conflict');
      const report = (await w.paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome])).to.deep.include(['RF-9', 'settled']);
      expect((await w.paykit.refunds.get('RF-9'))._unsafeUnwrap().status).to.equal('succeeded');
      expect((await w.paykit.payments.get('R-9'))._unsafeUnwrap().refunded.amount).to.equal(250);
    });

    it('keeps the refund pending on a documented code whose own text says the result is unknown (EM0001_000091)', async () => {
      // Spec 6.1: EM0001_000091 "移动支付更新支付结果失败", message "支付结果获取失败…请联系商户确认订单是否已支付".
      w = await world();
      await paidOrder(w, 'R-11', 1000);
      w.sim.server.inject({ path: '/gateway/index.do', replyBody: 'ERRORCODE=EM0001_000091&ERRORMSG=移动支付更新支付结果失败' });
      const r = await w.paykit.refunds.create({ refundId: 'RF-11', orderId: 'R-11', amount: { amount: 400, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      expect((await w.paykit.refunds.get('RF-11'))._unsafeUnwrap().status).to.not.equal('failed');
      const other = await w.paykit.refunds.create({ refundId: 'RF-11b', orderId: 'R-11', amount: { amount: 601, currency: 'CNY' } });
      expect(other.isErr() && other.error.kind).to.equal('Conflict');
      (await w.paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
      expect((await w.paykit.refunds.get('RF-11'))._unsafeUnwrap().status).to.equal('succeeded');
      // Still not retryable for the payer's app: repeating a payment whose result is unknown could pay twice.
      expect(allinpayErrorCode('EM0001_000091').retryable).to.equal(false);
    });

    it('still takes a documented refusal code as a refusal', async () => {
      w = await world();
      await paidOrder(w, 'R-10', 1000);
      w.sim.server.route('POST', '/gateway/index.do', () => ({ body: 'ERRORCODE=ZF10028&ERRORMSG=退款申请已存在' }));
      const r = await w.paykit.refunds.create({ refundId: 'RF-10', orderId: 'R-10', amount: { amount: 100, currency: 'CNY' } });
      expect(r.isErr() && r.error).to.deep.include({ kind: 'ProviderRejected', providerCode: 'ZF10028' });
      expect((await w.paykit.refunds.get('RF-10'))._unsafeUnwrap().status).to.equal('failed');
    });
  });

  context('when the refund reply is lost after Allinpay processed it', () => {
    it('returns OutcomeUnknown naming refunds.query, and the query then settles the refund once', async () => {
      w = await world();
      await paidOrder(w, 'R-6', 1000);
      w.sim.server.inject({ path: '/gateway/index.do', dropReply: true });
      const r = await w.paykit.refunds.create({ refundId: 'RF-6', orderId: 'R-6', amount: { amount: 400, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
      if (r.isErr() && r.error.kind === 'OutcomeUnknown') expect(r.error.resolution).to.include({ operation: 'refunds.query', reference: 'RF-6' });
      const q = await w.paykit.refunds.query('RF-6');
      expect(q.isOk() && q.value.status).to.equal('succeeded');
      const again = await w.paykit.refunds.query('RF-6');
      expect(again.isOk()).to.equal(true);
      expect((await w.paykit.payments.get('R-6'))._unsafeUnwrap().refunded.amount).to.equal(400);
    });
  });

  context('when the refund reply is badly signed', () => {
    it('treats the outcome as unknown rather than trusting it', async () => {
      w = await world();
      await paidOrder(w, 'R-7', 1000);
      w.sim.server.inject({ path: '/gateway/index.do', badSignature: true });
      const r = await w.paykit.refunds.create({ refundId: 'RF-7', orderId: 'R-7', amount: { amount: 100, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('OutcomeUnknown');
    });
  });

  context('when the refund status query says TKSUCC0007 or lists no such refund', () => {
    it('maps the failure and releases the amount; an unknown refund is NotFound (011)', async () => {
      w = await world({ signType: '0' });
      await paidOrder(w, 'R-8', 1000);
      expect((await w.paykit.refunds.create({ refundId: 'RF-8', orderId: 'R-8', amount: { amount: 500, currency: 'CNY' } })).isOk()).to.equal(true);
      w.sim.setRefundStatus('R-8', 'RF-8', 'TKSUCC0007');
      const q = await w.paykit.refunds.query('RF-8');
      expect(q.isOk() && q.value.status).to.equal('failed');
      expect((await w.paykit.refunds.create({ refundId: 'RF-8b', orderId: 'R-8', amount: { amount: 1000, currency: 'CNY' } })).isOk()).to.equal(true);
      w.sim.orders.get('R-8')?.refunds.delete('RF-8b');
      const missing = await w.paykit.refunds.query('RF-8b');
      expect(missing.isErr() && missing.error).to.deep.include({ kind: 'NotFound', providerCode: '011' });
    });
  });

  context('when a signed refund status query record has more fields than the nine of spec 3.8', () => {
    const setUp = async (orderId: string, refundId: string, record: (merchantId: string) => string): Promise<void> => {
      w = await world({ signType: '0' });
      await paidOrder(w, orderId, 1000);
      expect((await w.paykit.refunds.create({ refundId, orderId, amount: { amount: 300, currency: 'CNY' } })).isOk()).to.equal(true);
      const line = record(w.sim.merchantId);
      w.sim.server.route('POST', '/mchtoq/refundQuery', () => ({ body: md5LinesReply([line]) }));
    };

    it('accepts it, since the signature covers the whole line, and reads the table\'s fields', async () => {
      await setUp('RX-1', 'RFX-1', (m) => `v2.4|0|${m}|RX-1|300|20240101120000|RFX-1|TKSUCC0006|20240101120001|a-later-field`);
      const q = await w.paykit.refunds.query('RFX-1');
      expect(q.isOk() && q.value).to.deep.include({ status: 'succeeded', amount: { amount: 300, currency: 'CNY' } });
    });

    it('still refuses a record with fewer fields than the table as a Decode error', async () => {
      await setUp('RX-2', 'RFX-2', (m) => `v2.4|0|${m}|RX-2|300|20240101120000|RFX-2|TKSUCC0006`);
      const q = await w.paykit.refunds.query('RFX-2');
      expect(q.isErr() && q.error.kind).to.equal('Decode');
      expect(q.isErr() && q.error.message).to.match(/9 fields of spec 3\.8/);
    });
  });

  context('when a signed refund status query record names another merchant', () => {
    it('is a Decode error, not this merchant\'s refund (spec 3.8: merchantId is the order\'s merchant)', async () => {
      w = await world({ signType: '0' });
      await paidOrder(w, 'RM-1', 1000);
      expect((await w.paykit.refunds.create({ refundId: 'RFM-1', orderId: 'RM-1', amount: { amount: 300, currency: 'CNY' } })).isOk()).to.equal(true);
      const line = 'v2.4|0|100099990000001|RM-1|300|20240101120000|RFM-1|TKSUCC0006|20240101120001';
      w.sim.server.route('POST', '/mchtoq/refundQuery', () => ({ body: md5LinesReply([line]) }));
      const q = await w.paykit.refunds.query('RFM-1');
      expect(q.isErr() && q.error.kind).to.equal('Decode');
      expect((await w.paykit.refunds.get('RFM-1'))._unsafeUnwrap().status).to.not.equal('succeeded');
    });
  });
});
