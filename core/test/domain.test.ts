import { expect } from 'chai';
import {
  checkCapture, checkRefundable, finalStatuses, isCorrection, PAYMENT_STATUSES, PAYMENT_TRANSITIONS, paymentTransition, PAYOUT_STATUSES,
  PAYOUT_TRANSITIONS, payoutTransition, PREAUTH_TRANSITIONS, preAuthTransition, REFUND_TRANSITIONS, refundTransition,
  type Money, type PaymentStatus, type PayoutStatus, type PayResult,
} from '../src/index.js';

function okValue<T>(r: PayResult<T>): T {
  if (r.isErr()) expect.fail(`expected Ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}
function errValue<T>(r: PayResult<T>) {
  if (r.isOk()) expect.fail(`expected Err, got Ok(${JSON.stringify(r.value)})`);
  return r.error;
}
const cny = (amount: number): Money => ({ amount, currency: 'CNY' });

describe('domain transitions', () => {
  describe('payment', () => {
    context('when a failure is reported after a success', () => {
      it('is ignored as a would-be downgrade, never applied', () => {
        expect(okValue(paymentTransition('succeeded', 'failed'))).to.deep.equal({ kind: 'ignored', status: 'succeeded', reason: 'would-downgrade' });
      });
    });
    context('when any earlier status is reported after a success', () => {
      for (const late of ['created', 'pending', 'processing', 'failed', 'closed'] as const) {
        it(`ignores ${late}`, () => {
          expect(okValue(paymentTransition('succeeded', late)).kind).to.equal('ignored');
        });
      }
    });
    context('when a success follows a failure (the payer tried again)', () => {
      it('applies it', () => {
        expect(okValue(paymentTransition('failed', 'succeeded'))).to.deep.equal({ kind: 'applied', from: 'failed', to: 'succeeded' });
      });
    });
    context('when the same status is reported again', () => {
      it('is ignored as same-status', () => {
        for (const s of PAYMENT_STATUSES) expect(okValue(paymentTransition(s, s))).to.deep.equal({ kind: 'ignored', status: s, reason: 'same-status' });
      });
    });
    context('when the move is illegal', () => {
      it('is a Conflict naming both statuses', () => {
        const e = errValue(paymentTransition('created', 'partially_refunded'));
        expect(e.kind).to.equal('Conflict');
        expect(e.message).to.equal('payment cannot move from created to partially_refunded');
        expect(errValue(paymentTransition('pending', 'partially_refunded')).kind).to.equal('Conflict');
      });
    });
    it('takes a full refund from any state before success: the order was paid and all of it went back', () => {
      for (const from of ['created', 'pending', 'processing', 'failed', 'closed'] as const) {
        expect(okValue(paymentTransition(from, 'refunded'))).to.deep.equal({ kind: 'applied', from, to: 'refunded' });
        expect(errValue(paymentTransition(from, 'partially_refunded')).kind).to.equal('Conflict');
      }
    });
    it('never turns a refunded payment back into anything', () => {
      for (const s of PAYMENT_STATUSES) expect(okValue(paymentTransition('refunded', s)).kind).to.equal('ignored');
    });
    it('every pair is decided: applied, ignored or Conflict, and nothing else leaves a success', () => {
      for (const from of PAYMENT_STATUSES) {
        for (const to of PAYMENT_STATUSES) {
          const r = paymentTransition(from, to);
          if (from === 'succeeded' && r.isOk() && r.value.kind === 'applied') {
            expect(['partially_refunded', 'refunded']).to.include(to);
          }
        }
      }
    });
  });

  describe('refund', () => {
    it('moves pending → processing → succeeded and ignores a late failure', () => {
      expect(okValue(refundTransition('pending', 'processing')).kind).to.equal('applied');
      expect(okValue(refundTransition('processing', 'succeeded')).kind).to.equal('applied');
      expect(okValue(refundTransition('succeeded', 'failed')).kind).to.equal('ignored');
    });
    it('applies failed → succeeded: the provider\'s verified word that it refunded wins (a correction)', () => {
      expect(okValue(refundTransition('failed', 'succeeded')).kind).to.equal('applied');
      expect(isCorrection('refund', 'failed', 'succeeded')).to.equal(true);
    });
    it('ignores a late pending or processing report after a failure', () => {
      expect(okValue(refundTransition('failed', 'processing')).kind).to.equal('ignored');
      expect(okValue(refundTransition('failed', 'pending')).kind).to.equal('ignored');
    });
  });

  describe('checkRefundable', () => {
    context('when the total stays within the paid amount', () => {
      it('returns the new refunded total', () => {
        expect(okValue(checkRefundable(cny(10000), cny(3000), cny(2000)))).to.deep.equal(cny(5000));
      });
      it('accepts a refund of exactly the remainder', () => {
        expect(okValue(checkRefundable(cny(10000), cny(3000), cny(7000)))).to.deep.equal(cny(10000));
      });
    });
    context('when one minor unit too many is asked', () => {
      it('is a Conflict naming the remaining refundable amount', () => {
        const e = errValue(checkRefundable(cny(10000), cny(3000), cny(7001)));
        expect(e.kind).to.equal('Conflict');
        expect(e.code).to.equal('invalid_amount');
        expect(e.message).to.equal('refund of 70.01 CNY exceeds the remaining refundable 70.00 CNY');
      });
    });
    context('when the amount is zero or negative', () => {
      it('is an InvalidRequest', () => {
        expect(errValue(checkRefundable(cny(100), cny(0), cny(0))).kind).to.equal('InvalidRequest');
        expect(errValue(checkRefundable(cny(100), cny(0), cny(-1))).kind).to.equal('InvalidRequest');
      });
    });
    context('when the refund is in another currency', () => {
      it('is an error', () => {
        expect(checkRefundable(cny(100), cny(0), { amount: 1, currency: 'USD' }).isErr()).to.equal(true);
      });
    });
  });

  describe('payout', () => {
    const path: readonly PayoutStatus[] = ['created', 'accepted', 'held_for_review', 'processing'];
    it('flows accepted → held_for_review → processing', () => {
      for (let i = 0; i + 1 < path.length; i += 1) {
        expect(okValue(payoutTransition(path[i] as PayoutStatus, path[i + 1] as PayoutStatus)).kind).to.equal('applied');
      }
    });
    for (const end of ['succeeded', 'failed', 'closed'] as const) {
      it(`ends processing → ${end}`, () => {
        expect(okValue(payoutTransition('processing', end))).to.deep.equal({ kind: 'applied', from: 'processing', to: end });
      });
    }
    it('lets a success be returned by the bank', () => {
      expect(okValue(payoutTransition('succeeded', 'returned')).kind).to.equal('applied');
    });
    it('applies a return reported while the payout was still in flight (the success was never reported)', () => {
      for (const from of ['unknown', 'accepted', 'held_for_review', 'processing'] as const) {
        expect(okValue(payoutTransition(from, 'returned')), from).to.deep.equal({ kind: 'applied', from, to: 'returned' });
      }
    });
    it('ignores a failure after a success', () => {
      expect(okValue(payoutTransition('succeeded', 'failed')).kind).to.equal('ignored');
    });
    it('records a failed or closed payout the provider reports paid or returned (a correction: the beneficiary was paid)', () => {
      for (const from of ['failed', 'closed'] as const) {
        for (const to of ['succeeded', 'returned'] as const) {
          expect(okValue(payoutTransition(from, to)).kind, `${from} → ${to}`).to.equal('applied');
          expect(isCorrection('payout', from, to), `${from} → ${to}`).to.equal(true);
        }
      }
    });
    it('ignores a stale in-flight report after a failure, and never marks an ordinary move a correction', () => {
      expect(okValue(payoutTransition('failed', 'processing')).kind).to.equal('ignored');
      expect(isCorrection('payout', 'processing', 'succeeded')).to.equal(false);
      expect(isCorrection('payment', 'failed', 'succeeded')).to.equal(false);
      expect(isCorrection('payment', 'closed', 'succeeded')).to.equal(true);
    });
    it('lets an unknown payout settle to any reported state', () => {
      for (const s of ['accepted', 'held_for_review', 'processing', 'succeeded', 'failed', 'closed'] as const) {
        expect(okValue(payoutTransition('unknown', s)).kind).to.equal('applied');
      }
    });
  });

  describe('pre-authorisation', () => {
    it('moves authorised → captured or voided, and nothing after', () => {
      expect(okValue(preAuthTransition('authorised', 'captured')).kind).to.equal('applied');
      expect(okValue(preAuthTransition('authorised', 'voided')).kind).to.equal('applied');
      expect(errValue(preAuthTransition('captured', 'voided')).kind).to.equal('Conflict');
      expect(errValue(preAuthTransition('voided', 'captured')).kind).to.equal('Conflict');
      expect(errValue(preAuthTransition('captured', 'authorised')).kind).to.equal('Conflict');
    });
    describe('checkCapture', () => {
      it('accepts up to and including the authorised amount', () => {
        expect(okValue(checkCapture(cny(5000), cny(4999)))).to.deep.equal(cny(4999));
        expect(okValue(checkCapture(cny(5000), cny(5000)))).to.deep.equal(cny(5000));
      });
      it('refuses one minor unit more with a message naming both amounts', () => {
        const e = errValue(checkCapture(cny(5000), cny(5001)));
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.message).to.equal('capture of 50.01 exceeds the authorised 50.00 CNY');
      });
      it('refuses zero and other currencies', () => {
        expect(errValue(checkCapture(cny(5000), cny(0))).message).to.contain('greater than zero');
        expect(checkCapture(cny(5000), { amount: 1, currency: 'USD' }).isErr()).to.equal(true);
      });
    });
  });

  describe('finalStatuses', () => {
    it('lists the statuses with no way out', () => {
      expect([...finalStatuses(PAYMENT_TRANSITIONS)]).to.have.members(['refunded']);
      expect([...finalStatuses(REFUND_TRANSITIONS)]).to.have.members(['succeeded']);
      expect([...finalStatuses(PAYOUT_TRANSITIONS)]).to.have.members(['returned']);
      expect([...finalStatuses(PREAUTH_TRANSITIONS)]).to.have.members(['captured', 'voided']);
    });
    it('every table covers every status', () => {
      expect(Object.keys(PAYMENT_TRANSITIONS)).to.have.members([...PAYMENT_STATUSES]);
      expect(Object.keys(PAYOUT_TRANSITIONS)).to.have.members([...PAYOUT_STATUSES]);
      for (const [from, tos] of Object.entries(PAYMENT_TRANSITIONS)) {
        for (const to of tos) expect(PAYMENT_STATUSES, `${from}→${to}`).to.include(to as PaymentStatus);
      }
    });
  });
});
