import { expect } from 'chai';
import { FixedClock, type PayResult, type StatementEntry } from '@paykit/core';
import { submitForm } from '../src/harness.js';
import { chunked, simStatementDay } from '../src/simulator/statements.js';
import { checkStatementSummary, parseStatement } from '../src/statements/index.js';
import { must, paymentInput, startWorld, TEST_OID_PARTNER, type World } from './support.js';

describe('LianLian web statements through paykit', function () {
  let w: World;
  // 2024-03-01 10:00 China Standard Time: the settlement day is 20240301.
  const clock = new FixedClock(new Date('2024-03-01T02:00:00Z'));
  before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock }); });
  after(async function () { await w.close(); });

  context('when a day of payments and a refund went through the simulator', function () {
    it("parses the day's file from paykit.statements.parse back to the amounts that were paid", async function () {
      for (const [orderId, amount] of [['S1', 21097], ['S2', 4965], ['S3', 100]] as const) {
        const created = must(await w.paykit.payments.create(paymentInput(orderId, amount)));
        if (created.action.kind !== 'redirect') throw new Error('redirect expected');
        expect((await submitForm(created.action)).status).to.equal(200);
      }
      await w.sim.complete('S1', 'succeeded', { notify: false });
      await w.sim.complete('S2', 'succeeded', { notify: false });
      await w.sim.complete('S3', 'failed');
      w.sim.refund('S2', 'RS2', 1000);

      const day = must(simStatementDay(w.sim.ledger.orders(), { partnerId: TEST_OID_PARTNER, settleDate: '20240301', layout: 'pipe', encoding: 'GBK' }));
      const entries: StatementEntry[] = [];
      for await (const r of w.paykit.statements.parse({ name: day.transactions.name, content: chunked(day.transactions.bytes, 50) })) entries.push(must(r));
      // S3 failed: not in the file (spec 5.2). The refund is negative and points at S2.
      expect(entries.map((e) => [e.kind, e.orderId, e.amount.amount, e.settleDate])).to.deep.equal([
        ['payment', 'S1', 21097, '20240301'],
        ['payment', 'S2', 4965, '20240301'],
        ['refund', 'S2', -1000, '20240301'],
      ]);
      // The simulator's fee rule (0.5%, whole fen) written out independently.
      expect(entries.map((e) => e.fee?.amount)).to.deep.equal([105, 24, -5]);

      const details: AsyncIterable<PayResult<StatementEntry>> = parseStatement({ name: day.transactions.name, content: chunked(day.transactions.bytes, 50) });
      const check = must(await checkStatementSummary({ name: day.summary.name, content: chunked(day.summary.bytes, 4) }, details));
      expect(check.discrepancies).to.deep.equal([]);
      expect(check.summary.successAmount.amount).to.equal(21097 + 4965);
    });

    it('answers fetch with Unsupported, naming SFTP', async function () {
      const e = (await w.paykit.statements.fetch({ from: '20240301', to: '20240301' }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Unsupported');
      expect(e.message).to.contain('SFTP');
    });
  });
});
