import { expect } from 'chai';
import type { Payout, PayoutStatus } from '@paykit/core';
import type { PayoutScript } from '../src/simulator/index.js';
import { payoutInput, startRig, type Rig } from './support.js';

const COUNT = 1000;
const BATCH = 50;

/** What each payout meets, by its index: a spread of outcomes, holds, late and "query first" replies. */
function scriptFor(i: number): PayoutScript {
  switch (i % 10) {
    case 0: case 1: case 2: return { outcome: 'success' };
    case 3: return { outcome: 'failure' };
    case 4: return { hold: (['4002', '4003', '4004'] as const)[i % 3], confirmReply: i % 20 === 4 ? 'timeout' : 'normal' };
    case 5: return { reply: 'timeout' };
    case 6: return { reply: 'query-first' };
    case 7: return { reply: 'query-first-untaken' };
    case 8: return { outcome: 'success-then-cancel', notifyDelayMs: 30 };
    default: return { outcome: 'success', notify: false };
  }
}

/**
 * The final states each script allows. Only a review hold has two: the injected faults can lose its
 * confirm code (apply reply dropped) or delay the confirm past the hold's expiry, and LianLian then
 * closes it. Everything else has exactly one right answer, whatever faults it met on the way.
 */
function expectedFor(i: number): readonly PayoutStatus[] {
  switch (i % 10) {
    case 3: return ['failed'];
    case 4: return ['succeeded', 'closed'];
    case 8: return ['returned'];
    default: return ['succeeded'];
  }
}

const FINAL: readonly PayoutStatus[] = ['succeeded', 'failed', 'closed', 'returned'];
/** How long one payout may take to settle: generous, so a loaded machine slows the test but never fails it. */
const DEADLINE_MS = 120_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let unknownOnSubmit = 0;

/** Drives one payout to a final state with nothing but the facade: submit, confirm holds, resolve the rest. */
async function drive(rig: Rig, id: string, amount: number, waitForReturn: boolean): Promise<Payout> {
  const submitted = await rig.paykit.payouts.submit(payoutInput(id, amount));
  if (submitted.isErr() && submitted.error.kind === 'OutcomeUnknown') unknownOnSubmit += 1;
  const deadline = Date.now() + DEADLINE_MS;
  for (let step = 0; Date.now() < deadline; step += 1) {
    const p = (await rig.paykit.payouts.get(id))._unsafeUnwrap();
    if (FINAL.includes(p.status) && !(waitForReturn && p.status === 'succeeded')) return p;
    if (p.status === 'held_for_review' && p.confirmCode !== undefined && step % 3 === 0) {
      await rig.paykit.payouts.confirm(id, { acceptSuspectedDuplicate: true });
      continue;
    }
    await sleep(5 + (step % 4) * 5);
    await rig.paykit.payouts.resolve(id);
  }
  throw new Error(`payout ${id} did not reach a final state`);
}

describe('LianLian payout chaos', function () {
  this.timeout(900_000);
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      sim: { settleAfterMs: 3, holdExpiryMs: 1500, lateReplyMs: 2000, notifyIntervalMs: 20, defaultScript: (no) => scriptFor(Number(no.slice(2))) },
      // 1 s, not less: on a loaded machine a shorter timeout turns ordinary replies into unknowns and loses review holds' confirm codes.
      options: { timeoutMs: 1000 },
    });
  });
  after(() => rig.close());

  context(`when ${COUNT} payouts meet timeouts, lost replies, 503s and review holds`, () => {
    const results = new Map<string, Payout>();

    before(async () => {
      for (let start = 0; start < COUNT; start += BATCH) {
        const batch: Promise<void>[] = [];
        for (let i = start; i < start + BATCH && i < COUNT; i += 1) {
          // Faults no order can predict: the next apply, confirm or query to arrive meets them.
          if (i % 9 === 0) rig.sim.server.inject({ path: '/paymentapi/payment.htm', dropReply: true });
          if (i % 13 === 0) rig.sim.server.inject({ path: '/paymentapi/payment.htm', status: 503 });
          if (i % 17 === 0) rig.sim.server.inject({ path: '/paymentapi/queryPayment.htm', dropReply: true });
          if (i % 19 === 0) rig.sim.server.inject({ path: '/paymentapi/confirmPayment.htm', dropReply: true });
          const id = `CH${String(i).padStart(5, '0')}`;
          batch.push(drive(rig, id, 100 + i, i % 10 === 8).then((p) => { results.set(id, p); }));
        }
        await Promise.all(batch);
      }
    });

    it('drives every payout to a final state', () => {
      expect(results.size).to.equal(COUNT);
      for (const p of results.values()) expect(FINAL).to.include(p.status);
    });

    it('ends every payout in the state its script allows', () => {
      for (const [id, p] of results) expect(expectedFor(Number(id.slice(2))), `${id} ended ${p.status}`).to.include(p.status);
    });

    it('pays every payout at most once, under the one order number it was created with', () => {
      for (const entry of rig.sim.ledger.values()) expect(entry.paidCount, entry.noOrder).to.equal(1);
      expect(rig.sim.orders.size).to.be.at.most(COUNT);
      for (const no of rig.sim.orders.keys()) expect(results.has(no), `unexpected order ${no}`).to.equal(true);
    });

    it('has the domain agree with the simulator\'s ledger on every payout', async () => {
      for (const [id, p] of results) {
        const stored = (await rig.paykit.payouts.get(id))._unsafeUnwrap();
        const order = rig.sim.orders.get(id);
        const paid = rig.sim.ledger.get(id);
        switch (stored.status) {
          case 'succeeded':
            expect(order?.status, id).to.equal('SUCCESS');
            expect(paid?.amountFen, id).to.equal(p.amount.amount);
            break;
          case 'returned':
            expect(order?.status, id).to.equal('CANCEL');
            expect(paid?.returned, id).to.equal(true);
            break;
          case 'failed':
          case 'closed':
            expect(paid, `${id} is ${stored.status} but money left`).to.equal(undefined);
            if (order) expect(['FAILURE', 'CLOSED'], id).to.include(order.status);
            break;
          default:
            expect.fail(`${id} ended ${stored.status}`);
        }
      }
    });

    it('saw every kind of trouble it was meant to (so the checks above prove something)', () => {
      const statuses = new Set([...results.values()].map((p) => p.status));
      expect(unknownOnSubmit, 'submits that ended OutcomeUnknown').to.be.greaterThan(COUNT / 5);
      expect(statuses.has('succeeded') && statuses.has('failed') && statuses.has('returned')).to.equal(true);
      const applies = rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm').length;
      const confirms = rig.sim.server.received.filter((r) => r.path === '/paymentapi/confirmPayment.htm').length;
      expect(applies, 'resubmissions after 8901 happened').to.be.greaterThan(COUNT);
      expect(confirms, 'review holds were confirmed').to.be.greaterThan(50);
      expect(rig.sim.ledger.size, 'most payouts paid').to.be.greaterThan(COUNT / 2);
    });
  });
});
