import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { Paykit, StoredPayment, StoredPayout, StoredRefund } from '@paykit/core';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';
import { moneyPaykit, paidOrder, startMoneySimulators, type MoneySimulators, type MoneyTask, type MoneyTaskResult } from './processes/money.js';
import { ACK, notification, orderId, type TestNotification } from './processes/notifications.js';
import { inParallel, post, runProcess, startWorker, type Finished, type Worker } from './processes/spawn.js';

/** A small deterministic shuffle (LCG), so a failure is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * 1,000 notifications: 600 orders paid; 150 of them also get a FAILURE and 100 a late PROCESSING;
 * 100 other orders only fail; 50 successes are sent twice, byte for byte.
 */
function theNotifications(): TestNotification[] {
  const list: TestNotification[] = [];
  for (let n = 0; n < 600; n += 1) list.push(notification(n, 'SUCCESS'));
  for (let n = 0; n < 150; n += 1) list.push(notification(n, 'FAILURE'));
  for (let n = 150; n < 250; n += 1) list.push(notification(n, 'PROCESSING'));
  for (let n = 600; n < 700; n += 1) list.push(notification(n, 'FAILURE'));
  for (let n = 0; n < 50; n += 1) list.push(notification(n, 'SUCCESS'));
  return shuffled(list, 20261122);
}

describe('four merchant processes sharing one PostgreSQL database', function () {
  this.timeout(240_000);
  let db: { url: string; drop: () => Promise<void> } | undefined;
  const workers: Worker[] = [];

  before(async function () {
    skipWithoutPostgres(this, 'multi-process exactly-once test');
    db = await freshDatabase(postgresUrl as string);
    // Start one first so the migration runs once, then the other three.
    workers.push(await startWorker({ PAYKIT_PG_URL: db.url }));
    workers.push(...await Promise.all([1, 2, 3].map(() => startWorker({ PAYKIT_PG_URL: (db as { url: string }).url }))));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await db?.drop();
  });

  context('when each receives the same 1,000 notifications, with duplicates and failures after successes', () => {
    const list = theNotifications();
    const rejections = { count: 0 };
    let client: pg.Client;

    before(async () => {
      // Every worker gets every notification, all four at once, and each is redelivered until
      // acknowledged exactly, as LianLian does.
      const deliveries = list.flatMap((note) => workers.map((w) => ({ note, url: `${w.url}/paykit/notify/shop` })));
      await inParallel(deliveries, 48, async ({ note, url }) => {
        for (let attempt = 1; attempt <= 30; attempt += 1) {
          const r = await post(url, note.body);
          if ('status' in r && r.status === 200 && r.body === ACK) return;
          rejections.count += 1;
        }
        throw new Error(`${note.orderId} ${note.resultPay} was never acknowledged by ${url}`);
      });
      client = new pg.Client({ connectionString: (db as { url: string }).url });
      await client.connect();
    });

    after(async () => {
      await client?.end();
    });

    it('records every payment, each in its one correct final state', async () => {
      const rows = (await client.query<{ id: string; status: string }>("SELECT id, status FROM paykit_records WHERE kind = 'payment'")).rows;
      const byId = new Map(rows.map((r) => [r.id, r.status]));
      expect(byId.size).to.equal(700);
      for (let n = 0; n < 700; n += 1) expect(byId.get(orderId(n)), orderId(n)).to.equal(n < 600 ? 'succeeded' : 'failed');
    });

    it('applies no transition twice: each status appears at most once in a payment history, success exactly once', async () => {
      const rows = (await client.query<{ id: string; statuses: string[] }>(
        "SELECT id, array_agg(status ORDER BY version) AS statuses FROM paykit_record_versions WHERE kind = 'payment' GROUP BY id",
      )).rows;
      expect(rows.length).to.equal(700);
      for (const r of rows) {
        expect(new Set(r.statuses).size, `${r.id}: ${r.statuses.join(' → ')}`).to.equal(r.statuses.length);
        const n = Number(r.id.slice(2));
        if (n < 600) expect(r.statuses.filter((s) => s === 'succeeded'), r.id).to.have.length(1);
        else expect(r.statuses, r.id).to.deep.equal(['failed']);
      }
    });

    it('keeps one ledger entry per provider event, whatever the redeliveries', async () => {
      const distinct = new Set(list.map((l) => `${l.orderId}:${l.resultPay}`)).size;
      expect(distinct).to.equal(950);
      const rows = (await client.query<{ n: string }>('SELECT count(*) AS n FROM paykit_notifications')).rows;
      expect(Number(rows[0]?.n)).to.equal(distinct);
    });

    it('lost nothing: every one of the 4,000 deliveries was acknowledged by its process', () => {
      // (the before hook throws if any delivery was never acknowledged)
      expect(list.length * workers.length).to.equal(4000);
      expect(rejections.count).to.be.at.most(400);
    });
  });
});

const ORDERS = 10;
const PAID = 1000;
const SHARED_REFUND = 300;
const OWN_REFUND = 100;
const SHOPS = 3;
const PAYOUTS = 30;

const order = (i: number) => `M${String(i).padStart(2, '0')}`;
const payoutId = (i: number) => `X${String(i).padStart(2, '0')}`;
const payoutMinor = (i: number) => 1000 + i;

/**
 * What LianLian does with each payout: X00–X04 answer after the client gave up (order taken),
 * X05–X09 answer 9999 "query first" (order taken), X10–X12 answer 2005 the first time without
 * taking the order, X13–X14 are refused (4005), X15–X19 are held for review (4003), the rest pass.
 */
function payoutScript(noOrder: string) {
  const i = Number(noOrder.slice(1));
  if (i < 5) return { reply: 'timeout' as const };
  if (i < 10) return { reply: 'query-first' as const };
  if (i < 13) return { reply: 'query-first-untaken' as const };
  if (i < 15) return { reply: 'reject' as const };
  if (i < 20) return { hold: '4003' as const };
  return {};
}

/** One shop process's work: every shared refund and payout (the same ids in every process), its own refunds, then confirms. */
function shopTasks(w: number): MoneyTask[] {
  const tasks: MoneyTask[] = [];
  for (let i = 0; i < ORDERS; i += 1) {
    for (let k = 0; k < 4; k += 1) tasks.push({ op: 'refund', refundId: `${order(i)}-R${k}`, orderId: order(i), minor: SHARED_REFUND });
    tasks.push({ op: 'refund', refundId: `${order(i)}-W${w}`, orderId: order(i), minor: OWN_REFUND });
  }
  for (let i = 0; i < PAYOUTS; i += 1) tasks.push({ op: 'payout', payoutId: payoutId(i), minor: payoutMinor(i) });
  const confirms: MoneyTask[] = [];
  for (let i = 15; i < 20; i += 1) confirms.push({ op: 'confirm', payoutId: payoutId(i) });
  return [...shuffled(tasks, 7 + w), ...confirms];
}

function resultsOf(f: Finished): MoneyTaskResult[] {
  expect(f.exited, f.stderr).to.equal(0);
  return (f.lines[0] as { results: MoneyTaskResult[] }).results;
}

describe('five merchant processes sharing one PostgreSQL database: refunds and payouts with two resolvers at once', function () {
  this.timeout(240_000);
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let sims: MoneySimulators | undefined;
  const recordKey = randomBytes(32).toString('base64');
  let shops: MoneyTaskResult[][] = [];
  let resolvers: MoneyTaskResult[] = [];
  let refunds: StoredRefund[] = [];
  let payments: StoredPayment[] = [];
  let payouts: StoredPayout[] = [];
  let indexed = new Map<string, string>();
  let lastSweep: readonly { id: string; outcome: string }[] = [];

  async function withPaykit<T>(work: (paykit: Paykit, store: DurableStore) => Promise<T>): Promise<T> {
    const store = (await openStore({ kind: 'postgres', url: (db as { url: string }).url, recordKey }))._unsafeUnwrap() as DurableStore;
    try {
      return await work(await moneyPaykit((sims as MoneySimulators).rig, store), store);
    } finally {
      await store.close();
    }
  }

  before(async function () {
    skipWithoutPostgres(this, 'multi-process refunds and payouts test');
    db = await freshDatabase(postgresUrl as string);
    sims = await startMoneySimulators(payoutScript);
    const s = sims;
    await withPaykit(async (paykit) => {
      for (let i = 0; i < ORDERS; i += 1) await paidOrder(paykit, s, order(i), PAID);
    });
    // Example Pay loses the reply of four refunds it made, and answers 500 to four it never made.
    s.example.inject({ path: '/refund', dropReply: true, times: 4 });
    s.example.inject({ path: '/refund', status: 500, times: 4 });

    const env = { PAYKIT_PG_URL: db.url, PAYKIT_RECORD_KEY: recordKey, PAYKIT_MONEY_RIG: JSON.stringify(s.rig) };
    const resolve: MoneyTask = { op: 'resolve', rounds: 25, stepMs: 0, pauseMs: 200, options: { olderThan: 0 } };
    const finished = await Promise.all([
      ...Array.from({ length: SHOPS }, (_, w) => runProcess('money-worker.ts', { ...env, PAYKIT_TASKS: JSON.stringify(shopTasks(w)), PAYKIT_CONCURRENCY: '6' })),
      runProcess('money-worker.ts', { ...env, PAYKIT_TASKS: JSON.stringify([resolve]) }),
      runProcess('money-worker.ts', { ...env, PAYKIT_TASKS: JSON.stringify([resolve]) }),
    ]);
    shops = finished.slice(0, SHOPS).map(resultsOf);
    resolvers = finished.slice(SHOPS).flatMap(resultsOf);

    // Everyone is gone: the merchant confirms what is still held and settles the rest.
    await withPaykit(async (paykit, store) => {
      for (let i = 15; i < 20; i += 1) {
        if ((await paykit.payouts.get(payoutId(i)))._unsafeUnwrap().status === 'held_for_review') (await paykit.payouts.confirm(payoutId(i)))._unsafeUnwrap();
      }
      for (let round = 0; round < 15; round += 1) {
        const report = (await paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
        lastSweep = report.entries;
        if (report.entries.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      refunds = (await store.list<StoredRefund>('refund', {}))._unsafeUnwrap().map((r) => r.value);
      payments = (await store.list<StoredPayment>('payment', {}))._unsafeUnwrap().map((r) => r.value);
      payouts = (await store.list<StoredPayout>('payout', {}))._unsafeUnwrap().map((r) => r.value);
      for (const p of payouts) {
        const idx = (await store.get<{ payoutId: string }>('card', `payout-order:${p.providerOrderId}`))._unsafeUnwrap();
        if (idx) indexed.set(p.providerOrderId, idx.value.payoutId);
      }
    });
  });

  after(async () => {
    await sims?.close();
    await db?.drop();
  });

  it('ran both resolvers to their end, and they settled records while the shops were still at work', () => {
    expect(resolvers).to.have.length(2);
    const settled = resolvers.flatMap((r) => ('rounds' in r ? r.rounds.flat() : [])).filter((e) => e.outcome === 'settled');
    expect(settled.length).to.be.greaterThan(0);
  });

  it('answered every identical repeat with the record: each error a process got says what happened, none that its id was taken', () => {
    for (const r of shops.flat()) {
      if (r.ok) continue;
      const what = `${JSON.stringify(r.task)}: ${r.kind} ${r.message}`;
      expect(r.message, what).to.not.match(/already (exists|used)/);
      if (r.kind === 'OutcomeUnknown') expect(r.task.op, what).to.be.oneOf(['refund', 'payout']);
      else if (r.task.op === 'refund') expect(r, what).to.deep.include({ kind: 'Conflict' }).and.to.satisfy((x: { message: string }) => /exceeds the remaining refundable|is refunded; only paid orders/.test(x.message));
      else if (r.task.op === 'payout') expect([r.kind, r.task.payoutId], what).to.be.deep.oneOf([['ProviderRejected', payoutId(13)], ['ProviderRejected', payoutId(14)]]);
      else expect(r.kind, what).to.equal('Conflict');
    }
  });

  it('leaves nothing pending, in flight, leased or needing attention', () => {
    expect(lastSweep).to.deep.equal([]);
    for (const r of refunds) {
      expect(r.status, r.refundId).to.be.oneOf(['succeeded', 'failed']);
      expect(r.inFlight ?? r.lease, r.refundId).to.equal(undefined);
    }
    for (const p of payouts) {
      expect(p.status, p.payoutId).to.be.oneOf(['succeeded', 'failed']);
      expect(p.inFlight ?? p.lease, p.payoutId).to.equal(undefined);
    }
  });

  it('records exactly the refunds Example Pay made: one per refund id, each sent once, every order\'s totals equal to the provider\'s and within what was paid', () => {
    const s = sims as MoneySimulators;
    const sent = new Map<string, number>();
    for (const r of s.example.server.received.filter((q) => q.path === '/refund')) {
      const no = (JSON.parse(r.body.toString('utf8')) as { refund_no: string }).refund_no;
      sent.set(no, (sent.get(no) ?? 0) + 1);
    }
    for (const [no, n] of sent) expect(n, `${no} sent`).to.equal(1);
    const made = new Map([...s.example.refunds.values()].map((r) => [r.refundNo, r.amountMinor]));
    const recordedSucceeded = new Map(refunds.filter((r) => r.status === 'succeeded').map((r) => [r.refundId, r.amount.amount]));
    expect(recordedSucceeded).to.deep.equal(made);
    // A refund id never recorded was refused at its claim for going over what was paid (or the order
    // was refunded in full already), in every
    // process that asked: its id was not burned, and nothing was sent.
    const asked = new Set(shops.flat().flatMap((r) => (r.task.op === 'refund' ? [r.task.refundId] : [])));
    expect(asked.size).to.equal(ORDERS * (4 + SHOPS));
    for (const id of asked) {
      if (refunds.some((r) => r.refundId === id)) continue;
      for (const r of shops.flat().filter((x) => x.task.op === 'refund' && x.task.refundId === id)) {
        expect(r, id).to.deep.include({ ok: false, kind: 'Conflict' });
        expect((r as { message: string }).message, id).to.match(/exceeds the remaining refundable|is refunded; only paid orders can be refunded/);
      }
      expect(sent.has(id), id).to.equal(false);
    }
    for (let i = 0; i < ORDERS; i += 1) {
      const p = payments.find((x) => x.orderId === order(i));
      const provider = s.example.orders.get(order(i))?.refundedMinor ?? -1;
      expect(provider, order(i)).to.be.at.most(PAID);
      expect(p?.refunded, order(i)).to.deep.equal({ amount: provider, currency: 'CNY' });
      expect(p?.refundReserved, order(i)).to.deep.equal({ amount: provider, currency: 'CNY' });
      expect(p?.status, order(i)).to.equal(provider === PAID ? 'refunded' : provider > 0 ? 'partially_refunded' : 'succeeded');
    }
    // The lost replies were settled succeeded; the 500s, which Example Pay never acted on, failed and freed their amount.
    expect(refunds.filter((r) => r.status === 'failed' && !made.has(r.refundId)).length).to.be.greaterThan(0);
  });

  it('pays every payout at most once, under its one order number, and records exactly what LianLian did', () => {
    const s = sims as MoneySimulators;
    // Every request sent is counted in its payout's attempts (one per claim; no process died here).
    const sent = s.payout.server.received.filter((r) => r.path === '/paymentapi/payment.htm' || r.path === '/paymentapi/confirmPayment.htm').length;
    expect(payouts.reduce((n, p) => n + p.attempts, 0)).to.equal(sent);
    expect(payouts.map((p) => p.payoutId).sort()).to.deep.equal(Array.from({ length: PAYOUTS }, (_, i) => payoutId(i)));
    for (const noOrder of s.payout.orders.keys()) expect(payouts.some((p) => p.providerOrderId === noOrder), noOrder).to.equal(true);
    for (const p of payouts) {
      const i = Number(p.payoutId.slice(1));
      const paid = s.payout.ledger.get(p.providerOrderId);
      expect(indexed.get(p.providerOrderId), p.payoutId).to.equal(p.payoutId);
      expect(p.amount, p.payoutId).to.deep.equal({ amount: payoutMinor(i), currency: 'CNY' });
      if (i === 13 || i === 14) {
        expect(p.status, p.payoutId).to.equal('failed');
        expect(s.payout.orders.has(p.providerOrderId), p.payoutId).to.equal(false);
      } else {
        expect(p.status, p.payoutId).to.equal('succeeded');
        expect(paid, p.payoutId).to.deep.include({ paidCount: 1, amountFen: payoutMinor(i), returned: false });
      }
    }
  });
});
