import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LoopbackTransport } from '@paykit/core/simulator';
import { createPaykit, type Paykit, type Store } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

const MERCHANT = 'M777';
const KEY = 'refund-race-key';

/**
 * 12 refunds of ¥3.00 race on one paid ¥10.00 order, through one paykit whose store is shared by
 * every call (and, on PostgreSQL, by 10 pooled connections): at most three can succeed.
 */
function refundRace(open: () => Promise<{ store: Store; done: () => Promise<void> }>): void {
  let sim: ExampleSimulator | undefined;
  let paykit: Paykit;
  let store: Store;
  let done: (() => Promise<void>) | undefined;

  before(async () => {
    ({ store, done } = await open());
    sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
    paykit = (await createPaykit({ instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify' } } } },
      { plugins: [examplePlugin], transport: new LoopbackTransport(), store }))._unsafeUnwrap();
  });
  after(async () => {
    // (nothing was opened when the PostgreSQL variant is skipped)
    await sim?.close();
    await done?.();
  });

  it('never refunds more than was paid: three succeed, the rest are refused, the totals add up', async () => {
    const created = (await paykit.payments.create({ orderId: 'RACE1', amount: { amount: 1000, currency: 'CNY' }, description: 'race' }))._unsafeUnwrap();
    await sim?.pay(created.action, 'succeeded');
    expect((await paykit.payments.query('RACE1'))._unsafeUnwrap().status).to.equal('succeeded');

    const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      paykit.refunds.create({ refundId: `RR${i}`, orderId: 'RACE1', amount: { amount: 300, currency: 'CNY' } })));
    const ok = results.filter((r) => r.isOk());
    expect(ok).to.have.length(3);
    for (const r of results) if (r.isErr()) expect(r.error.kind, r.error.message).to.be.oneOf(['InvalidRequest', 'Conflict']);

    const payment = (await paykit.payments.get('RACE1'))._unsafeUnwrap();
    expect(payment.refunded).to.deep.equal({ amount: 900, currency: 'CNY' });
    expect(payment.status).to.equal('partially_refunded');
    // The provider was asked for exactly the three refunds that were recorded.
    expect(sim?.server.received.filter((r) => r.path === '/refund')).to.have.length(3);
  });
}

describe('refunds racing on one payment', function () {
  this.timeout(60_000);

  describe('with the embedded PGlite store', () => {
    refundRace(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'paykit-refund-race-'));
      const store = (await openStore({ kind: 'pglite', dataDir: dir }))._unsafeUnwrap() as DurableStore;
      return { store, done: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    });
  });

  describe('with PostgreSQL (DATABASE_URL)', () => {
    before(function () {
      skipWithoutPostgres(this, 'refund race on PostgreSQL');
    });
    refundRace(async () => {
      const db = await freshDatabase(postgresUrl as string);
      const store = (await openStore({ kind: 'postgres', url: db.url }))._unsafeUnwrap() as DurableStore;
      return { store, done: async () => { await store.close(); await db.drop(); } };
    });
  });
});
