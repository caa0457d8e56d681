import { CURRENCIES } from '@paykit/core';
import { expect } from 'chai';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { createAndPay, declares, describeWithSut, expectOk, type LeakLedger } from '../kit.js';

/** Default upper amount when the harness gives no `maxAmountMinor`. */
export const DEFAULT_MAX_AMOUNT_MINOR = 99_999_999;

/**
 * Amounts in minor units that break float arithmetic (0.29 * 100 = 28.999999999999996,
 * 0.57 * 100 = 56.99999999999999, 10.05 * 100 = 1004.9999999999999) next to the smallest unit, a
 * typical basket and the largest amount the provider takes.
 */
function amountsFor(max: number): readonly number[] {
  return [...new Set([1, 29, 57, 1005, 4965, max].filter((a) => a <= max))];
}

/** Group: money survives create → pay → query in every currency, to the minor unit. */
export function moneyGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('money survives the round trip', harness, ledger, (sut) => {
    if (!declares(harness, 'payments')) {
      it('declares no payments, so no payment amount crosses the wire', function () {
        expect(harness.plugin.capabilities).not.to.include('payments');
      });
      return;
    }

    it('declares at least one currency, each known to paykit', function () {
      expect(sut().ctx.currencies.length).to.be.greaterThan(0);
      for (const c of sut().ctx.currencies) expect(Object.keys(CURRENCIES)).to.include(c);
    });

    it('pays and queries every amount in every currency exactly', async function () {
      const s = sut();
      const max = s.ctx.maxAmountMinor ?? DEFAULT_MAX_AMOUNT_MINOR;
      expect(Number.isSafeInteger(max) && max > 0, 'maxAmountMinor is a positive safe integer').to.equal(true);
      for (const currency of s.ctx.currencies) {
        for (const amount of amountsFor(max)) {
          const money = { amount, currency };
          const { orderId, wireAmountMinor } = await createAndPay(s, money);
          expect(wireAmountMinor, `${amount} ${currency} minor units as the simulator decoded them`).to.equal(amount);
          const payment = expectOk(await s.run(() => s.paykit.payments.query(orderId)), `payments.query(${orderId})`);
          expect(payment.amount, `queried amount of ${orderId}`).to.deep.equal(money);
          expect(payment.status, `status of ${orderId} after paying`).to.equal('succeeded');
        }
      }
    });
  });
}
