import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LoopbackTransport, trafficDay, type CstDay } from '@paykit/core/simulator';
import { createPaykit, FixedClock, type Paykit, type ReconciliationReport } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { LianlianWebSimulator, submitForm, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER } from '@paykit/provider-lianlian-web/testing';
import { openStore } from '@paykit/store-sql';
import { CSV_COLUMNS, PROVIDERS, renderReconciliationHtml, renderReconciliationText, runCli } from '../src/index.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const MERCHANT = 'M100';
const KEY = 'example-hmac-key-reconcile-01';
const NOTIFY = 'http://127.0.0.1:9/notify';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
// A card number where a careless integration might put one: as an order number.
const CARD = '6222020200112233445';

/** Runs paykit against the PGlite store in `dataDir`, then closes it. */
async function withStore(dataDir: string, build: (store: import('@paykit/core').Store) => Promise<Paykit>, work: (paykit: Paykit) => Promise<void>): Promise<void> {
  const store = (await openStore({ kind: 'pglite', dataDir }))._unsafeUnwrap();
  try {
    await work(await build(store));
  } finally {
    if ('close' in store) await store.close();
  }
}

async function cli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; io: MemoryIo }> {
  const io = new MemoryIo('', env, cwd);
  const code = await runCli(['reconcile', ...args], io, PROVIDERS);
  expect(io.stdout + io.stderr).not.to.contain(KEY);
  return { code, io };
}

describe('paykit reconcile', function () {
  this.timeout(60_000);
  // The day the simulated traffic lands on: taken just before it is made, away from midnight China
  // Standard Time, so that the traffic stays on one day whenever the suite runs.
  let day: CstDay;

  context('with Example Pay (the statement from its API)', () => {
    let sim: ExampleSimulator;
    let dir: string;
    before(async () => {
      day = await trafficDay();
      sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
      dir = tempDir({
        'paykit.json': JSON.stringify({
          instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: 'env:EXAMPLE_KEY', baseUrl: sim.url, notifyUrl: NOTIFY } } },
          store: { kind: 'pglite', dataDir: 'data' },
        }),
      });
      await withStore(join(dir, 'data'), async (store) => (await createPaykit(
        { instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: NOTIFY } } } },
        { plugins: [examplePlugin], store, transport: new LoopbackTransport() },
      ))._unsafeUnwrap(), async (paykit) => {
        for (const [orderId, amount, notified] of [['GOOD', 10000, true], ['LOST', 2000, false], ['WRONG', 5000, true]] as const) {
          const created = (await paykit.payments.create({ orderId, amount: cny(amount), description: 'Tea' }))._unsafeUnwrap();
          await sim.pay(created.action, 'succeeded');
          if (notified) {
            (await paykit.notifications.handle('shop', { method: 'POST', url: '/notify', headers: { 'content-type': 'application/json' }, body: new Uint8Array(Buffer.from(sim.notificationBody(orderId))) }))._unsafeUnwrap();
          }
        }
      });
      sim.statementFaults.push({ kind: 'amount', orderNo: 'WRONG', amountMinor: 5500 });
      sim.statementFaults.push({ kind: 'extra', orderNo: CARD, amountMinor: 700, currency: 'CNY', at: new Date() });
    });
    after(async () => {
      await sim.close();
    });

    it('prints the report as JSON, writes CSV and HTML, and exits 1 while discrepancies remain', async () => {
      const { code, io } = await cli(['--config', 'paykit.json', '--instance', 'shop', '--date', day.dashed, '--fee-rate', '0.6%', '--json', '--csv', 'out.csv', '--html', 'out.html', '--progress'], dir, { EXAMPLE_KEY: KEY });
      expect(code, io.stderr).to.equal(1);
      const report = JSON.parse(io.stdout) as ReconciliationReport;
      expect(report.counts).to.deep.include({ statementLines: 4, discrepancies: 3, open: 3 });
      expect(report.discrepancies.map((d) => [d.kind, d.subject?.id]).sort()).to.deep.equal([
        ['amount_mismatch', 'WRONG'], ['missing_in_paykit', 'LOST'], ['missing_in_paykit', `${CARD.slice(0, 6)}*********${CARD.slice(-4)}`],
      ].sort());
      expect(io.stderr).to.match(/^reconcile: statement: /m);
      expect(io.stdout).not.to.contain(CARD);

      const csv = readFileSync(join(dir, 'out.csv'), 'utf8').split('\r\n');
      expect(csv[0]).to.equal(CSV_COLUMNS.join(','));
      expect(csv.filter((l) => l !== '')).to.have.length(4);
      expect(csv.join('\n')).not.to.contain(CARD);
      const wrong = csv.find((l) => l.includes('amount_mismatch')) ?? '';
      expect(wrong).to.contain(',5500,');

      const html = readFileSync(join(dir, 'out.html'), 'utf8');
      expect(html).to.match(/^<!doctype html>/);
      // Self-contained: nothing fetched from anywhere.
      expect(html).not.to.match(/<script[^>]+src=|<link[^>]+href=|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(html).not.to.contain(CARD);
      expect(html.match(/<tr data-kind=/g)).to.have.length(3);
      expect(html).to.contain(`data-total="statement-amount" data-currency="CNY" data-minor="${10000 + 2000 + 5500 + 700}"`);
      expect(html).to.contain('<svg');

      // A report stored by an earlier paykit (its changes had no `changed` list) still renders.
      const { changed: _c, ...olderChanges } = { ...report.changes, previousRun: 1 };
      const older = { ...report, changes: olderChanges } as unknown as ReconciliationReport;
      expect(renderReconciliationText(older)).to.contain('0 changed');
      expect(renderReconciliationHtml(older)).to.contain('0 changed');
    });

    it('prints a readable summary by default, and resolve takes a discrepancy off the open ones', async () => {
      const first = await cli(['--config', 'paykit.json', '--instance', 'shop', '--date', day.dashed], dir, { EXAMPLE_KEY: KEY });
      expect(first.code).to.equal(1);
      expect(first.io.stdout).to.match(/^Reconciliation of shop \(example\), day .+: 3 open$/m);
      expect(first.io.stdout).to.contain('OPEN     amount_mismatch     WRONG');
      const id = /amount_mismatch\s+WRONG\s+\[([0-9a-f]{16})\]/.exec(first.io.stdout)?.[1] as string;
      expect(id).to.match(/^[0-9a-f]{16}$/);
      const resolved = await cli(['resolve', '--config', 'paykit.json', '--instance', 'shop', '--date', day.dashed, '--id', id, '--note', 'Example Pay confirmed 50.00'], dir, { EXAMPLE_KEY: KEY });
      expect(resolved.code, resolved.io.stderr).to.equal(0);
      expect(resolved.io.stdout).to.contain(`Resolved amount_mismatch ${id} (payment WRONG)`);
      const again = await cli(['--config', 'paykit.json', '--instance', 'shop', '--date', day.dashed, '--json'], dir, { EXAMPLE_KEY: KEY });
      const report = JSON.parse(again.io.stdout) as ReconciliationReport;
      expect(report.counts).to.include({ open: 2, resolved: 1 });
      expect(report.changes).to.include({ unchanged: 3 });
    });

    it('repairs with --repair and exits 0 once nothing is open', async () => {
      sim.statementFaults.splice(0);
      const { code, io } = await cli(['--config', 'paykit.json', '--instance', 'shop', '--date', day.dashed, '--repair', '--json'], dir, { EXAMPLE_KEY: KEY });
      const report = JSON.parse(io.stdout) as ReconciliationReport;
      expect(report.discrepancies.map((d) => [d.kind, d.subject?.id, d.state])).to.deep.equal([['missing_in_paykit', 'LOST', 'repaired']]);
      // The unknown order's line is gone from the statement; the resolved amount mismatch stays resolved.
      expect(report.changes.fixed.map((f) => f.subject?.id)).to.deep.equal([`${CARD.slice(0, 6)}*********${CARD.slice(-4)}`]);
      expect(code).to.equal(0);
    });
  });

  context('with LianLian web (the statement from files)', () => {
    it('reads the day\'s files from the --file directory, picked by name, and checks JYMXSUM', async () => {
      const clock = new FixedClock(new Date('2024-03-01T02:00:00Z'));
      const sim = await LianlianWebSimulator.start({
        oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: 'MD5', now: () => clock.now(),
        lianlianPrivateKey: testKeys.lianlianPrivate, merchantPublicKey: testKeys.merchantPublic,
      });
      try {
        const options = {
          oidPartner: TEST_OID_PARTNER, signType: 'MD5', notifySignType: 'MD5', md5Key: TEST_MD5_KEY, lianlianPublicKey: testKeys.lianlianPublic,
          cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url, notifyUrl: NOTIFY, goodsCategory: '1002',
        };
        const dir = tempDir({ 'paykit.json': JSON.stringify({ instances: { shop: { plugin: 'lianlian-web', options } }, store: { kind: 'pglite', dataDir: 'data' } }) });
        await withStore(join(dir, 'data'), async (store) => (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options } } },
          { plugins: [lianlianWebPlugin], store, transport: new LoopbackTransport(), clock }))._unsafeUnwrap(), async (paykit) => {
          for (const [orderId, amount] of [['L1', 21097], ['L2', 4965]] as const) {
            const created = (await paykit.payments.create({
              orderId, amount: cny(amount), description: '羽毛球', payer: { id: 'U1', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
            }))._unsafeUnwrap();
            if (created.action.kind !== 'redirect') throw new Error('redirect expected');
            await submitForm(created.action);
            await sim.complete(orderId, 'succeeded', { notify: false });
          }
          (await paykit.payments.query('L1'))._unsafeUnwrap();
        });
        const files = sim.statementDay('20240301')._unsafeUnwrap();
        const other = sim.statementDay('20240302')._unsafeUnwrap();
        mkdirSync(join(dir, 'statements'));
        for (const f of [files.transactions, files.summary, files.payouts, other.transactions]) writeFileSync(join(dir, 'statements', f.name), f.bytes);
        writeFileSync(join(dir, 'statements', 'README.txt'), 'not a statement');
        const { code, io } = await cli(['--config', 'paykit.json', '--instance', 'shop', '--date', '2024-03-01', '--file', 'statements', '--json'], dir);
        expect(code, io.stderr).to.equal(1);
        const report = JSON.parse(io.stdout) as ReconciliationReport;
        expect(report.sources).to.deep.equal([files.transactions.name, files.summary.name]);
        expect(report.selfChecks).to.deep.equal([{ source: files.summary.name, agrees: true }]);
        expect(report.discrepancies.map((d) => [d.kind, d.subject?.id])).to.deep.equal([['missing_in_paykit', 'L2']]);
      } finally {
        await sim.close();
      }
    });
  });

  context('when the command line is wrong', () => {
    it('asks for a durable store, a period and an instance', async () => {
      const dir = tempDir({ 'memory.json': JSON.stringify({ instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'https://example.test', notifyUrl: NOTIFY } } } }) });
      expect((await cli(['--config', 'memory.json', '--instance', 'shop'], dir)).code).to.equal(2);
      expect((await cli(['--config', 'memory.json', '--date', '2026-12-01'], dir)).code).to.equal(2);
      expect((await cli(['--config', 'memory.json', '--instance', 'shop', '--date', '2026-12-01', '--fee-rate', '0.333%'], dir)).code).to.equal(2);
      const memory = await cli(['--config', 'memory.json', '--instance', 'shop', '--date', '2026-12-01'], dir);
      expect(memory.code).to.equal(1);
      expect(memory.io.stderr).to.contain('config.store');
      const missing = await cli(['--config', 'memory.json', '--instance', 'shop', '--date', '2026-12-01', '--file', 'nowhere'], dir);
      expect(missing.code).to.equal(1);
      expect(missing.io.stderr).to.contain('--file nowhere: no such file or directory');
    });
  });
});
