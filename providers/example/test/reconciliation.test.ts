import { onlyDiscrepancy as only } from '@paykit/conformance';
import { expect } from 'chai';
import type { Discrepancy, Paykit, ReconciliationReport } from '@paykit/core';
import { trafficDay, type CstDay } from '@paykit/core/simulator';
import { expectedSign, KEY, MERCHANT, startRig, type Rig } from './helpers.js';

/** Hands the simulator's notification of an order to paykit, as the merchant's endpoint would. */
async function notify(paykit: Paykit, rig: Rig, orderNo: string): Promise<void> {
  const r = await paykit.notifications.handle('shop', {
    method: 'POST', url: '/notify', headers: { 'content-type': 'application/json' }, body: new Uint8Array(Buffer.from(rig.sim.notificationBody(orderNo))),
  });
  if (r.isErr()) throw new Error(r.error.message);
}

/** Creates an order, pays it at the simulator's cashier, and (unless told not to) notifies paykit. */
async function paid(rig: Rig, orderId: string, amount: number, o: { readonly notify?: boolean } = {}): Promise<void> {
  const created = (await rig.paykit.payments.create({ orderId, amount: { amount, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
  await rig.sim.pay(created.action, 'succeeded');
  if (o.notify !== false) await notify(rig.paykit, rig, orderId);
}


describe('Example Pay reconciliation', function () {
  this.timeout(30_000);
  let rig: Rig;
  // The day the simulator's traffic lands on, taken before each test (not when the file loads) and
  // away from midnight China Standard Time, so that no test straddles two days.
  let day: CstDay;
  let period: { instance: string; date: string };
  beforeEach(async function () {
    day = await trafficDay();
    period = { instance: 'shop', date: day.dashed };
  });
  const fees = { basisPoints: 60, rounding: 'half-up' as const };

  beforeEach(async function () {
    rig = await startRig();
  });
  afterEach(async function () {
    await rig.sim.close();
  });

  context('when the statement and the records agree', function () {
    it('asks for the day\'s statement page by page, signed, and reports it clean with the day\'s totals', async function () {
      await paid(rig, 'OK1', 10000);
      await paid(rig, 'OK2', 2550);
      (await rig.paykit.refunds.create({ refundId: 'ROK2', orderId: 'OK2', amount: { amount: 550, currency: 'CNY' } }))._unsafeUnwrap();
      const report = (await rig.paykit.reconcile(period, { fees }))._unsafeUnwrap();
      const sent = rig.sim.server.received.filter((r) => r.path === '/statement').map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, string>);
      const fields = { merchant_id: MERCHANT, date: day.compact, page: '1', sign_type: 'HMAC-SHA256' };
      expect(sent).to.deep.equal([{ ...fields, sign: expectedSign(fields, KEY) }]);
      expect(report.clean).to.equal(true);
      expect(report.discrepancies).to.deep.equal([]);
      expect(report.counts).to.include({ statementLines: 3, matched: 3, discrepancies: 0, open: 0 });
      // 100.00 + 25.50 paid, 5.50 refunded; fees 0.6 %: 0.60 + 0.15 (rounded half up from 0.153), 0.03 given back.
      const [totals] = report.days;
      expect(totals?.day).to.equal(day.dashed);
      expect(totals?.statement).to.deep.include({ count: 3, amount: 12000, fee: 60 + 15 - 3, net: 12000 - 72 });
      expect(totals?.statement.byKind.refund).to.deep.equal({ count: 1, amount: -550, fee: -3 });
      expect(totals?.paykit).to.deep.include({ count: 3, amount: 12000 });
    });
  });

  context('when the statement and the records disagree in every way the simulator can', function () {
    let report: ReconciliationReport;
    beforeEach(async function () {
      await paid(rig, 'GOOD', 1000);
      // A lost notification: paid at the provider, pending in paykit.
      await paid(rig, 'LOST', 2000, { notify: false });
      // A payment that failed (paykit heard it), then succeeded on a retry whose notification was lost.
      const retry = (await rig.paykit.payments.create({ orderId: 'RETRY', amount: { amount: 3000, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
      await rig.sim.pay(retry.action, 'failed');
      await notify(rig.paykit, rig, 'RETRY');
      await rig.sim.pay(retry.action, 'succeeded');
      // A refund made in the provider's console.
      await paid(rig, 'PORTAL', 4000);
      rig.sim.refundInConsole('PORTAL', 'CONSOLE-1', 1000);
      // Statement faults.
      await paid(rig, 'WRONG', 5000);
      rig.sim.statementFaults.push({ kind: 'amount', orderNo: 'WRONG', amountMinor: 5500 });
      await paid(rig, 'PRICY', 6000);
      rig.sim.statementFaults.push({ kind: 'fee', orderNo: 'PRICY', feeMinor: 120 });
      await paid(rig, 'TWICE', 7000);
      rig.sim.statementFaults.push({ kind: 'duplicate', orderNo: 'TWICE' });
      await paid(rig, 'GONE', 8000);
      rig.sim.statementFaults.push({ kind: 'omit', orderNo: 'GONE' });
      rig.sim.statementFaults.push({ kind: 'extra', orderNo: 'GHOST', amountMinor: 9900, currency: 'CNY', at: new Date() });
      rig.sim.statementFaults.push({ kind: 'charge', reference: 'MONTHLY-FEE', feeMinor: 500, currency: 'CNY', at: new Date() });
      rig.sim.statementFaults.push({ kind: 'garbage', date: day.compact, text: 'PAYMENT|half a line' });
      rig.sim.statementFaults.push({ kind: 'miscount', date: day.compact, by: 1 });
      report = (await rig.paykit.reconcile(period, { fees }))._unsafeUnwrap();
    });

    it('finds a lost notification as missing in paykit, with both sides, repairable', function () {
      const d = only(report, 'missing_in_paykit', 'LOST');
      expect(d.statement).to.deep.include({ kind: 'payment', orderId: 'LOST', amount: { amount: 2000, currency: 'CNY' }, day: day.dashed });
      expect(d.paykit).to.deep.include({ kind: 'payment', id: 'LOST', status: 'pending', amount: { amount: 2000, currency: 'CNY' } });
      expect(d.repairable).to.equal(true);
      expect(d.state).to.equal('open');
    });

    it('finds a success after a recorded failure as a status mismatch', function () {
      const d = only(report, 'status_mismatch', 'RETRY');
      expect(d.reason).to.equal('paid_after_failure');
      expect(d.paykit.status).to.equal('failed');
      expect(d.repairable).to.equal(true);
    });

    it('finds a refund made in the console as a status mismatch of its payment', function () {
      const d = only(report, 'status_mismatch', 'PORTAL');
      expect(d.reason).to.equal('refunded_at_provider');
      expect(d.statement).to.deep.include({ kind: 'refund', refundId: 'CONSOLE-1', orderId: 'PORTAL', amount: { amount: -1000, currency: 'CNY' } });
      expect(d.paykit).to.deep.include({ kind: 'payment', status: 'succeeded', refunded: { amount: 0, currency: 'CNY' } });
    });

    it('finds a wrong amount, which no query repairs', function () {
      const d = only(report, 'amount_mismatch', 'WRONG');
      expect(d.statement.amount).to.deep.equal({ amount: 5500, currency: 'CNY' });
      expect(d.paykit.amount).to.deep.equal({ amount: 5000, currency: 'CNY' });
      expect(d.repairable).to.equal(false);
    });

    it('finds a fee off the schedule and a fee charged on its own', function () {
      const fee = report.discrepancies.filter((x): x is Extract<Discrepancy, { kind: 'fee' }> => x.kind === 'fee');
      expect(fee.map((f) => f.statement.orderId).sort()).to.deep.equal(['MONTHLY-FEE', 'PRICY']);
      const pricy = fee.find((f) => f.statement.orderId === 'PRICY');
      // 0.6 % of 60.00 is 0.36; the line charged 1.20.
      expect(pricy?.expectedFee).to.deep.equal({ amount: 36, currency: 'CNY' });
      expect(pricy?.statement.fee).to.deep.equal({ amount: 120, currency: 'CNY' });
      const charge = fee.find((f) => f.statement.orderId === 'MONTHLY-FEE');
      expect(charge?.expectedFee).to.equal(undefined);
      expect(charge?.statement).to.deep.include({ kind: 'adjustment', fee: { amount: 500, currency: 'CNY' } });
    });

    it('finds a duplicated line, with every copy', function () {
      const d = only(report, 'duplicate_line', 'TWICE');
      expect(d.count).to.equal(2);
      expect(d.lines).to.have.length(2);
    });

    it('finds a line paykit has no record of, and a success the statement lacks', function () {
      const ghost = only(report, 'missing_in_paykit', 'GHOST');
      expect(ghost.paykit).to.equal(undefined);
      expect(ghost.repairable).to.equal(false);
      const gone = only(report, 'missing_at_provider', 'GONE');
      expect(gone.paykit).to.deep.include({ status: 'succeeded', amount: { amount: 8000, currency: 'CNY' }, day: day.dashed });
    });

    it('reports a page whose stated count is off and a line that cannot be read', function () {
      const s = only(report, 'summary_mismatch');
      expect(s.difference).to.deep.include({ expected: String(Number(s.difference.actual) + 1) });
      const u = only(report, 'unreadable_line');
      expect(u.error).to.include('has 2 |-separated fields');
    });

    it('counts every kind, and nothing else', function () {
      expect(report.counts.byKind).to.deep.equal({
        missing_in_paykit: 2, missing_at_provider: 1, amount_mismatch: 1, status_mismatch: 2, fee: 2, duplicate_line: 1, summary_mismatch: 1, unreadable_line: 1,
      });
      expect(report.clean).to.equal(false);
      expect(report.counts.open).to.equal(11);
    });
  });

  context('when asked to repair', function () {
    it('settles what a verified query can, through the facade, and leaves the rest open', async function () {
      await paid(rig, 'LOST', 2000, { notify: false });
      const retry = (await rig.paykit.payments.create({ orderId: 'RETRY', amount: { amount: 3000, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
      await rig.sim.pay(retry.action, 'failed');
      await notify(rig.paykit, rig, 'RETRY');
      await rig.sim.pay(retry.action, 'succeeded');
      await paid(rig, 'PORTAL', 4000);
      rig.sim.refundInConsole('PORTAL', 'CONSOLE-1', 1000);
      const before = rig.sim.server.received.filter((r) => r.path === '/query').length;
      const report = (await rig.paykit.reconcile(period, { repair: true }))._unsafeUnwrap();
      // One verified query per record.
      const queried = rig.sim.server.received.filter((r) => r.path === '/query').slice(before).map((r) => (JSON.parse(r.body.toString('utf8')) as { order_no: string }).order_no);
      expect(queried.sort()).to.deep.equal(['LOST', 'PORTAL', 'RETRY']);
      expect(only(report, 'missing_in_paykit', 'LOST').repair).to.deep.equal({ outcome: 'repaired', operation: 'payments.query', before: 'pending', after: 'succeeded' });
      expect(only(report, 'status_mismatch', 'RETRY').repair).to.deep.equal({ outcome: 'repaired', operation: 'payments.query', before: 'failed', after: 'succeeded' });
      // Example Pay's query does not tell a refund: the console refund stays for a person.
      const portal = only(report, 'status_mismatch', 'PORTAL');
      expect(portal.repair).to.deep.equal({ outcome: 'unchanged', operation: 'payments.query', status: 'succeeded' });
      expect(portal.state).to.equal('open');
      expect(report.counts).to.include({ repaired: 2, open: 1 });
      expect((await rig.paykit.payments.get('LOST'))._unsafeUnwrap().status).to.equal('succeeded');
      expect((await rig.paykit.payments.get('RETRY'))._unsafeUnwrap().status).to.equal('succeeded');
      // Each repair went through the outbox like any query.
      const events = (await rig.paykit.events.list({ types: ['payment.succeeded'] }))._unsafeUnwrap();
      expect(events.filter((e) => e.cause.source === 'query').map((e) => e.record.id).sort()).to.deep.equal(['LOST', 'RETRY']);
    });

    it('never changes a record on the statement\'s word alone', async function () {
      await paid(rig, 'LOST', 2000, { notify: false });
      const report = (await rig.paykit.reconcile(period))._unsafeUnwrap();
      expect(only(report, 'missing_in_paykit', 'LOST').repair).to.equal(undefined);
      expect((await rig.paykit.payments.get('LOST'))._unsafeUnwrap().status).to.equal('pending');
      expect(rig.sim.server.received.filter((r) => r.path === '/query')).to.have.length(0);
    });
  });

  context('when the day is reconciled again', function () {
    it('says what changed since the last run, and a resolved discrepancy stays resolved', async function () {
      await paid(rig, 'LOST', 2000, { notify: false });
      await paid(rig, 'WRONG', 5000);
      rig.sim.statementFaults.push({ kind: 'amount', orderNo: 'WRONG', amountMinor: 5500 });
      const first = (await rig.paykit.reconcile(period))._unsafeUnwrap();
      expect(first.run).to.equal(1);
      expect(first.changes.new).to.have.length(2);
      const lost = only(first, 'missing_in_paykit', 'LOST');
      const wrong = only(first, 'amount_mismatch', 'WRONG');

      const again = (await rig.paykit.reconcile(period))._unsafeUnwrap();
      expect(again.run).to.equal(2);
      expect(again.changes).to.deep.include({ previousRun: 1, new: [], reopened: [], fixed: [], unchanged: 2 });
      expect(again.discrepancies.map((d) => d.id).sort()).to.deep.equal([lost.id, wrong.id].sort());

      // The notification arrives late; the wrong amount is settled with the provider by a person.
      await notify(rig.paykit, rig, 'LOST');
      const resolved = (await rig.paykit.reconciliation.resolve(period, wrong.id, 'Example Pay confirmed 50.00; they correct the statement'))._unsafeUnwrap();
      expect(resolved.state).to.equal('resolved');
      const third = (await rig.paykit.reconcile(period))._unsafeUnwrap();
      expect(third.changes.fixed.map((f) => f.id)).to.deep.equal([lost.id]);
      expect(third.counts).to.include({ discrepancies: 1, open: 0, resolved: 1 });
      expect(third.clean).to.equal(true);
      const kept = only(third, 'amount_mismatch', 'WRONG');
      expect(kept.resolution?.note).to.equal('Example Pay confirmed 50.00; they correct the statement');

      const latest = (await rig.paykit.reconciliation.get(period))._unsafeUnwrap();
      expect(latest?.run).to.equal(3);
      const stored = [];
      for await (const d of rig.paykit.reconciliation.discrepancies(period)) stored.push(d._unsafeUnwrap());
      expect(stored.map((d) => [d.subject?.id, d.status]).sort()).to.deep.equal([['LOST', 'fixed'], ['WRONG', 'resolved']]);
    });
  });
});
