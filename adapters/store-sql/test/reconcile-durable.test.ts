// Reconciliation runs kept in the durable stores: a run, a re-run that says what changed, a
// resolution, and the latest run read back with its states, on PGlite and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPaykit, type Discrepancy, type Paykit } from '@paykit/core';
import { LoopbackTransport, trafficDay } from '@paykit/core/simulator';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

const KEY = 'example-key-durable-recon';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

function variants(): { name: string; open: () => Promise<{ store: DurableStore; drop: () => Promise<void> }>; needsPostgres: boolean }[] {
  const recordKey = randomBytes(32).toString('base64');
  return [
    {
      name: 'PGlite', needsPostgres: false,
      open: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'paykit-recon-'));
        const store = (await openStore({ kind: 'pglite', dataDir: dir, recordKey }))._unsafeUnwrap() as DurableStore;
        return { store, drop: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
      },
    },
    {
      name: 'PostgreSQL', needsPostgres: true,
      open: async () => {
        const db = await freshDatabase(postgresUrl as string);
        const store = (await openStore({ kind: 'postgres', url: db.url, recordKey }))._unsafeUnwrap() as DurableStore;
        return { store, drop: async () => { await store.close(); await db.drop(); } };
      },
    },
  ];
}

for (const v of variants()) {
  describe(`reconciliation runs on ${v.name}`, function () {
    this.timeout(120_000);
    let sim: ExampleSimulator;
    let store: DurableStore;
    let drop: () => Promise<void>;
    let paykit: Paykit;
    let period: { instance: string; date: string };

    before(async function () {
      if (v.needsPostgres) skipWithoutPostgres(this, 'reconciliation runs on PostgreSQL');
      // Today in China Standard Time, taken when the payments are about to be made (not when the
      // file loads) and away from midnight CST (16:00 UTC): the payments stay on one day.
      period = { instance: 'shop', date: (await trafficDay()).dashed };
      sim = await ExampleSimulator.start({ merchantId: 'M1', key: KEY, autoNotify: false });
      ({ store, drop } = await v.open());
      paykit = (await createPaykit({ instances: { shop: { plugin: 'example', options: { merchantId: 'M1', key: KEY, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/n' } } } },
        { plugins: [examplePlugin], store, transport: new LoopbackTransport() }))._unsafeUnwrap();
    });
    after(async () => {
      await drop?.();
      await sim?.close();
    });

    it('keeps each run and its discrepancies, says what changed, and reads the latest back with its states', async () => {
      for (const [orderId, amount] of [['OK', 1000], ['LOST', 2000], ['WRONG', 3000]] as const) {
        const created = (await paykit.payments.create({ orderId, amount: cny(amount), description: 'Tea' }))._unsafeUnwrap();
        await sim.pay(created.action, 'succeeded');
        if (orderId !== 'LOST') (await paykit.payments.query(orderId))._unsafeUnwrap();
      }
      sim.statementFaults.push({ kind: 'amount', orderNo: 'WRONG', amountMinor: 3300 });
      const first = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(first.discrepancies.map((d) => [d.kind, d.subject?.id, d.change]).sort()).to.deep.equal([['amount_mismatch', 'WRONG', 'new'], ['missing_in_paykit', 'LOST', 'new']]);
      const wrong = first.discrepancies.find((d) => d.kind === 'amount_mismatch') as Discrepancy;

      const second = (await paykit.reconcile(period, { repair: true }))._unsafeUnwrap();
      expect(second.run).to.equal(2);
      expect(second.changes).to.deep.include({ previousRun: 1, unchanged: 2 });
      expect(second.counts).to.include({ repaired: 1, open: 1 });
      (await paykit.reconciliation.resolve(period, wrong.id, 'checked with Example Pay'))._unsafeUnwrap();

      const latest = (await paykit.reconciliation.get(period))._unsafeUnwrap();
      expect(latest?.run).to.equal(2);
      expect(latest?.clean).to.equal(true);
      expect(latest?.discrepancies.map((d) => [d.subject?.id, d.state]).sort()).to.deep.equal([['LOST', 'repaired'], ['WRONG', 'resolved']]);
      // What the store gave back is the report as it was made.
      expect(latest?.days).to.deep.equal(second.days);
      expect(latest?.discrepancies.find((d) => d.subject?.id === 'LOST')).to.deep.equal(second.discrepancies.find((d) => d.subject?.id === 'LOST'));

      const third = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(third.changes).to.deep.include({ previousRun: 2, fixed: [], unchanged: 1 });
      expect(third.counts).to.include({ discrepancies: 1, resolved: 1, open: 0 });
      expect(third.clean).to.equal(true);
    });
  });
}
