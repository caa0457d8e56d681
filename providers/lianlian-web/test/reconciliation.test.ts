import { onlyDiscrepancy as only } from '@paykit/conformance';
import { expect } from 'chai';
import { FixedClock, type Discrepancy, type ReconciliationReport } from '@paykit/core';
import { submitForm } from '../src/harness.js';
import { simStatementFile, type SimStatementDay } from '../src/simulator/statements.js';
import { must, paymentInput, startWorld, TEST_OID_PARTNER, type World } from './support.js';


/** The day's three files, as LianLian publishes them, streamed. */
function filesOf(day: SimStatementDay) {
  return [simStatementFile(day.transactions, 97), simStatementFile(day.summary), simStatementFile(day.payouts)];
}

describe('LianLian web reconciliation', function () {
  this.timeout(30_000);
  let w: World;
  // 2024-03-01 10:00 China Standard Time: the settlement day is 20240301.
  const clock = new FixedClock(new Date('2024-03-01T02:00:00Z'));
  const period = { instance: 'shop', date: '2024-03-01' };
  // The simulator charges 0.5 %, whole fen rounded down.
  const fees = { basisPoints: 50, rounding: 'down' as const };

  beforeEach(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock }); });
  afterEach(async function () { await w.close(); });

  async function order(orderId: string, amount: number): Promise<void> {
    const created = must(await w.paykit.payments.create(paymentInput(orderId, amount)));
    if (created.action.kind !== 'redirect') throw new Error('redirect expected');
    expect((await submitForm(created.action)).status).to.equal(200);
  }

  /** An order whose attempt failed, queried once its form is no longer accepted (spec 3.1: only then is FAILURE final). */
  async function failedForGood(orderId: string, amount: number): Promise<void> {
    const start = clock.now();
    await order(orderId, amount);
    await w.sim.complete(orderId, 'failed');
    clock.set(new Date(start.getTime() + 31 * 60_000));
    expect(must(await w.paykit.payments.query(orderId)).status).to.equal('failed');
    clock.set(start);
  }

  async function paid(orderId: string, amount: number, o: { readonly notify?: boolean } = {}): Promise<void> {
    await order(orderId, amount);
    await w.sim.complete(orderId, 'succeeded', { notify: o.notify !== false });
  }

  context('when the day\'s JYMX and JYMXSUM agree with the records', function () {
    it('reports it clean, the summary checked, the fees on the schedule', async function () {
      await paid('OK1', 21097);
      await paid('OK2', 4965);
      const day = must(w.sim.statementDay('20240301'));
      const report = must(await w.paykit.reconcile(period, { files: filesOf(day), fees }));
      expect(report.clean).to.equal(true);
      expect(report.sources).to.deep.equal([day.transactions.name, day.summary.name]);
      expect(report.selfChecks).to.deep.equal([{ source: day.summary.name, agrees: true }]);
      expect(report.counts).to.include({ statementLines: 2, matched: 2, discrepancies: 0 });
      expect(report.days[0]?.statement).to.deep.include({ count: 2, amount: 21097 + 4965, fee: 105 + 24, net: 21097 + 4965 - 129 });
    });

    it('says which file it needs when the files given hold none of the day', async function () {
      await paid('OK1', 21097);
      const other = must(w.sim.statementDay('20240302'));
      const e = (await w.paykit.reconcile(period, { files: filesOf(other) }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('NotFound');
      expect(e.message).to.contain(`JYMX_${TEST_OID_PARTNER}_20240301.txt`);
    });

    it('without files says LianLian has no statement API and how to get the files', async function () {
      const e = (await w.paykit.reconcile(period))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Unsupported');
      expect(e.message).to.contain('SFTP');
      // Nothing half-done was kept: the next run of the day is its first.
      expect((await w.paykit.reconciliation.get(period))._unsafeUnwrap()).to.equal(undefined);
    });
  });

  context('when the day\'s detail file is given under both suffixes (spec 5: .txt or .csv)', function () {
    it('refuses to read it twice instead of reporting every line a duplicate under an agreeing summary', async function () {
      await paid('TWO1', 1000);
      const day = must(w.sim.statementDay('20240301'));
      const csv = { ...day.transactions, name: day.transactions.name.replace(/\.txt$/, '.csv') };
      const e = (await w.paykit.reconcile(period, { files: [...filesOf(day), simStatementFile(csv)], fees }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Conflict');
      expect(e.message).to.contain(csv.name).and.to.contain(day.transactions.name);
      // One of them is read as usual.
      expect(must(await w.paykit.reconcile(period, { files: [simStatementFile(csv), simStatementFile(day.summary)], fees })).clean).to.equal(true);
    });
  });

  context('when the files and the records disagree in every way the simulator can', function () {
    let report: ReconciliationReport;
    beforeEach(async function () {
      await paid('GOOD', 1000);
      await paid('LOST', 2000, { notify: false });
      await failedForGood('RETRY', 3000);
      await w.sim.complete('RETRY', 'succeeded', { notify: false });
      await paid('PORTAL', 4000);
      w.sim.refund('PORTAL', 'MS-REFUND-1', 4000);
      await paid('WRONG', 5000);
      w.sim.statementFaults.push({ kind: 'amount', orderId: 'WRONG', amountMinor: 5500 });
      await paid('PRICY', 6000);
      w.sim.statementFaults.push({ kind: 'fee', orderId: 'PRICY', feeMinor: 90 });
      await paid('TWICE', 7000);
      w.sim.statementFaults.push({ kind: 'duplicate', orderId: 'TWICE' });
      await paid('GONE', 8000);
      w.sim.statementFaults.push({ kind: 'omit', orderId: 'GONE' });
      w.sim.statementFaults.push({ kind: 'extra', line: {
        orderNo: 'GHOST', partnerId: TEST_OID_PARTNER, dtOrder: '20240301090000', busiPartner: '101001', paybill: '2024030199999999', settleDate: '20240301',
        amountMinor: 9900, feeMinor: 49, status: '0', dtUpdate: '20240301090100', payType: '2', info: '羽毛球',
      } });
      w.sim.statementFaults.push({ kind: 'garbage', text: 'GARBLED,LINE' });
      report = must(await w.paykit.reconcile(period, { files: filesOf(must(w.sim.statementDay('20240301'))), fees }));
    });

    it('finds the lost notification and the success after a failure, repairable', function () {
      const lost = only(report, 'missing_in_paykit', 'LOST');
      expect(lost.statement).to.deep.include({ orderId: 'LOST', amount: { amount: 2000, currency: 'CNY' }, day: '2024-03-01', source: `JYMX_${TEST_OID_PARTNER}_20240301.txt` });
      expect(lost.paykit?.status).to.equal('pending');
      const retry = only(report, 'status_mismatch', 'RETRY');
      expect(retry.reason).to.equal('paid_after_failure');
      expect(retry.paykit.status).to.equal('failed');
    });

    it('finds the refund made on the merchant site as a status mismatch of its payment', function () {
      const d = only(report, 'status_mismatch', 'PORTAL');
      expect(d.reason).to.equal('refunded_at_provider');
      expect(d.statement).to.deep.include({ kind: 'refund', refundId: 'MS-REFUND-1', amount: { amount: -4000, currency: 'CNY' } });
    });

    it('finds the wrong amount, the fee off the schedule and the duplicate', function () {
      expect(only(report, 'amount_mismatch', 'WRONG').statement.amount.amount).to.equal(5500);
      const fee = only(report, 'fee', 'PRICY');
      expect(fee.expectedFee).to.deep.equal({ amount: 30, currency: 'CNY' });
      expect(fee.statement.fee).to.deep.equal({ amount: 90, currency: 'CNY' });
      expect(only(report, 'duplicate_line', 'TWICE').count).to.equal(2);
    });

    it('finds the line paykit lacks and the success the file lacks', function () {
      expect(only(report, 'missing_in_paykit', 'GHOST').paykit).to.equal(undefined);
      expect(only(report, 'missing_at_provider', 'GONE').paykit.status).to.equal('succeeded');
    });

    it('reports the line that cannot be read and the summary that no longer adds up', function () {
      const u = only(report, 'unreadable_line');
      expect(u.path).to.match(/^line \d+/);
      expect(u.error).to.contain(`JYMX_${TEST_OID_PARTNER}_20240301.txt`);
      // JYMXSUM counts what LianLian wrote; the garbled line is one the parser could not count.
      const s = report.discrepancies.filter((d) => d.kind === 'summary_mismatch').map((d) => (d as Extract<Discrepancy, { kind: 'summary_mismatch' }>).difference.field);
      expect(s).to.deep.equal(['lineErrors']);
      expect(report.selfChecks).to.deep.equal([{ source: `JYMXSUM_${TEST_OID_PARTNER}_20240301.txt`, agrees: false }]);
    });
  });

  context('when the summary states other totals than the lines', function () {
    it('reports each figure that differs as a summary mismatch', async function () {
      await paid('OK1', 21097);
      w.sim.statementFaults.push({ kind: 'summary', successCountBy: 1 });
      const report = must(await w.paykit.reconcile(period, { files: filesOf(must(w.sim.statementDay('20240301'))) }));
      const s = report.discrepancies.filter((d): d is Extract<Discrepancy, { kind: 'summary_mismatch' }> => d.kind === 'summary_mismatch');
      expect(s.map((d) => [d.difference.field, d.difference.expected, d.difference.actual])).to.deep.equal([['totalCount', '2', '1'], ['successCount', '2', '1']]);
      expect(s[0]?.source).to.equal(`JYMXSUM_${TEST_OID_PARTNER}_20240301.txt`);
      expect(report.clean).to.equal(false);
    });
  });

  context('when JYMX holds the merchant\'s own withdrawal (a 付款 line, flag 1)', function () {
    it('counts it as an adjustment of the day, matched against nothing, and as money out of the day', async function () {
      await paid('OK1', 21097);
      const day = must(w.sim.statementDay('20240301'));
      // 500 yuan out with a 2 yuan fee (comma layout amounts are yuan, spec 5.2), ASCII text so either encoding reads it.
      const withdrawal = `TX20240301W1,${TEST_OID_PARTNER},20240301 09:00:00,101001,2024030100000077,20240301,500,1,0,20240301 09:00:00,2,WEB,balance,withdrawal\r\n`;
      const jymx = { name: day.transactions.name, content: (async function* () { yield day.transactions.bytes; yield new Uint8Array(Buffer.from(withdrawal, 'utf8')); })() };
      const report = must(await w.paykit.reconcile(period, { files: [jymx] }));
      // The withdrawal's fee is the withdrawal's: no discrepancy, the day is clean.
      expect(report.discrepancies.map((d) => d.kind)).to.deep.equal([]);
      expect(report.clean).to.equal(true);
      expect(report.days[0]?.statement.byKind.adjustment).to.deep.equal({ count: 1, amount: 50000, fee: 200 });
      // 210.97 in, 500.00 out: the day moved the balance down by 289.03, and by 3.05 more in fees.
      expect(report.days[0]?.statement).to.deep.include({ count: 2, amount: 21097 - 50000, fee: 105 + 200, net: 21097 - 50000 - 305 });
      expect(report.days[0]?.paykit).to.deep.include({ count: 1, amount: 21097 });
      expect(report.counts).to.include({ statementLines: 2, matched: 2 });
    });
  });

  context('when asked to repair', function () {
    it('asks LianLian about each and records what its verified answer says', async function () {
      await paid('LOST', 2000, { notify: false });
      await failedForGood('RETRY', 3000);
      await w.sim.complete('RETRY', 'succeeded', { notify: false });
      await paid('PORTAL', 4000);
      w.sim.refund('PORTAL', 'MS-REFUND-1', 4000);
      await paid('HALF', 5000);
      w.sim.refund('HALF', 'MS-REFUND-2', 1000);
      const queriesBefore = w.sim.server.received.filter((r) => r.path === '/queryapi/orderquery.htm').length;
      const report = must(await w.paykit.reconcile(period, { files: filesOf(must(w.sim.statementDay('20240301'))), repair: true }));
      const queried = w.sim.server.received.filter((r) => r.path === '/queryapi/orderquery.htm').slice(queriesBefore)
        .map((r) => (JSON.parse(r.body.toString('utf8')) as { no_order: string }).no_order).sort();
      expect(queried).to.deep.equal(['HALF', 'LOST', 'PORTAL', 'RETRY']);
      expect(only(report, 'missing_in_paykit', 'LOST').repair).to.deep.include({ outcome: 'repaired', after: 'succeeded' });
      expect(only(report, 'status_mismatch', 'RETRY').repair).to.deep.include({ outcome: 'repaired', before: 'failed', after: 'succeeded' });
      // Refunded in full: LianLian's query says REFUND, and the payment records all of it back.
      expect(only(report, 'status_mismatch', 'PORTAL').repair).to.deep.include({ outcome: 'repaired', before: 'succeeded', after: 'refunded' });
      const portal = must(await w.paykit.payments.get('PORTAL'));
      expect(portal).to.deep.include({ status: 'refunded', refunded: { amount: 4000, currency: 'CNY' } });
      // Refunded in part: the query says SUCCESS, which settles nothing; a person records it.
      const half = only(report, 'status_mismatch', 'HALF');
      expect(half.repair).to.deep.equal({ outcome: 'unchanged', operation: 'payments.query', status: 'succeeded' });
      expect(half.state).to.equal('open');
      expect(report.counts).to.include({ repaired: 3, open: 1 });
    });
  });
});
