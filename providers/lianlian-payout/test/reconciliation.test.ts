import { onlyDiscrepancy as only } from '@paykit/conformance';
import { expect } from 'chai';
import type { Discrepancy, ReconciliationReport, StatementFile } from '@paykit/core';
import { OID_PARTNER, payoutInput, startRig, until, type Rig } from './support.js';
import { trafficDay } from '@paykit/core/simulator';


function file(f: { readonly name: string; readonly bytes: Uint8Array }): StatementFile {
  return { name: f.name, content: (async function* () { yield f.bytes; })() };
}

describe('LianLian payout reconciliation (FKMX)', function () {
  this.timeout(30_000);
  let rig: Rig;
  // The simulator settles a payout on the day of its dt_order (China Standard Time).
  // Taken before each test, not when the file loads, and away from midnight CST (16:00 UTC): no test straddles two days.
  let compact: string;
  let period: { instance: string; date: string };
  beforeEach(async function () {
    const day = await trafficDay();
    compact = day.compact;
    period = { instance: 'payouts', date: day.dashed };
  });
  // The simulator charges a flat 1.00 yuan per payout.
  const fees = { basisPoints: 0, fixed: 100 };

  beforeEach(async function () { rig = await startRig(); });
  afterEach(async function () { await rig.close(); });

  /** Submits a payout and waits until the simulator has finished with it (and paykit heard, when notified). */
  async function payout(id: string, amount: number, o: { readonly notify?: boolean } = {}): Promise<void> {
    if (o.notify === false) rig.sim.script(id, { notify: false });
    (await rig.paykit.payouts.submit(payoutInput(id, amount)))._unsafeUnwrap();
    await until(() => rig.sim.orders.get(id)?.status === 'SUCCESS');
    if (o.notify !== false) await until(async () => (await rig.paykit.payouts.get(id))._unsafeUnwrap().status === 'succeeded');
  }

  context('when the day\'s FKMX agrees with the payouts', function () {
    it('reports it clean, the fee on the schedule, totals as paid out', async function () {
      await payout('OK-1', 4965);
      await payout('OK-2', 10000);
      const report = (await rig.paykit.reconcile(period, { files: [file(rig.sim.statementFile(compact))], fees }))._unsafeUnwrap();
      expect(report.sources).to.deep.equal([`FKMX_${OID_PARTNER}_${compact}.txt`]);
      expect(report.clean).to.equal(true);
      expect(report.counts).to.include({ statementLines: 2, matched: 2, recordsInPeriod: 2 });
      expect(report.days[0]?.statement.byKind.payout).to.deep.equal({ count: 2, amount: 14965, fee: 200 });
      expect(report.days[0]?.paykit.byKind.payout).to.deep.equal({ count: 2, amount: 14965, fee: 0 });
      // Money out of the merchant's balance: the day's amount and net settlement are negative.
      expect(report.days[0]?.statement).to.deep.include({ count: 2, amount: -14965, fee: 200, net: -14965 - 200 });
      expect(report.days[0]?.paykit).to.deep.include({ count: 2, amount: -14965 });
    });
  });

  context('when the file and the payouts disagree', function () {
    let report: ReconciliationReport;
    beforeEach(async function () {
      await payout('GOOD', 1000);
      await payout('LOST', 2000, { notify: false });
      await payout('BACK', 3000);
      // The beneficiary's bank returns the money; the CANCEL notification is lost.
      rig.sim.script('BACK', { notify: false });
      rig.sim.cancel('BACK');
      await payout('WRONG', 5000);
      rig.sim.statementFaults.push({ kind: 'amount', noOrder: 'WRONG', amountFen: 5500 });
      await payout('PRICY', 6000);
      rig.sim.statementFaults.push({ kind: 'fee', noOrder: 'PRICY', feeFen: 300 });
      await payout('TWICE', 7000);
      rig.sim.statementFaults.push({ kind: 'duplicate', noOrder: 'TWICE' });
      await payout('GONE', 8000);
      rig.sim.statementFaults.push({ kind: 'omit', noOrder: 'GONE' });
      rig.sim.statementFaults.push({ kind: 'extra', noOrder: 'GHOST', amountFen: 9900, dtOrder: `${compact}090000` });
      rig.sim.statementFaults.push({ kind: 'garbage', text: 'not|a|line' });
      report = (await rig.paykit.reconcile(period, { files: [file(rig.sim.statementFile(compact))], fees }))._unsafeUnwrap();
    });

    it('finds the payout whose notification was lost, and the returned payout', function () {
      const lost = only(report, 'missing_in_paykit', 'LOST');
      expect(lost.statement).to.deep.include({ kind: 'payout', orderId: 'LOST', amount: { amount: 2000, currency: 'CNY' } });
      expect(lost.paykit?.status).to.be.oneOf(['accepted', 'processing']);
      const back = only(report, 'status_mismatch', 'BACK');
      expect(back.reason).to.equal('payout_returned');
      expect(back.statement).to.deep.include({ kind: 'payout', orderId: 'BACK', amount: { amount: -3000, currency: 'CNY' } });
      expect(back.paykit.status).to.equal('succeeded');
    });

    it('finds the wrong amount, the fee off the schedule, the duplicate, the unknown order and the missing one', function () {
      expect(only(report, 'amount_mismatch', 'WRONG').paykit.amount.amount).to.equal(5000);
      expect(only(report, 'fee', 'PRICY').expectedFee).to.deep.equal({ amount: 100, currency: 'CNY' });
      expect(only(report, 'duplicate_line', 'TWICE').count).to.equal(2);
      expect(only(report, 'missing_in_paykit', 'GHOST').paykit).to.equal(undefined);
      expect(only(report, 'missing_at_provider', 'GONE').paykit).to.deep.include({ kind: 'payout', status: 'succeeded' });
      expect(only(report, 'unreadable_line').path).to.match(/^line \d+/);
      expect(report.counts.byKind).to.deep.include({ missing_in_paykit: 2, status_mismatch: 1, amount_mismatch: 1, fee: 1, duplicate_line: 1, missing_at_provider: 1, unreadable_line: 1 });
    });
  });

  context('when asked to repair', function () {
    it('queries LianLian about each payout and records paid and returned by the transition rules', async function () {
      await payout('LOST', 2000, { notify: false });
      await payout('BACK', 3000);
      rig.sim.script('BACK', { notify: false });
      rig.sim.cancel('BACK');
      const before = rig.sim.server.received.filter((r) => r.path === '/paymentapi/queryPayment.htm').length;
      const report = (await rig.paykit.reconcile(period, { files: [file(rig.sim.statementFile(compact))], repair: true }))._unsafeUnwrap();
      const asked = rig.sim.server.received.filter((r) => r.path === '/paymentapi/queryPayment.htm').slice(before)
        .map((r) => (JSON.parse(r.body.toString('utf8')) as { no_order: string }).no_order).sort();
      expect(asked).to.deep.equal(['BACK', 'LOST']);
      expect(only(report, 'missing_in_paykit', 'LOST').repair).to.deep.include({ outcome: 'repaired', after: 'succeeded' });
      expect(only(report, 'status_mismatch', 'BACK').repair).to.deep.include({ outcome: 'repaired', before: 'succeeded', after: 'returned' });
      expect((await rig.paykit.payouts.get('BACK'))._unsafeUnwrap().status).to.equal('returned');
      expect(report.clean).to.equal(true);
    });
  });
});
