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
      const ledger = steps.at(-1)?.detail as { noOrder: string; paidCount: number }[];
      expect(ledger.map((l) => l.noOrder).sort()).to.deep.equal(['DEMO-PAYOUT-1', 'DEMO-PAYOUT-2', 'DEMO-PAYOUT-3']);
      expect(ledger.every((l) => l.paidCount === 1)).to.equal(true);
      expect(text).not.to.include('BEGIN PRIVATE KEY');
    });
  });
});
