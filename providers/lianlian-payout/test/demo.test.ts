import { expect } from 'chai';
import { lianlianPayoutDemo } from '../src/testing.js';

describe('LianLian payout demo', () => {
  context('when run', () => {
    it('walks a payout, a review hold confirmed and a lost reply resolved by query, each paid once', async () => {
      const steps: { what: string; detail: unknown }[] = [];
      await lianlianPayoutDemo.run({ section: () => undefined, step: (what, detail) => { steps.push({ what, detail }); } });
      const text = JSON.stringify(steps);
      expect(steps.find((s) => s.what.startsWith('LianLian held'))?.detail).to.include({ status: 'held_for_review' });
      expect(String(steps.find((s) => s.what.includes('was lost'))?.detail)).to.match(/^OutcomeUnknown .*resolve with payouts\.resolve\(DEMO-PAYOUT-3\)/);
      expect(steps.find((s) => s.what.startsWith('payouts.resolve'))?.detail).to.have.property('status').that.is.oneOf(['accepted', 'processing', 'succeeded']);
      const ledger = steps.find((s) => s.what.startsWith("the simulator's ledger"))?.detail as { noOrder: string; paidCount: number }[];
      expect(ledger.map((l) => l.noOrder).sort()).to.deep.equal(['DEMO-PAYOUT-1', 'DEMO-PAYOUT-2', 'DEMO-PAYOUT-3']);
      expect(ledger.every((l) => l.paidCount === 1)).to.equal(true);
      expect(text).not.to.include('BEGIN PRIVATE KEY');
      // The day's FKMX reconciled: the lost notification and the returned payout repaired, the fee off the contract left open.
      const digest = steps.find((s) => s.what.startsWith('reconciled'))?.detail as { discrepancies: string[] };
      expect(digest.discrepancies).to.have.length(3);
      expect(digest.discrepancies[0]).to.equal('status_mismatch payout DEMO-PAYOUT-1: repaired (payouts.query: succeeded → returned)');
      expect(digest.discrepancies[1]).to.equal('fee payout DEMO-PAYOUT-2: open');
      // Paid while paykit had it accepted or processing (the simulator walks it through both).
      expect(digest.discrepancies[2]).to.match(/^missing_in_paykit payout DEMO-PAYOUT-4: repaired \(payouts\.query: (accepted|processing) → succeeded\)$/);
    });
  });
});
