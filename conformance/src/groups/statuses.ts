import {
  PAYMENT_STATUSES, PAYOUT_STATUSES, REFUND_STATUSES, STANDARD_CODES,
  type PaymentStatus, type PayoutStatus, type RefundStatus, type StatusMapping,
} from '@paykit/core';
import { expect } from 'chai';
import fc from 'fast-check';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { declares, type LeakLedger } from '../kit.js';

/** Where an unknown provider status may land: waiting, never final. */
const PENDING_PAYMENT: readonly PaymentStatus[] = ['created', 'pending', 'processing'];
const PENDING_PAYOUT: readonly PayoutStatus[] = ['unknown', 'accepted', 'processing'];
const PENDING_REFUND: readonly RefundStatus[] = ['pending', 'processing'];

/** Strings close to documented ones (case, prefix, suffix) that are not documented themselves. */
function nearMisses(wire: readonly string[]): string[] {
  const known = new Set(wire);
  const out = wire.flatMap((w) => [w.toLowerCase(), w.toUpperCase(), `${w}_X`, `X${w}`, `${w} `, ` ${w}`, `${w}\u0000`]);
  return [...new Set(out)].filter((s) => !known.has(s));
}

function checkMapping<S extends string>(name: string, mapping: StatusMapping<S>, domain: readonly S[], pending: readonly S[]): void {
  describe(name, function () {
    it('documents at least one wire status', function () {
      expect(mapping.wire.length).to.be.greaterThan(0);
    });

    it('maps every documented wire status into the domain list', function () {
      for (const w of mapping.wire) expect(domain, `"${w}" maps to`).to.include(mapping.map(w));
    });

    it('maps near-misses of documented statuses to a waiting status, never a final one', function () {
      for (const s of nearMisses(mapping.wire)) expect(pending, `${JSON.stringify(s)} maps to`).to.include(mapping.map(s));
    });

    it('maps any unknown string to a waiting status, never a final one', function () {
      const known = new Set(mapping.wire);
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !known.has(s)), (s) => {
        expect(pending, `${JSON.stringify(s)} maps to`).to.include(mapping.map(s));
      }), { numRuns: 300 });
    });
  });
}

/** Group: status vocabularies map totally, and nothing unknown becomes a success. */
export function statusGroup(harness: ConformanceHarness, _ledger: LeakLedger): void {
  const intro = harness.plugin.introspection;
  describe('status mapping is total', function () {
    it('exposes the status vocabulary of every status-reporting capability it declares', function () {
      if (declares(harness, 'payments')) expect(intro?.paymentStatuses, 'introspection.paymentStatuses').to.not.equal(undefined);
      if (declares(harness, 'payouts')) expect(intro?.payoutStatuses, 'introspection.payoutStatuses').to.not.equal(undefined);
      if (declares(harness, 'refunds')) expect(intro?.refundStatuses, 'introspection.refundStatuses').to.not.equal(undefined);
      expect(intro?.paymentStatuses ?? intro?.payoutStatuses ?? intro?.refundStatuses, 'some status vocabulary').to.not.equal(undefined);
    });
    if (intro?.paymentStatuses) checkMapping('payment statuses', intro.paymentStatuses, PAYMENT_STATUSES, PENDING_PAYMENT);
    if (intro?.payoutStatuses) checkMapping('payout statuses', intro.payoutStatuses, PAYOUT_STATUSES, PENDING_PAYOUT);
    if (intro?.refundStatuses) checkMapping('refund statuses', intro.refundStatuses, REFUND_STATUSES, PENDING_REFUND);
  });

  describe('provider error codes map to standard codes', function () {
    const codes = intro?.errorCodes;
    it('exposes its error codes', function () {
      expect(codes, 'introspection.errorCodes').to.not.equal(undefined);
      expect(codes?.codes.length, 'documented error codes').to.be.greaterThan(0);
    });
    if (!codes) return;

    it('maps every documented code to a standard code with a retry flag', function () {
      for (const c of codes.codes) {
        const m = codes.map(c);
        expect(STANDARD_CODES, `code "${c}" maps to`).to.include(m.code);
        expect(m.retryable, `code "${c}" retryable`).to.be.a('boolean');
      }
    });

    it('maps unknown codes to a standard code that is not retryable', function () {
      const known = new Set(codes.codes);
      fc.assert(fc.property(fc.string({ maxLength: 24 }).filter((s) => !known.has(s)), (s) => {
        const m = codes.map(s);
        expect(STANDARD_CODES, `unknown code ${JSON.stringify(s)} maps to`).to.include(m.code);
        expect(m.retryable, `unknown code ${JSON.stringify(s)} retryable`).to.equal(false);
      }), { numRuns: 200 });
    });

    it('maps the pinned sample codes as the provider documents them', async function () {
      const ctx = await harness.setup();
      try {
        const sample = Object.entries(ctx.expectedErrorCodes ?? {});
        expect(sample.length, 'HarnessContext.expectedErrorCodes pins at least one code').to.be.greaterThan(0);
        for (const [code, standard] of sample) {
          expect(codes.codes, `pinned code "${code}" is documented`).to.include(code);
          expect(codes.map(code).code, `code "${code}"`).to.equal(standard);
        }
      } finally {
        await ctx.close();
      }
    });
  });
}
