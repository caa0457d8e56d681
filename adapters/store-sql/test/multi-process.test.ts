import { expect } from 'chai';
import pg from 'pg';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';
import { ACK, notification, orderId, type TestNotification } from './processes/notifications.js';
import { inParallel, post, startWorker, type Worker } from './processes/spawn.js';

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
