/**
 * Per-payout and per-day limits, and the same-card reservation, made inside paykit's claim of a
 * payout (`PayoutsCapability.reserve`): refused payouts are neither recorded nor sent, and
 * reservations commit with the payout record or not at all.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { FixedClock, InMemoryStore, Secret, type Payout } from '@paykit/core';
import { LianlianPayoutTokens, SameCardPolicy } from '../src/index.js';
import { CARD_LEDGER_KEY, payoutInput, startRig, until, type Rig } from './support.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const CARD = payoutInput('x').account.accountNumber;
const applyCalls = (rig: Rig) => rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm').length;

/** The CST calendar day of an instant, computed here without the plugin's helpers. */
function cstDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

async function dayLedger(rig: Rig, day: string): Promise<{ payouts: Record<string, { amount: number }> } | undefined> {
  return (await rig.store.get<{ payouts: Record<string, { amount: number }> }>('card', `lianlian-payout:payouts:day:${day}`))._unsafeUnwrap()?.value;
}

async function createdAt(rig: Rig, payoutId: string): Promise<Date> {
  const r = (await rig.store.get<{ request: { createdAt: Date } }>('payout', payoutId))._unsafeUnwrap();
  return new Date(r!.value.request.createdAt);
}

describe('LianLian payout limits', () => {
  context('when the instance has a per-payout limit', () => {
    let rig: Rig;
    before(async () => { rig = await startRig({ options: { perPayoutLimit: cny(10_000) } }); });
    after(() => rig.close());

    it('refuses a payout above it before recording or sending anything, and accepts one at the limit', async () => {
      const e = (await rig.paykit.payouts.submit(payoutInput('PL-1', 10_001)))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'InvalidRequest', code: 'limit_exceeded', path: 'amount' });
      expect(e.message).to.include('10001').and.include('10000').and.include('perPayoutLimit');
      expect((await rig.paykit.payouts.get('PL-1'))._unsafeUnwrapErr().kind, 'not recorded').to.equal('NotFound');
      expect(applyCalls(rig)).to.equal(0);
      expect((await rig.paykit.payouts.submit(payoutInput('PL-2', 10_000)))._unsafeUnwrap().status).to.equal('accepted');
      expect(rig.sim.orders.get('PL-2')?.moneyOrder).to.equal('100.00');
    });
  });

  context('when the instance has a per-day limit', () => {
    let rig: Rig;
    beforeEach(async () => { rig = await startRig({ options: { perDayLimit: cny(10_000) }, sim: { settleAfterMs: 150 } }); });
    afterEach(() => rig.close());

    it('refuses the payout that would take the day above it, unrecorded, and takes the same id once a failure made room', async () => {
      rig.sim.script('PD-A', { outcome: 'failure' });
      expect((await rig.paykit.payouts.submit(payoutInput('PD-A', 6_000)))._unsafeUnwrap().status).to.equal('accepted');
      const e = (await rig.paykit.payouts.submit(payoutInput('PD-B', 5_000)))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'InvalidRequest', code: 'limit_exceeded' });
      expect(e.message).to.include('11000').and.include('perDayLimit');
      expect((await rig.paykit.payouts.get('PD-B'))._unsafeUnwrapErr().kind).to.equal('NotFound');
      expect(applyCalls(rig)).to.equal(1);
      await until(async () => (await rig.paykit.payouts.get('PD-A'))._unsafeUnwrap().status === 'failed');
      expect((await rig.paykit.payouts.submit(payoutInput('PD-B', 5_000)))._unsafeUnwrap().status).to.equal('accepted');
      // The failed payout is still listed: it stops counting because its record says failed, not because it was removed.
      const day = cstDay(await createdAt(rig, 'PD-A'));
      expect((await dayLedger(rig, day))?.payouts).to.deep.equal({ 'PD-A': cny(6_000), 'PD-B': cny(5_000) });
    });

    it('counts a failed payout again once its record says it was paid after all (computed when read, never dropped)', async () => {
      rig.sim.script('PD-C', { outcome: 'failure' });
      await rig.paykit.payouts.submit(payoutInput('PD-C', 6_000));
      await until(async () => (await rig.paykit.payouts.get('PD-C'))._unsafeUnwrap().status === 'failed');
      // A reservation written while PD-C is failed must not drop PD-C from the ledger.
      expect((await rig.paykit.payouts.submit(payoutInput('PD-X', 1_000)))._unsafeUnwrap().status).to.equal('accepted');
      // A provider's later word (core's correction of a failed payout) rewrites the payout record only.
      const cur = (await rig.store.get<Payout>('payout', 'PD-C'))._unsafeUnwrap()!;
      await rig.store.update('payout', 'PD-C', cur.version, { ...cur.value, status: 'succeeded' });
      expect((await rig.paykit.payouts.submit(payoutInput('PD-D', 3_001)))._unsafeUnwrapErr().code, '6000 + 1000 + 3001 > 10000').to.equal('limit_exceeded');
      expect((await rig.paykit.payouts.submit(payoutInput('PD-E', 3_000)))._unsafeUnwrap().status).to.equal('accepted');
    });

    it('lets exactly as many concurrent payouts through as fit the day', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rig.paykit.payouts.submit(payoutInput(`PDC-${i}`, 3_000))));
      const accepted = results.filter((r) => r.isOk());
      expect(accepted, '3 × 3000 fit in 10000, a fourth does not').to.have.length(3);
      for (const r of results.filter((x) => x.isErr())) expect(r._unsafeUnwrapErr().code).to.equal('limit_exceeded');
      expect(applyCalls(rig)).to.equal(3);
      const day = cstDay(await createdAt(rig, accepted[0]!._unsafeUnwrap().payoutId));
      expect(Object.keys((await dayLedger(rig, day))?.payouts ?? {})).to.have.length(3);
    });
  });

  context('when payouts fall either side of midnight China Standard Time', () => {
    it('counts each against its own CST day, whatever the host time zone', async () => {
      const clock = new FixedClock(new Date('2024-03-01T15:59:59Z')); // 23:59:59 CST, 1 March
      const rig = await startRig({ options: { perDayLimit: cny(10_000) }, clock });
      try {
        expect((await rig.paykit.payouts.submit(payoutInput('MN-1', 8_000)))._unsafeUnwrap().status).to.equal('accepted');
        clock.set(new Date('2024-03-01T16:00:00Z')); // 00:00:00 CST, 2 March
        expect((await rig.paykit.payouts.submit(payoutInput('MN-2', 8_000)))._unsafeUnwrap().status).to.equal('accepted');
        expect((await rig.paykit.payouts.submit(payoutInput('MN-3', 2_001)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
        expect(rig.sim.orders.get('MN-2')?.dtOrder).to.equal('20240302000000');
        expect((await dayLedger(rig, '20240301'))?.payouts).to.deep.equal({ 'MN-1': cny(8_000) });
        expect((await dayLedger(rig, '20240302'))?.payouts).to.deep.equal({ 'MN-2': cny(8_000) });
      } finally {
        await rig.close();
      }
    });
  });

  context('when a limit is configured wrongly', () => {
    it('refuses a limit in another currency, or not in whole fen, at config time', async () => {
      for (const perDayLimit of [{ amount: 100, currency: 'USD' }, { amount: 10.5, currency: 'CNY' }, { amount: 0, currency: 'CNY' }, 5000]) {
        const r = await startRig({ options: { perDayLimit } }).then(async (rig) => { await rig.close(); return 'started'; }, (e: Error) => e.message);
        expect(r, JSON.stringify(perDayLimit)).to.include('perDayLimit');
      }
    });
  });
});

describe('Same card in, same card out, reserved in the payout claim', () => {
  const ledgerId = `lianlian-payout:payouts:${createHmac('sha256', CARD_LEDGER_KEY).update(CARD).digest('hex')}`;

  it('authorizes against the store it is given, not the one it was built with', async () => {
    const injected = new InMemoryStore();
    const given = new InMemoryStore();
    await new SameCardPolicy(given, 'payouts', { cardLedgerKey: new Secret(CARD_LEDGER_KEY) }).recordPayIn(CARD, cny(1_000), 'order-1');
    const policy = new SameCardPolicy(injected, 'payouts', { cardLedgerKey: new Secret(CARD_LEDGER_KEY) });
    expect((await policy.authorize(CARD, cny(400), 'P-1', given))._unsafeUnwrap().available).to.deep.equal(cny(600));
    expect((await given.get<{ payouts: object }>('card', ledgerId))._unsafeUnwrap()?.value.payouts).to.deep.equal({ 'P-1': cny(400) });
    expect((await injected.list('card'))._unsafeUnwrap(), 'nothing written to the injected store').to.have.length(0);
  });

  it('refuses a card that never paid in without recording the payout; after a pay-in the same payout id goes through', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY } });
    try {
      expect((await rig.paykit.payouts.submit(payoutInput('SCR-1', 500)))._unsafeUnwrapErr().code).to.equal('invalid_account');
      expect((await rig.paykit.payouts.get('SCR-1'))._unsafeUnwrapErr().kind, 'the payout id is not burned').to.equal('NotFound');
      const policy = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
      await policy.recordPayIn(CARD, cny(500), 'order-1');
      expect((await rig.paykit.payouts.submit(payoutInput('SCR-1', 500)))._unsafeUnwrap().status).to.equal('accepted');
      expect(applyCalls(rig)).to.equal(1);
    } finally {
      await rig.close();
    }
  });

  it('commits the day and card reservations together with the payout, or none of them', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY, perDayLimit: cny(10_000) } });
    try {
      const policy = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
      await policy.recordPayIn(CARD, cny(500), 'order-1');
      // Within the day's limit, above the card's allowance: the day reservation made first is not kept.
      expect((await rig.paykit.payouts.submit(payoutInput('SCA-1', 600)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
      expect((await rig.store.list('card'))._unsafeUnwrap().map((r) => JSON.stringify(r.value)).join(), 'no day ledger').not.to.include('SCA-1');
      expect((await rig.paykit.payouts.submit(payoutInput('SCA-2', 500)))._unsafeUnwrap().status).to.equal('accepted');
      const card = (await rig.store.get<{ payouts: object }>('card', ledgerId))._unsafeUnwrap()?.value.payouts;
      expect(card).to.deep.equal({ 'SCA-2': cny(500) });
      const day = cstDay(await createdAt(rig, 'SCA-2'));
      expect((await dayLedger(rig, day))?.payouts).to.deep.equal({ 'SCA-2': cny(500) });
    } finally {
      await rig.close();
    }
  });

  it('leaves no card or day reservation behind for a claim that does not commit (two payouts racing for one order number)', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY, perDayLimit: cny(10_000) } });
    try {
      const policy = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
      await policy.recordPayIn(CARD, cny(1_000), 'order-1');
      const results = await Promise.all(['SCL-1', 'SCL-2'].map((id) => rig.paykit.payouts.submit({ ...payoutInput(id, 300), providerOrderId: 'SCL-ORDER' })));
      const won = results.filter((r) => r.isOk()).map((r) => r._unsafeUnwrap().payoutId);
      expect(won).to.have.length(1);
      expect((await rig.store.get<{ payouts: object }>('card', ledgerId))._unsafeUnwrap()?.value.payouts).to.deep.equal({ [won[0]!]: cny(300) });
      expect((await policy.allowance(CARD))._unsafeUnwrap().available).to.deep.equal(cny(700));
      expect((await dayLedger(rig, cstDay(await createdAt(rig, won[0]!))))?.payouts).to.deep.equal({ [won[0]!]: cny(300) });
    } finally {
      await rig.close();
    }
  });

  it('keeps a failed payout\'s reservation in the card ledger, so it counts again if the payout is later found paid', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY } });
    try {
      const policy = rig.paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
      await policy.recordPayIn(CARD, cny(1_000), 'order-1');
      rig.sim.script('SCK-1', { outcome: 'failure' });
      await rig.paykit.payouts.submit(payoutInput('SCK-1', 600));
      await until(async () => (await rig.paykit.payouts.get('SCK-1'))._unsafeUnwrap().status === 'failed');
      expect((await rig.paykit.payouts.submit(payoutInput('SCK-2', 400)))._unsafeUnwrap().status).to.equal('accepted');
      expect((await rig.store.get<{ payouts: object }>('card', ledgerId))._unsafeUnwrap()?.value.payouts).to.deep.equal({ 'SCK-1': cny(600), 'SCK-2': cny(400) });
      expect((await policy.allowance(CARD))._unsafeUnwrap().available, 'the failed one does not count').to.deep.equal(cny(600));
      const cur = (await rig.store.get<Payout>('payout', 'SCK-1'))._unsafeUnwrap()!;
      await rig.store.update('payout', 'SCK-1', cur.version, { ...cur.value, status: 'succeeded' });
      expect((await policy.allowance(CARD))._unsafeUnwrap().available, 'found paid: it counts again').to.deep.equal(cny(0));
      expect((await rig.paykit.payouts.submit(payoutInput('SCK-3', 1)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
    } finally {
      await rig.close();
    }
  });

  it('leaves sending to submit: the capability\'s submit no longer checks the policy (paykit reserved it in the claim)', async () => {
    const rig = await startRig({ options: { sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY } });
    try {
      const svc = rig.paykit.service('payouts', 'submit', 'payouts')._unsafeUnwrap();
      const request = { ...payoutInput('SCS-1', 500), providerOrderId: 'SCS-1', createdAt: new Date() };
      expect((await svc.service.submit(request))._unsafeUnwrap().status).to.equal('accepted');
      expect(applyCalls(rig)).to.equal(1);
    } finally {
      await rig.close();
    }
  });
});
