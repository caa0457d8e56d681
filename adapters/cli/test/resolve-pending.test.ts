import { join } from 'node:path';
import { expect } from 'chai';
import { createPaykit, InMemoryStore, type StoredPayment } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { openStore } from '@paykit/store-sql';
import { PROVIDERS, runCli } from '../src/index.js';
import { renderPendingReport } from '../src/commands/resolve-pending.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const MERCHANT = 'M100';
const KEY = 'example-hmac-key-resolve-01';
const NOTIFY = 'http://127.0.0.1:9/notify';
const HOUR = 3_600_000;
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

/** A pending payment as the application would have recorded it for instance `shop`. */
function pendingPayment(orderId: string, amount: number, createdAt: Date): StoredPayment {
  return { orderId, instanceId: 'shop', amount: cny(amount), status: 'pending', refunded: cny(0), refundReserved: cny(0), createdAt };
}

/** Writes records into the PGlite store in `dataDir` through the store API, then closes it. */
async function seed(dataDir: string, payments: readonly StoredPayment[]): Promise<void> {
  const store = (await openStore({ kind: 'pglite', dataDir }))._unsafeUnwrap();
  try {
    for (const p of payments) (await store.insert('payment', p.orderId, p))._unsafeUnwrap();
  } finally {
    if ('close' in store) await store.close();
  }
}

/** Reads a payment back from the PGlite store. */
async function storedPayment(dataDir: string, orderId: string): Promise<StoredPayment | undefined> {
  const store = (await openStore({ kind: 'pglite', dataDir }))._unsafeUnwrap();
  try {
    return (await store.get<StoredPayment>('payment', orderId))._unsafeUnwrap()?.value;
  } finally {
    if ('close' in store) await store.close();
  }
}

describe('paykit resolve-pending', function () {
  this.timeout(60_000);
  let sim: ExampleSimulator;

  before(async () => {
    sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
    // The payer pays order A1001 at the simulator's cashier, but its notification never arrives.
    const shop = (await createPaykit(
      { instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: NOTIFY } } } },
      { plugins: [examplePlugin], store: new InMemoryStore() },
    ))._unsafeUnwrap();
    const created = (await shop.payments.create({ orderId: 'A1001', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
    await sim.pay(created.action, 'succeeded');
  });
  after(async () => {
    await sim.close();
  });

  /** A config directory whose store is PGlite in `data/` (relative: resolved from the config's folder), or `store` (null: none). */
  function configDir(store: object | null = { kind: 'pglite', dataDir: 'data' }): string {
    return tempDir({
      'paykit.json': JSON.stringify({
        instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: 'env:EXAMPLE_KEY', baseUrl: sim.url, notifyUrl: NOTIFY } } },
        ...(store === null ? {} : { store }),
      }),
    });
  }

  async function run(args: readonly string[]): Promise<{ code: number; io: MemoryIo }> {
    // Run from another directory: the data directory must resolve from the config file's folder.
    const io = new MemoryIo('', { EXAMPLE_KEY: KEY }, tempDir({}));
    const code = await runCli(['resolve-pending', ...args], io, PROVIDERS);
    expect(io.stdout + io.stderr).not.to.contain(KEY);
    return { code, io };
  }

  context('when a stale pending payment was paid at the provider', () => {
    it('settles it by query, leaves a fresh one alone, prints the report as JSON and exits 0', async () => {
      const dir = configDir();
      const data = join(dir, 'data');
      await seed(data, [pendingPayment('A1001', 4965, new Date(Date.now() - HOUR)), pendingPayment('A1002', 100, new Date())]);
      const queriesBefore = sim.server.received.filter((r) => r.path === '/query').length;

      const { code, io } = await run(['--config', join(dir, 'paykit.json'), '--json']);

      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      const report = JSON.parse(io.stdout) as { entries: unknown[]; totals: unknown };
      expect(report.entries).to.deep.equal([
        { kind: 'payments', id: 'A1001', instanceId: 'shop', operation: 'payments.query', before: 'pending', after: 'succeeded', outcome: 'settled' },
      ]);
      expect(report.totals).to.deep.equal({ checked: 1, settled: 1, stillPending: 0, failed: 0, skipped: 0, busy: 0, needsAttention: 0, remaining: 0 });
      const queries = sim.server.received.filter((r) => r.path === '/query').slice(queriesBefore);
      expect(queries.map((q) => (JSON.parse(q.body.toString('utf8')) as { order_no: string }).order_no)).to.deep.equal(['A1001']);
      expect(await storedPayment(data, 'A1001')).to.deep.include({ status: 'succeeded', providerPaymentId: sim.orders.get('A1001')?.paymentId });
      expect((await storedPayment(data, 'A1002'))?.status).to.equal('pending');
    });
  });

  context('when the provider cannot settle a record', () => {
    it('prints a table with the error under its row and exits 1', async () => {
      const dir = configDir();
      const data = join(dir, 'data');
      // The payer never reached the cashier: the simulator has no order B2001.
      await seed(data, [pendingPayment('B2001', 300, new Date(Date.now() - 2 * HOUR))]);

      const { code, io } = await run(['--config', join(dir, 'paykit.json'), '--older-than', '1h', '--kind', 'payments']);

      expect(code).to.equal(1);
      const lines = io.stdout.split('\n');
      expect(lines[0]).to.match(/^KIND\s+ID\s+INSTANCE\s+OPERATION\s+BEFORE\s+AFTER\s+OUTCOME$/);
      expect(lines[1]).to.match(/^payments\s+B2001\s+shop\s+payments\.query\s+pending\s+-\s+failed$/);
      expect(lines[2]).to.match(/^ {4}NotFound \[not_found\] .+/);
      expect(io.stdout).to.contain('checked 1: settled 0, still pending 0, failed 1, skipped 0\n');
      expect((await storedPayment(data, 'B2001'))?.status).to.equal('pending');
    });

    it('closes it with --close-not-found-after once old enough, and exits 0', async () => {
      const dir = configDir();
      const data = join(dir, 'data');
      await seed(data, [pendingPayment('B2002', 300, new Date(Date.now() - 2 * HOUR)), pendingPayment('B2003', 300, new Date(Date.now() - HOUR / 2))]);

      const { code, io } = await run(['--config', join(dir, 'paykit.json'), '--older-than', '10m', '--close-not-found-after', '1h', '--json']);

      expect(code).to.equal(1);
      const report = JSON.parse(io.stdout) as { entries: { id: string; outcome: string; after?: string }[] };
      expect(report.entries.map((e) => [e.id, e.outcome, e.after ?? '-'])).to.deep.equal([['B2002', 'settled', 'closed'], ['B2003', 'failed', '-']]);
      expect((await storedPayment(data, 'B2002'))?.status).to.equal('closed');
      expect((await storedPayment(data, 'B2003'))?.status).to.equal('pending');
      // Once the younger one is old enough too, the run is clean.
      // (Its last check was just now: --older-than 0 asks again at once.)
      const again = await run(['--config', join(dir, 'paykit.json'), '--older-than', '0', '--close-not-found-after', '20m']);
      expect(again.code).to.equal(0);
      expect((await storedPayment(data, 'B2003'))?.status).to.equal('closed');
    });

    it('checks nothing younger than --older-than and exits 0', async () => {
      const dir = configDir();
      await seed(join(dir, 'data'), [pendingPayment('C3001', 300, new Date(Date.now() - 2 * HOUR))]);
      const { code, io } = await run(['--config', join(dir, 'paykit.json'), '--older-than', '3h']);
      expect(code).to.equal(0);
      expect(io.stdout).to.equal('No pending records are due.\n\nchecked 0: settled 0, still pending 0, failed 0, skipped 0\n');
    });
  });

  context('when a kind of record could not be listed', () => {
    it('says so under the table, naming the kind and the error', () => {
      const text = renderPendingReport({
        entries: [], totals: { checked: 0, settled: 0, stillPending: 0, failed: 0, skipped: 0, busy: 0, needsAttention: 0, remaining: 0 },
        unlisted: [{ kind: 'payouts', error: { kind: 'Internal', code: 'internal_error', message: 'payout row P9 does not unseal' } }],
      });
      expect(text).to.contain('could not list payouts: Internal [internal_error] payout row P9 does not unseal (none of them was checked)');
    });
  });

  context('when the config cannot be used', () => {
    it('says the config file cannot be read and exits 1', async () => {
      const dir = tempDir({});
      const { code, io } = await run(['--config', join(dir, 'missing.json')]);
      expect(code).to.equal(1);
      expect(io.stderr).to.match(/^error: InvalidConfig \[invalid_config\] cannot read config file .*missing\.json/);
      expect(io.stdout).to.equal('');
    });

    for (const [name, store] of [['a memory store', { kind: 'memory' }], ['no store', null]] as const) {
      it(`refuses ${name}, saying why, and exits 1`, async () => {
        const { code, io } = await run(['--config', join(configDir(store), 'paykit.json')]);
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('config.store').and.to.contain('a memory store starts empty in this process, so there is nothing to resolve');
      });
    }
  });

  context('when the command line is wrong', () => {
    const cases: readonly [string, readonly string[], string][] = [
      ['--config is missing', [], '--config is required'],
      ['--older-than has no unit', ['--config', 'x.json', '--older-than', '10'], '--older-than "10" is not a duration'],
      ['--kind names an unknown kind', ['--config', 'x.json', '--kind', 'payments,preauth'], '--kind "preauth" is unknown'],
      ['--limit is not a positive number', ['--config', 'x.json', '--limit', '0'], '--limit must be a whole number'],
      ['--close-not-found-after has no unit', ['--config', 'x.json', '--close-not-found-after', '7'], '--close-not-found-after "7" is not a duration'],
    ];
    for (const [name, args, message] of cases) {
      it(`exits 2 when ${name}`, async () => {
        const { code, io } = await run(args);
        expect(code).to.equal(2);
        expect(io.stderr).to.contain(`paykit resolve-pending: ${message}`).and.to.contain('Run "paykit resolve-pending --help"');
      });
    }

    it('prints its help with every option', async () => {
      const { code, io } = await run(['--help']);
      expect(code).to.equal(0);
      for (const option of ['--config FILE', '--older-than', '--kind', '--limit', '--concurrency', '--close-not-found-after', '--json']) expect(io.stdout).to.contain(option);
    });
  });
});
