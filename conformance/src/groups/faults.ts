import { expect } from 'chai';
import type { ConformanceHarness, HarnessFault } from '@paykit/core/simulator';
import type { PayResult } from '@paykit/core';
import {
  declares, describeWithSut, expectErr, expectOk, firstCurrency, paidOrder, recorded, snapshot, unsettledReference,
  type LeakLedger, type Sut,
} from '../kit.js';

/** The transport timeout the kit sets for the timeout tests; the simulator must hold its reply longer. */
export const SHORT_TIMEOUT_MS = 300;

/** Group: a money-moving call whose reply is lost or late is OutcomeUnknown, never a guess. */
export function outcomeUnknownGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('a lost or late reply to a money-moving call gives OutcomeUnknown', harness, ledger, (sut) => {
    let hasCall = true;
    before(async function () {
      hasCall = sut().ctx.moneyMovingCall !== undefined;
    });

    it('offers a money-moving call unless the plugin moves no money by server call', function () {
      if (hasCall) return expect(sut().ctx.moneyMovingCall).to.be.a('function');
      for (const c of ['refunds', 'payouts', 'preauth']) {
        expect(harness.plugin.capabilities, `${c} is declared, so HarnessContext.moneyMovingCall must be given`).not.to.include(c);
      }
    });

    const faults: readonly HarnessFault[] = ['timeout-after-processing', 'drop-reply-after-processing'];
    for (const fault of faults) {
      it(`answers OutcomeUnknown with a resolution on ${fault}`, async function () {
        this.timeout(20_000);
        const s = sut();
        const call = s.ctx.moneyMovingCall;
        if (call === undefined) {
          for (const c of ['refunds', 'payouts', 'preauth']) expect(harness.plugin.capabilities).not.to.include(c);
          return;
        }
        const orderId = declares(harness, 'payments')
          ? await paidOrder(s, { amount: 4965, currency: firstCurrency(s.ctx) })
          : s.orderId();
        s.transport.timeoutMs = SHORT_TIMEOUT_MS;
        try {
          s.ctx.injectFault(fault);
          const e = expectErr(await s.run(() => call(s.paykit, orderId)), `moneyMovingCall after ${fault}`);
          expect(e.kind, e.message).to.equal('OutcomeUnknown');
          expect(e.retryable, 'an unknown outcome is never blindly retryable').to.equal(false);
          if (e.kind === 'OutcomeUnknown') {
            expect(e.resolution.operation, 'resolution.operation').to.match(/^[a-z]+\.[a-zA-Z]+$/);
            expect(e.resolution.reference, 'resolution.reference').to.be.a('string').and.not.equal('');
            expect(e.resolution.hint, 'resolution.hint').to.be.a('string').and.not.equal('');
          }
        } finally {
          s.transport.timeoutMs = undefined;
        }
      });
    }
  });
}

/** Group: a failed query never makes data up and never moves a record. */
export function queryFaultGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('faults on queries', harness, ledger, (sut) => {
    const payments = declares(harness, 'payments');
    let reference = '';
    let query: ((s: Sut) => Promise<PayResult<unknown>>) | undefined;
    before(async function () {
      const s = sut();
      const call = s.ctx.queryCall;
      if (payments) query = (x) => x.run(() => x.paykit.payments.query(reference));
      else if (call !== undefined) query = (x) => x.run(() => call(x.paykit, reference));
      if (query !== undefined) reference = await unsettledReference(harness, s, 4965);
    });

    const expectNothingToQuery = (): void => {
      for (const c of ['payments', 'payouts']) expect(harness.plugin.capabilities, `${c} is declared, so a query must be offered`).not.to.include(c);
    };

    it('offers a query: payments.query, or HarnessContext.queryCall for a plugin without payments', function () {
      if (query === undefined) expectNothingToQuery();
    });

    const faults: readonly HarnessFault[] = ['server-error', 'malformed-reply', 'bad-signature'];
    for (const fault of faults) {
      it(`returns an error on ${fault} and leaves every record as it was`, async function () {
        const s = sut();
        if (query === undefined) return expectNothingToQuery();
        const before = await snapshot(s);
        s.ctx.injectFault(fault);
        const e = expectErr(await query(s), `query after ${fault}`);
        expect(e.kind, e.message).to.not.equal('Internal');
        if (fault === 'bad-signature') expect(e.kind, e.message).to.equal('Signature');
        expect(await snapshot(s)).to.deep.equal(before);
      });
    }

    it('still applies a good answer afterwards (so the unchanged records above prove something)', async function () {
      const s = sut();
      if (query === undefined) return expectNothingToQuery();
      if (payments) expect((await recorded(s, reference)).status, 'before the good query').not.to.equal('succeeded');
      expectOk(await query(s), 'query');
      // The payment was paid at the simulator: a good answer moves the record the faults left alone.
      if (payments) expect((await recorded(s, reference)).status, 'after the good query').to.equal('succeeded');
    });
  });
}
