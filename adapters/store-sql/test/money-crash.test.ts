// Issue 12, "Done when": a merchant process killed (SIGKILL) at each commit of a refund, a payout
// submit and a payout confirm, on PGlite on disk. Each operation is claim (one commit) → send →
// settle (one commit); a process dies just before or just after each commit, which also covers
// "the provider acted, paykit has not recorded it" (before the settle commit). A new process on the
// same folder then runs resolvePending with its clock past every lease and `olderThan`, and the
// merchant retries what it had asked. At the end the providers' ledgers (the simulators, in this
// test's process) and paykit's records must agree exactly, with money moved at most once per id.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Clock, Paykit, StoredPayment, StoredPayout, StoredRefund } from '@paykit/core';
import { openStore, type DurableStore } from '../src/index.js';
import { moneyPaykit, paidOrder, runMoneyTask, startMoneySimulators, type MoneySimulators, type MoneyTask, type MoneyTaskResult } from './processes/money.js';
import type { MoneyCrash, MoneyCrashPoint } from './processes/money-worker.js';
import { runProcess, type Finished } from './processes/spawn.js';

const POINTS: readonly MoneyCrashPoint[] = ['before-claim', 'after-claim', 'before-settle', 'after-settle'];
const MINUTE = 60_000;
const PAID = 1000;
const REFUND = 400;
const PAYOUT = 3000;
const HELD_PAYOUT = 2000;
const APPLY = '/paymentapi/payment.htm';
const CONFIRM = '/paymentapi/confirmPayment.htm';

interface Scenario {
  readonly crash: MoneyCrash;
  /** The refund or payout id. */
  readonly id: string;
  readonly task: MoneyTask;
}

const scenarios: readonly Scenario[] = [
  ...POINTS.flatMap((point): Scenario[] => [
    { crash: { operation: 'refunds.create', point }, id: `R-${point}`, task: { op: 'refund', refundId: `R-${point}`, orderId: `O-${point}`, minor: REFUND } },
    { crash: { operation: 'payouts.submit', point }, id: `P-${point}`, task: { op: 'payout', payoutId: `P-${point}`, minor: PAYOUT } },
    { crash: { operation: 'payouts.confirm', point }, id: `C-${point}`, task: { op: 'confirm', payoutId: `C-${point}` } },
  ]),
  // LianLian refuses F-* (4005): the operation ends with the commit that records it failed.
  ...(['before-release', 'after-release'] as const).map((point): Scenario => (
    { crash: { operation: 'payouts.submit', point }, id: `F-${point}`, task: { op: 'payout', payoutId: `F-${point}`, minor: PAYOUT } })),
];

/** What paykit has recorded about one scenario. */
interface Recorded {
  readonly refund?: StoredRefund;
  readonly payment?: StoredPayment;
  readonly payout?: StoredPayout;
  /** The payout id the payout's order-number index points to. */
  readonly indexed?: string;
}

async function recorded(store: DurableStore): Promise<Map<string, Recorded>> {
  const out = new Map<string, Recorded>();
  for (const s of scenarios) {
    if (s.task.op === 'refund') {
      const refund = (await store.get<StoredRefund>('refund', s.id))._unsafeUnwrap()?.value;
      const payment = (await store.get<StoredPayment>('payment', s.task.orderId))._unsafeUnwrap()?.value;
      out.set(s.id, { ...(refund ? { refund } : {}), ...(payment ? { payment } : {}) });
    } else {
      const payout = (await store.get<StoredPayout>('payout', s.id))._unsafeUnwrap()?.value;
      const index = (await store.get<{ payoutId: string }>('card', `payout-order:${s.id}`))._unsafeUnwrap()?.value;
      out.set(s.id, { ...(payout ? { payout } : {}), ...(index ? { indexed: index.payoutId } : {}) });
    }
  }
  return out;
}

/** Requests the Example Pay simulator received to refund `refundId` (its bodies are plain signed JSON). */
function refundCalls(sims: MoneySimulators, refundId: string): number {
  return sims.example.server.received.filter((r) => r.path === '/refund' && (JSON.parse(r.body.toString('utf8')) as { refund_no?: string }).refund_no === refundId).length;
}

const money = (minor: number) => ({ amount: minor, currency: 'CNY' });
const recordKey = randomBytes(32).toString('base64');

describe('a merchant process killed (SIGKILL) at each commit of a refund, a payout and a payout confirm, on PGlite on disk', function () {
  this.timeout(300_000);
  let dir = '';
  let sims: MoneySimulators;
  const died = new Map<string, Finished>();
  let left = new Map<string, Recorded>();
  let resolver: Finished;
  let resolved = new Map<string, Recorded>();
  const retried = new Map<string, MoneyTaskResult>();
  let afterClaimRefundAgain: MoneyTaskResult;
  let final = new Map<string, Recorded>();
  let leftOpen: { kind: string; id: string; status: string; inFlight: boolean }[] = [];

  /** paykit in this process on the folder, its clock `ahead` ms in the future; the store is closed after `work`. */
  async function inProcess<T>(ahead: number, work: (paykit: Paykit, store: DurableStore) => Promise<T>): Promise<T> {
    const store = (await openStore({ kind: 'pglite', dataDir: dir, recordKey }))._unsafeUnwrap() as DurableStore;
    try {
      const clock: Clock = { now: () => new Date(Date.now() + ahead) };
      return await work(await moneyPaykit(sims.rig, store, clock), store);
    } finally {
      await store.close();
    }
  }

  before(async () => {
    sims = await startMoneySimulators((noOrder) => (noOrder.startsWith('C-') ? { hold: '4003' } : noOrder.startsWith('F-') ? { reply: 'reject' } : {}));
    dir = mkdtempSync(join(tmpdir(), 'paykit-money-crash-'));

    // Before anything dies: four paid orders, and four payouts held for review (4003, name and card differ).
    await inProcess(0, async (paykit) => {
      for (const point of POINTS) {
        await paidOrder(paykit, sims, `O-${point}`, PAID);
        expect(await runMoneyTask(paykit, { op: 'payout', payoutId: `C-${point}`, minor: HELD_PAYOUT }, () => undefined)).to.deep.include({ ok: true, status: 'held_for_review' });
      }
    });

    // One process per scenario, each killed at its commit; each one after the first opens a folder
    // whose previous holder was killed.
    const env = { PAYKIT_PGLITE_DIR: dir, PAYKIT_RECORD_KEY: recordKey, PAYKIT_MONEY_RIG: JSON.stringify(sims.rig) };
    for (const s of scenarios) {
      died.set(s.id, await runProcess('money-worker.ts', { ...env, PAYKIT_TASKS: JSON.stringify([s.task]), PAYKIT_CRASH: JSON.stringify(s.crash) }));
    }
    left = await inProcess(0, async (_p, store) => recorded(store));

    // A new process on the folder: resolve-pending as a cron every 11 minutes would run it (past
    // the 5-minute leases the dead processes hold and the 10-minute default `olderThan`).
    resolver = await runProcess('money-worker.ts', { ...env, PAYKIT_TASKS: JSON.stringify([{ op: 'resolve', rounds: 3, stepMs: 11 * MINUTE, pauseMs: 300 }]) });
    resolved = await inProcess(0, async (_p, store) => recorded(store));

    // The merchant, who never heard back, asks again for exactly what it asked; then confirms what
    // is still held, and settles everything once more, an hour later.
    await inProcess(60 * MINUTE, async (paykit, store) => {
      for (const s of scenarios) retried.set(s.id, await runMoneyTask(paykit, s.task, () => undefined));
      afterClaimRefundAgain = await runMoneyTask(paykit, { op: 'refund', refundId: 'R-after-claim-again', orderId: 'O-after-claim', minor: PAID }, () => undefined);
      for (let round = 0; round < 10; round += 1) {
        const report = (await paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
        if (report.entries.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      final = await recorded(store);
      const open = [
        ...(await store.list<StoredRefund>('refund', {}))._unsafeUnwrap().map((r) => ({ kind: 'refund', id: r.value.refundId, status: r.value.status, inFlight: r.value.inFlight !== undefined || r.value.lease !== undefined })),
        ...(await store.list<StoredPayout>('payout', {}))._unsafeUnwrap().map((r) => ({ kind: 'payout', id: r.value.payoutId, status: r.value.status, inFlight: r.value.inFlight !== undefined || r.value.lease !== undefined })),
      ];
      leftOpen = open.filter((r) => r.inFlight || !['succeeded', 'failed'].includes(r.status));
    });
  });

  after(async () => {
    await sims?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed every process at its commit, and the resolver ran to its end', () => {
    for (const s of scenarios) expect(died.get(s.id)?.exited, `${s.id}: ${died.get(s.id)?.stderr ?? ''}`).to.equal('SIGKILL');
    expect(resolver.exited, resolver.stderr).to.equal(0);
  });

  context('a refund (¥4.00 of a ¥10.00 payment)', () => {
    it('killed before its claim commit: nothing was recorded or sent; the retry refunds once', () => {
      const id = 'R-before-claim';
      expect(left.get(id)?.refund).to.equal(undefined);
      expect(left.get(id)?.payment?.refundReserved).to.deep.equal(money(0));
      expect(resolved.get(id)?.refund).to.equal(undefined);
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'succeeded' });
      expect(refundCalls(sims, id)).to.equal(1);
    });

    it('killed after its claim commit: reserved, never sent; resolvePending fails it and frees the amount, which can then be refunded in full', () => {
      const id = 'R-after-claim';
      expect(left.get(id)?.refund).to.deep.include({ status: 'pending' });
      expect(left.get(id)?.refund?.inFlight).to.deep.include({ operation: 'refunds.create', state: 'sending' });
      expect(left.get(id)?.payment?.refundReserved).to.deep.equal(money(REFUND));
      expect(resolved.get(id)?.refund?.status).to.equal('failed');
      expect(resolved.get(id)?.payment?.refundReserved).to.deep.equal(money(0));
      // The same refund again answers the record: the merchant learns it failed, nothing is sent.
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'failed' });
      expect(refundCalls(sims, id)).to.equal(0);
      expect(afterClaimRefundAgain).to.deep.include({ ok: true, status: 'succeeded' });
    });

    it('killed after the provider refunded, before the settle commit: resolvePending records the refund and the payment totals', () => {
      const id = 'R-before-settle';
      expect(left.get(id)?.refund?.status).to.equal('pending');
      expect(left.get(id)?.payment).to.deep.include({ status: 'succeeded', refunded: money(0) });
      expect(sims.example.refunds.get(id)?.amountMinor).to.equal(REFUND);
      expect(resolved.get(id)?.refund?.status).to.equal('succeeded');
      expect(resolved.get(id)?.payment).to.deep.include({ status: 'partially_refunded', refunded: money(REFUND), refundReserved: money(REFUND) });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'succeeded' });
      expect(refundCalls(sims, id)).to.equal(1);
    });

    it('killed after the settle commit: the refund and the payment totals were committed together', () => {
      const id = 'R-after-settle';
      expect(left.get(id)?.refund?.status).to.equal('succeeded');
      expect(left.get(id)?.payment).to.deep.include({ status: 'partially_refunded', refunded: money(REFUND) });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'succeeded' });
      expect(refundCalls(sims, id)).to.equal(1);
    });
  });

  context('a payout (¥30.00)', () => {
    it('killed before its claim commit: no payout, no order-number index, nothing sent; the retry pays once', () => {
      const id = 'P-before-claim';
      expect(left.get(id)).to.deep.equal({});
      expect(sims.payout.orders.has(id)).to.equal(true);
      expect(retried.get(id)).to.deep.include({ ok: true });
    });

    it('killed after its claim commit (payout and index in one commit), before sending: resolvePending sends it once, same order number', () => {
      const id = 'P-after-claim';
      expect(left.get(id)?.payout).to.deep.include({ status: 'created', providerOrderId: id });
      expect(left.get(id)?.payout?.inFlight).to.deep.include({ operation: 'payouts.submit', state: 'sending' });
      expect(left.get(id)?.indexed).to.equal(id);
      expect(resolved.get(id)?.payout).to.deep.include({ status: 'succeeded', attempts: 2 });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'succeeded' });
    });

    it('killed after LianLian accepted it, before the settle commit: resolvePending records what LianLian did, without resending', () => {
      const id = 'P-before-settle';
      expect(left.get(id)?.payout?.status).to.equal('created');
      expect(resolved.get(id)?.payout).to.deep.include({ status: 'succeeded', attempts: 1 });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'succeeded' });
    });

    it('killed after the settle commit: resolvePending follows it to its end', () => {
      const id = 'P-after-settle';
      expect(left.get(id)?.payout?.status).to.equal('accepted');
      expect(left.get(id)?.payout?.inFlight).to.equal(undefined);
      expect(resolved.get(id)?.payout).to.deep.include({ status: 'succeeded', attempts: 1 });
    });
  });

  context('a confirm of a payout held for review (¥20.00)', () => {
    it('killed before its claim commit: still held, visible to resolvePending; the retry confirms it', () => {
      const id = 'C-before-claim';
      expect(left.get(id)?.payout).to.deep.include({ status: 'held_for_review' });
      expect(left.get(id)?.payout?.inFlight).to.equal(undefined);
      expect(resolverSaw(resolver, id, 'still_pending'), 'the resolver reported it still held').to.equal(true);
      expect(resolved.get(id)?.payout?.status).to.equal('held_for_review');
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'accepted' });
    });

    it('killed after its claim commit, before sending: resolvePending finds it still held and ends the confirm in flight; the retry confirms it', () => {
      const id = 'C-after-claim';
      expect(left.get(id)?.payout?.inFlight).to.deep.include({ operation: 'payouts.confirm', state: 'sending' });
      expect(resolved.get(id)?.payout?.status).to.equal('held_for_review');
      expect(resolved.get(id)?.payout?.inFlight).to.equal(undefined);
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'accepted' });
    });

    it('killed after LianLian confirmed, before the settle commit: resolvePending records the payout paid; the retry is refused, never sent', () => {
      const id = 'C-before-settle';
      expect(left.get(id)?.payout?.status).to.equal('held_for_review');
      expect(left.get(id)?.payout?.inFlight).to.deep.include({ operation: 'payouts.confirm' });
      expect(resolved.get(id)?.payout?.status).to.equal('succeeded');
      expect(retried.get(id)).to.deep.include({ ok: false, kind: 'Conflict' });
    });

    it('killed after the settle commit: resolvePending follows it to its end; the retry is refused', () => {
      const id = 'C-after-settle';
      expect(left.get(id)?.payout?.status).to.equal('accepted');
      expect(resolved.get(id)?.payout?.status).to.equal('succeeded');
      expect(retried.get(id)).to.deep.include({ ok: false, kind: 'Conflict' });
    });
  });

  context('a payout LianLian refuses (4005, no order made)', () => {
    it('killed before the commit that records the refusal: LianLian has no record of it, so resolvePending sends it once more with the same order number, and records the refusal', () => {
      const id = 'F-before-release';
      expect(left.get(id)?.payout).to.deep.include({ status: 'created' });
      expect(left.get(id)?.payout?.inFlight).to.deep.include({ operation: 'payouts.submit', state: 'sending' });
      expect(resolved.get(id)?.payout).to.deep.include({ status: 'failed', attempts: 2 });
      expect(resolved.get(id)?.payout?.reason).to.deep.include({ providerCode: '4005' });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'failed' });
    });

    it('killed after that commit: the payout is failed with LianLian\'s reason, and stays so', () => {
      const id = 'F-after-release';
      expect(left.get(id)?.payout).to.deep.include({ status: 'failed', attempts: 1 });
      expect(left.get(id)?.payout?.inFlight).to.equal(undefined);
      expect(left.get(id)?.payout?.reason).to.deep.include({ providerCode: '4005' });
      expect(retried.get(id)).to.deep.include({ ok: true, status: 'failed' });
    });
  });

  context('at the end', () => {
    it('leaves nothing in flight, leased or unsettled', () => {
      expect(leftOpen).to.deep.equal([]);
    });

    it('records exactly the refunds Example Pay made, and every payment\'s totals equal what Example Pay refunded', () => {
      const refunded = [...sims.example.refunds.values()].map((r) => [r.refundNo, r.amountMinor]).sort();
      expect(refunded).to.deep.equal([['R-after-claim-again', PAID], ['R-after-settle', REFUND], ['R-before-claim', REFUND], ['R-before-settle', REFUND]]);
      for (const point of POINTS) {
        const order = sims.example.orders.get(`O-${point}`);
        const payment = final.get(`R-${point}`)?.payment;
        expect(payment?.refunded, point).to.deep.equal(money(order?.refundedMinor ?? -1));
        expect(payment?.refundReserved, point).to.deep.equal(money(order?.refundedMinor ?? -1));
        expect(payment?.status, point).to.equal(order?.refundedMinor === PAID ? 'refunded' : 'partially_refunded');
        expect(final.get(`R-${point}`)?.refund?.status, point).to.equal(point === 'after-claim' ? 'failed' : 'succeeded');
      }
    });

    it('records every payout paid exactly once by LianLian, under its one order number, with its index', () => {
      const ids = scenarios.filter((s) => s.task.op !== 'refund' && !s.id.startsWith('F-')).map((s) => s.id).sort();
      expect([...sims.payout.orders.keys()].sort()).to.deep.equal(ids);
      for (const id of ['F-before-release', 'F-after-release']) {
        expect(final.get(id)?.payout?.status, id).to.equal('failed');
        expect(final.get(id)?.indexed, id).to.equal(id);
      }
      for (const id of ids) {
        const expected = id.startsWith('C-') ? HELD_PAYOUT : PAYOUT;
        expect(sims.payout.ledger.get(id), id).to.deep.include({ paidCount: 1, amountFen: expected, returned: false });
        expect(final.get(id)?.payout, id).to.deep.include({ status: 'succeeded', providerOrderId: id, amount: money(expected) });
        expect(final.get(id)?.indexed, id).to.equal(id);
      }
      // Sent exactly as often as the story says: 4 held submits; P-before-settle, P-after-settle and
      // both F-* by the doomed processes; P-after-claim and F-before-release once more by the
      // resolver; P-before-claim by the retry. Confirms: C-before-settle and C-after-settle by the
      // doomed processes, the two retries. A payout's attempts count its claims, each sent at most
      // once: every send but for the two claims whose process died before sending (P-after-claim's
      // first, C-after-claim's confirm).
      const applies = sims.payout.server.received.filter((r) => r.path === APPLY).length;
      const confirms = sims.payout.server.received.filter((r) => r.path === CONFIRM).length;
      expect(applies).to.equal(11);
      expect(confirms).to.equal(4);
      const attempts = [...final.values()].reduce((n, r) => n + (r.payout?.attempts ?? 0), 0);
      expect(attempts).to.equal(applies + confirms + 2);
    });
  });
});

/** Whether the resolver process reported `id` with `outcome` in any round. */
function resolverSaw(resolver: Finished, id: string, outcome: string): boolean {
  const out = resolver.lines[0] as { results: { rounds?: { id: string; outcome: string }[][] }[] } | undefined;
  return (out?.results[0]?.rounds ?? []).some((round) => round.some((e) => e.id === id && e.outcome === outcome));
}
