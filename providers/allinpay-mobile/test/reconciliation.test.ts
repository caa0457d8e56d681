import { onlyDiscrepancy as only } from '@paykit/conformance';
import { expect } from 'chai';
import type { Discrepancy, ReconciliationReport } from '@paykit/core';
import { paidOrder, world, type World } from './support.js';
import { trafficDay } from '@paykit/core/simulator';


describe('Allinpay reconciliation (batch query v1.6 and refund queries v2.4)', function () {
  this.timeout(30_000);
  let w: World;
  // The simulator pays orders now; the batch query of today (China Standard Time) lists them.
  // Taken before each test, not when the file loads, and away from midnight CST (16:00 UTC): no test straddles two days.
  let compact: string;
  let period: { instance: string; date: string };
  beforeEach(async function () {
    const day = await trafficDay();
    compact = day.compact;
    period = { instance: 'app', date: day.dashed };
  });

  beforeEach(async function () { w = await world(); });
  afterEach(async function () { await w.sim.close(); });

  /** Creates an order and pays it in the simulator without telling paykit. */
  async function paidUnheard(orderId: string, amount: number): Promise<void> {
    const created = (await w.paykit.payments.create({ orderId, amount: { amount, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap();
    if (created.action.kind !== 'sdk') throw new Error('sdk expected');
    w.sim.pay(created.action.payload, 'succeeded', false);
  }

  const batchRequests = (): Record<string, string>[] => w.sim.server.received.filter((r) => r.path === '/mchtoq/index.do')
    .map((r) => Object.fromEntries(new URLSearchParams(r.body.toString('utf8'))));
  const refundQueries = (): Record<string, string>[] => w.sim.server.received.filter((r) => r.path === '/mchtoq/refundQuery')
    .map((r) => Object.fromEntries(new URLSearchParams(r.body.toString('utf8'))));

  context('when the batch query and the refund queries agree with the records', function () {
    it('asks for the day\'s pages and about each refund of the day, and reports it clean', async function () {
      await paidOrder(w, 'OK1', 1000);
      await paidOrder(w, 'OK2', 2500);
      (await w.paykit.refunds.create({ refundId: 'ROK2', orderId: 'OK2', amount: { amount: 500, currency: 'CNY' } }))._unsafeUnwrap();
      (await w.paykit.refunds.query('ROK2'))._unsafeUnwrap();
      const report = (await w.paykit.reconcile(period))._unsafeUnwrap();
      expect(batchRequests().map((f) => [f.version, f.beginDateTime, f.endDateTime, f.pageNo])).to.deep.equal([['v1.6', `${compact}00`, `${compact}23`, '1']]);
      expect(refundQueries().at(-1)).to.include({ version: 'v2.4', orderNo: 'OK2', mchtRefundOrderNo: 'ROK2' });
      expect(report.clean, JSON.stringify(report.discrepancies)).to.equal(true);
      expect(report.counts).to.include({ statementLines: 3, matched: 3 });
      expect(report.sources).to.deep.equal([`batch query ${compact} page 1`, 'refund query (1 refunds)']);
      expect(report.days[0]?.statement).to.deep.include({ count: 3, amount: 1000 + 2500 - 500 });
    });
  });

  context('when they disagree', function () {
    let report: ReconciliationReport;
    beforeEach(async function () {
      await paidOrder(w, 'GOOD', 1000);
      await paidUnheard('LOST', 2000);
      await paidOrder(w, 'REFUNDED', 4000);
      // Accepted (paykit: processing); the provider finished it since.
      (await w.paykit.refunds.create({ refundId: 'R-DONE', orderId: 'REFUNDED', amount: { amount: 1000, currency: 'CNY' } }))._unsafeUnwrap();
      // Recorded succeeded; the provider reversed it since.
      (await w.paykit.refunds.create({ refundId: 'R-REVERSED', orderId: 'REFUNDED', amount: { amount: 500, currency: 'CNY' } }))._unsafeUnwrap();
      (await w.paykit.refunds.query('R-REVERSED'))._unsafeUnwrap();
      w.sim.setRefundStatus('REFUNDED', 'R-REVERSED', 'TKSUCC0004');
      // Recorded failed (the provider said so then); the provider refunded it after all.
      (await w.paykit.refunds.create({ refundId: 'R-LATE', orderId: 'REFUNDED', amount: { amount: 700, currency: 'CNY' } }))._unsafeUnwrap();
      w.sim.setRefundStatus('REFUNDED', 'R-LATE', 'TKSUCC0007');
      expect((await w.paykit.refunds.query('R-LATE'))._unsafeUnwrap().status).to.equal('failed');
      w.sim.setRefundStatus('REFUNDED', 'R-LATE', 'TKSUCC0006');
      await paidOrder(w, 'WRONG', 5000);
      w.sim.batchFaults.push({ kind: 'amount', orderNo: 'WRONG', amount: 5500 });
      await paidOrder(w, 'TWICE', 7000);
      w.sim.batchFaults.push({ kind: 'duplicate', orderNo: 'TWICE' });
      await paidOrder(w, 'GONE', 8000);
      w.sim.batchFaults.push({ kind: 'omit', orderNo: 'GONE' });
      w.sim.batchFaults.push({ kind: 'extra', orderNo: 'GHOST', amount: 9900, day: compact });
      w.sim.batchFaults.push({ kind: 'count', by: 2 });
      report = (await w.paykit.reconcile(period))._unsafeUnwrap();
    });

    it('finds the lost notification', function () {
      expect(only(report, 'missing_in_paykit', 'LOST').paykit?.status).to.equal('pending');
    });

    it('finds the refund the provider finished and the refund it reversed', function () {
      const done = only(report, 'missing_in_paykit', 'R-DONE');
      expect(done.statement).to.deep.include({ kind: 'refund', refundId: 'R-DONE', orderId: 'REFUNDED', amount: { amount: -1000, currency: 'CNY' }, providerStatus: 'TKSUCC0006' });
      expect(done.paykit).to.deep.include({ kind: 'refund', status: 'processing' });
      const reversed = only(report, 'missing_at_provider', 'R-REVERSED');
      expect(reversed.paykit).to.deep.include({ kind: 'refund', status: 'succeeded' });
      const late = only(report, 'status_mismatch', 'R-LATE');
      expect(late.reason).to.equal('refund_after_failure');
      expect(late.paykit).to.deep.include({ kind: 'refund', status: 'failed' });
    });

    it('finds the wrong amount, the duplicate, the unknown order, the missing one and the miscounted page', function () {
      expect(only(report, 'amount_mismatch', 'WRONG').statement.amount.amount).to.equal(5500);
      expect(only(report, 'duplicate_line', 'TWICE').count).to.equal(2);
      expect(only(report, 'missing_in_paykit', 'GHOST').paykit).to.equal(undefined);
      expect(only(report, 'missing_at_provider', 'GONE').paykit.status).to.equal('succeeded');
      const count = only(report, 'summary_mismatch');
      expect(count.source).to.equal(`batch query ${compact} page 1`);
      expect(Number(count.difference.expected) - Number(count.difference.actual)).to.equal(2);
    });
  });

  context('when asked to repair', function () {
    it('settles payments and refunds by verified queries', async function () {
      await paidUnheard('LOST', 2000);
      await paidOrder(w, 'REFUNDED', 4000);
      (await w.paykit.refunds.create({ refundId: 'R-DONE', orderId: 'REFUNDED', amount: { amount: 1000, currency: 'CNY' } }))._unsafeUnwrap();
      (await w.paykit.refunds.create({ refundId: 'R-LATE', orderId: 'REFUNDED', amount: { amount: 700, currency: 'CNY' } }))._unsafeUnwrap();
      w.sim.setRefundStatus('REFUNDED', 'R-LATE', 'TKSUCC0007');
      (await w.paykit.refunds.query('R-LATE'))._unsafeUnwrap();
      w.sim.setRefundStatus('REFUNDED', 'R-LATE', 'TKSUCC0006');
      const report = (await w.paykit.reconcile(period, { repair: true }))._unsafeUnwrap();
      expect(only(report, 'missing_in_paykit', 'LOST').repair).to.deep.include({ outcome: 'repaired', operation: 'payments.query', after: 'succeeded' });
      expect(only(report, 'missing_in_paykit', 'R-DONE').repair).to.deep.include({ outcome: 'repaired', operation: 'refunds.query', before: 'processing', after: 'succeeded' });
      expect(only(report, 'status_mismatch', 'R-LATE').repair).to.deep.include({ outcome: 'repaired', before: 'failed', after: 'succeeded' });
      expect((await w.paykit.refunds.get('R-DONE'))._unsafeUnwrap().status).to.equal('succeeded');
      // Both refunds count against the payment again, the corrected one included.
      expect((await w.paykit.payments.get('REFUNDED'))._unsafeUnwrap().refunded).to.deep.equal({ amount: 1700, currency: 'CNY' });
      expect(report.clean).to.equal(true);
    });
  });

  context('when the batch query lists an order that was not paid (处理结果 0)', function () {
    it('leaves it out of the day\'s lines and totals and reports the line instead of a payment missing in paykit', async function () {
      await paidOrder(w, 'PAID', 1000);
      const created = (await w.paykit.payments.create({ orderId: 'UNPAID', amount: { amount: 2000, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap();
      if (created.action.kind !== 'sdk') throw new Error('sdk expected');
      w.sim.pay(created.action.payload, 'failed', false);
      w.sim.batchFaults.push({ kind: 'payResult', orderNo: 'UNPAID', payResult: '0' });
      const report = (await w.paykit.reconcile(period))._unsafeUnwrap();
      expect(report.counts).to.include({ statementLines: 1, matched: 1 });
      expect(report.days[0]?.statement).to.deep.include({ count: 1, amount: 1000 });
      expect(report.discrepancies.map((d) => d.kind)).to.deep.equal(['summary_mismatch']);
      const line = only(report, 'summary_mismatch');
      expect(line.source).to.equal(`batch query ${compact} page 1`);
      expect(line.difference).to.deep.equal({ field: `处理结果 of order UNPAID (batch query ${compact} page 1)`, expected: '1 (the batch query lists paid orders only)', actual: '0' });
    });
  });

  context('when a page cannot be read', function () {
    it('fails the run with the provider\'s error instead of reconciling part of the day', async function () {
      await paidOrder(w, 'OK1', 1000);
      w.sim.batchFaults.push({ kind: 'garbage', text: 'not a detail line' });
      const e = (await w.paykit.reconcile(period))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
      const next = (await w.paykit.reconciliation.get(period))._unsafeUnwrap();
      expect(next).to.equal(undefined);
    });
  });
});
