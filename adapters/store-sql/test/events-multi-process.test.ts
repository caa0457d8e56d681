import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';
import { ACK, notification, type TestNotification } from './processes/notifications.js';
import { inParallel, post, startWorker, type Worker } from './processes/spawn.js';

interface Handled { consumer: string; pid: number; id: number; record: string; type: string; start: number; end: number }

/** 1,000 notifications: 700 orders paid, 150 of them then fail late, 100 sent twice, 50 other orders only fail. */
function theNotifications(): TestNotification[] {
  const list: TestNotification[] = [];
  for (let n = 0; n < 700; n += 1) list.push(notification(n, 'SUCCESS'));
  for (let n = 0; n < 150; n += 1) list.push(notification(n, 'FAILURE'));
  for (let n = 0; n < 100; n += 1) list.push(notification(n, 'SUCCESS'));
  for (let n = 700; n < 750; n += 1) list.push(notification(n, 'FAILURE'));
  return list;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('merchant events with four processes subscribed as one consumer on PostgreSQL', function () {
  this.timeout(300_000);
  let db: { url: string; drop: () => Promise<void> } | undefined;
  const workers: Worker[] = [];
  let dir: string;
  let log: string;

  before(async function () {
    skipWithoutPostgres(this, 'multi-process events test');
    db = await freshDatabase(postgresUrl as string);
    dir = mkdtempSync(join(tmpdir(), 'paykit-events-'));
    log = join(dir, 'handled.jsonl');
    const env = { PAYKIT_PG_URL: db.url, PAYKIT_CONSUMERS: 'fulfilment', PAYKIT_HANDLED_LOG: log, PAYKIT_LEASE_MS: '2000' };
    workers.push(await startWorker(env));
    workers.push(...await Promise.all([1, 2, 3].map(() => startWorker(env))));
    // A fifth process subscribes as a second consumer only.
    workers.push(await startWorker({ ...env, PAYKIT_CONSUMERS: 'ledger' }));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hands every event to the consumer, never to two processes at once, in order per record, through a holder\'s death; a second consumer sees every event', async () => {
    const list = theNotifications();
    let sent = 0;
    // Round-robin over the four consumer processes; the holder of the consumer is killed midway.
    const targets = workers.slice(0, 4);
    await inParallel(list, 16, async (n) => {
      const i = sent;
      sent += 1;
      if (i === 400) {
        // Kill whichever process has handled something so far: the others take the consumer over.
        const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Handled) : [];
        const holder = lines.filter((h) => h.consumer === 'fulfilment').at(-1)?.pid;
        const victim = targets.find((w) => w.child.pid === holder);
        if (victim) victim.child.kill('SIGKILL');
      }
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const alive = targets.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        const w = alive[(i + attempt) % alive.length] as Worker;
        const r = await post(`${w.url}/paykit/notify/shop`, n.body);
        if ('status' in r && r.body === ACK) return;
      }
      throw new Error(`notification ${n.orderId} ${n.resultPay} was never acknowledged`);
    });

    // Every committed transition is an event; wait until both consumers have passed the last one.
    const store = (await openStore({ kind: 'postgres', url: (db as { url: string }).url }))._unsafeUnwrap() as DurableStore;
    try {
      const all: number[] = [];
      for (let after = 0; ;) {
        const page = (await store.listEvents({ after, limit: 1000 }))._unsafeUnwrap();
        if (page.length === 0) break;
        all.push(...page.map((e) => e.id));
        after = page.at(-1)!.id;
      }
      // 700 paid orders (created → succeeded: one event each) and 50 failed ones; late failures and redeliveries change nothing.
      expect(all).to.have.length(750);
      const last = all.at(-1) as number;
      const deadline = Date.now() + 120_000;
      let handled: Handled[] = [];
      for (;;) {
        handled = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Handled);
        const cursors = await Promise.all(['fulfilment', 'ledger'].map(async (c) => (await store.get<{ cursor: number }>('consumer', c))._unsafeUnwrap()?.value.cursor ?? 0));
        if (cursors.every((c) => c >= last)) break;
        if (Date.now() > deadline) throw new Error(`consumers stopped at ${cursors.join(', ')} of ${last}`);
        await sleep(200);
      }
      for (const consumer of ['fulfilment', 'ledger']) {
        const mine = handled.filter((h) => h.consumer === consumer);
        expect(new Set(mine.map((h) => h.id)), `${consumer} handled every event`).to.deep.equal(new Set(all));
        // Never two runs of one event at the same time (a killed process's run ended when it died).
        const byEvent = new Map<number, Handled[]>();
        for (const h of mine) byEvent.set(h.id, [...(byEvent.get(h.id) ?? []), h]);
        for (const [id, runs] of byEvent) {
          const sorted = [...runs].sort((a, b) => a.start - b.start);
          for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]!.start, `${consumer}: event ${id} ran twice at once`).to.be.at.least(sorted[i - 1]!.end);
        }
        // In order per record: each record's events were first handled in id order.
        const firstRun = new Map<number, Handled>();
        for (const h of mine) if (!firstRun.has(h.id) || firstRun.get(h.id)!.start > h.start) firstRun.set(h.id, h);
        const byRecord = new Map<string, Handled[]>();
        for (const h of firstRun.values()) byRecord.set(h.record, [...(byRecord.get(h.record) ?? []), h]);
        for (const [record, runs] of byRecord) {
          const byTime = [...runs].sort((a, b) => a.start - b.start).map((h) => h.id);
          expect(byTime, `${consumer}: ${record}`).to.deep.equal([...byTime].sort((a, b) => a - b));
        }
      }
      // The consumer really was shared: more than one process handled its events.
      expect(new Set(handled.filter((h) => h.consumer === 'fulfilment').map((h) => h.pid)).size).to.be.at.least(2);
    } finally {
      await store.close();
    }
  });
});
