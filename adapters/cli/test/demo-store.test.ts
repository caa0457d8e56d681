import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect } from 'chai';
import type { Store, StoredPayment } from '@paykit/core';
import { openStore } from '@paykit/store-sql';
import { PROVIDERS, runCli, type CliProvider } from '../src/index.js';
import { brokenProvider } from './fixtures/fakepay.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';
import { recordingProvider, recordsOf } from './fixtures/recording-demo.js';

const STORE_LINE = /^Store: PGlite \(embedded PostgreSQL\), data directory (\S+)\/pglite, record key in (\S+)\/record\.key( \((\S+) is removed at the end; --keep keeps it\))?\n/;

/** Runs `paykit demo` with the given arguments and providers. */
async function demo(args: readonly string[], providers: readonly CliProvider[], cwd = tmpdir()): Promise<{ code: number; io: MemoryIo }> {
  const io = new MemoryIo('', {}, cwd);
  const code = await runCli(['demo', ...args], io, providers);
  return { code, io };
}

/**
 * The run's directory, which the first output line names: the PGlite data directory and the record
 * key file are both in it (and, when it is removed at the end, it is the one named as removed).
 */
function runDirOf(io: MemoryIo): string {
  const m = STORE_LINE.exec(io.stdout);
  expect(m, `first line names the PGlite data directory:\n${io.stdout.slice(0, 300)}`).not.to.equal(null);
  const [, dataParent, keyParent, removal, removed] = m as RegExpExecArray;
  expect(keyParent).to.equal(dataParent);
  if (removal !== undefined) expect(removed).to.equal(dataParent);
  return dataParent as string;
}

/** Reads a run's directory back with openStore (its data directory and record key), closing it afterwards. */
async function withStore<T>(runDir: string, read: (store: Store) => Promise<T>): Promise<T> {
  const recordKey = readFileSync(join(runDir, 'record.key'), 'utf8');
  const store = (await openStore({ kind: 'pglite', dataDir: join(runDir, 'pglite'), recordKey }))._unsafeUnwrap();
  try {
    return await read(store);
  } finally {
    if ('close' in store) await store.close();
  }
}

describe('paykit demo on a store', function () {
  this.timeout(60_000);

  context('with the default store', () => {
    it('opens one PGlite store in a fresh temporary directory, shares it between the demos, prints what it holds and removes it', async () => {
      const received: (Store | undefined)[] = [];
      const { code, io } = await demo([], [recordingProvider('A', received), recordingProvider('B', received)]);

      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      const runDir = runDirOf(io);
      expect(dirname(runDir)).to.equal(tmpdir());
      expect(basename(runDir)).to.match(/^paykit-demo-/);
      expect(io.stdout.split('\n')[0]).to.contain(`(${runDir} is removed at the end; --keep keeps it)`);
      expect(received).to.have.length(2);
      expect(received[0]).not.to.equal(undefined);
      expect(received[1]).to.equal(received[0]);
      // Each recording demo wrote 2 payments, 1 refund, 1 payout and applied 1 notification (twice delivered).
      expect(io.stdout).to.contain('\nRead back from the store: 4 payments, 2 refunds, 0 pre-authorisations, 2 payouts; 2 provider notifications changed them.\n');
      expect(io.stdout).to.match(/2 demo\(s\) finished\.\n$/);
      expect(existsSync(runDir)).to.equal(false);
    });

    it("runs the built-in providers' demos on it and counts exactly what their scenarios record", async () => {
      const { code, io } = await demo([], PROVIDERS);

      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      const runDir = runDirOf(io);
      // What the scenarios do (providers/*/src/demo.ts):
      //   example:         1 payment, 1 partial refund; its notification delivered twice applies once;
      //                    then a payment whose notification is lost (repaired by query in the reconciliation)
      //   lianlian-payout: 3 payouts; notifications for the first two (the third is resolved by query);
      //                    then a fourth paid without a notification (repaired by query)
      //   lianlian-web:    1 payment; 1 notification (the redelivery is a duplicate, the late FAILURE changes nothing);
      //                    then one paid without a notification and one notified, refunded on the merchant site
      //   allinpay-mobile: 2 payments (one a pre-authorisation's order), 1 pre-authorisation,
      //                    1 refund (the second, too large, is refused by its claim: nothing is
      //                    recorded and its refund number stays free); 1 notification;
      //                    then a payment without a notification and a refund never asked about again
      expect(io.stdout).to.contain('\nRead back from the store: 8 payments, 3 refunds, 1 pre-authorisation, 4 payouts; 6 provider notifications changed them.\n');
      // Each demo ends with its day reconciled, and the run ends with what they found.
      expect(io.stdout).to.contain('=== Reconciliation of the simulated days');
      for (const instance of ['shop (example)', 'payouts (lianlian-payout)', 'llweb (lianlian-web)', 'app (allinpay-mobile)']) {
        expect(io.stdout).to.match(new RegExp(`\\n  ${instance.replace(/[()]/g, '\\$&')} \\d{4}-\\d{2}-\\d{2}: \\d+ lines, \\d+ matched, [1-9]\\d* discrepancies .*[1-9]\\d* repaired by a verified query`));
      }
      expect(io.stdout).to.contain('4 demo(s) finished.');
      // Each demo shows the merchant events it committed, numbered across the run.
      expect(io.stdout).to.match(/Merchant events it committed[^\n]*\n {4}#1 payment\.pending payment /);
      expect(io.stdout).to.contain('payout.held_for_review payout DEMO-PAYOUT-2 (created → held_for_review; reply)');
      expect(existsSync(runDir)).to.equal(false);
    });

    it('still closes and removes the store when a demo fails, and exits 1', async () => {
      const received: (Store | undefined)[] = [];
      const { code, io } = await demo([], [brokenProvider, recordingProvider('A', received)]);

      expect(code).to.equal(1);
      expect(io.stderr).to.contain('error: demo of brokenpay failed: Error: simulator did not start');
      expect(io.stdout).to.contain('Read back from the store: 2 payments, 1 refund, 0 pre-authorisations, 1 payout; 1 provider notification changed them.');
      expect(existsSync(runDirOf(io))).to.equal(false);
    });
  });

  context('with --keep', () => {
    it('leaves the data directory, says how to read it, and openStore finds the recorded payments there', async () => {
      const { code, io } = await demo(['--keep'], [recordingProvider('K', [])]);
      const runDir = runDirOf(io);
      try {
        expect(io.stderr).to.equal('');
        expect(code).to.equal(0);
        expect(io.stdout.split('\n')[0]).not.to.contain('removed');
        expect(io.stdout).to.contain(`Kept ${runDir}: pglite/ is a PGlite data directory, record.key the key that seals its payout records. `
          + `Name them as a config's store, { "kind": "pglite", "dataDir": "${join(runDir, 'pglite')}", "recordKey": "file:${join(runDir, 'record.key')}" }`);
        expect(statSync(join(runDir, 'record.key')).mode & 0o077).to.equal(0);
        const expected = recordsOf('K');
        const { payments, paid, payout } = await withStore(runDir, async (store) => ({
          payments: (await store.list<StoredPayment>('payment'))._unsafeUnwrap().map((r) => r.value.orderId).sort(),
          paid: (await store.get<StoredPayment>('payment', expected.paid.orderId))._unsafeUnwrap(),
          payout: (await store.get<unknown>('payout', expected.payout.payoutId))._unsafeUnwrap(),
        }));
        expect(payments).to.deep.equal([expected.paid.orderId, expected.open.orderId]);
        expect(paid).to.deep.equal({ value: { ...expected.paid, status: 'succeeded' }, version: 2 });
        expect(payout).to.deep.equal({ value: expected.payout, version: 1 });
      } finally {
        rmSync(runDir, { recursive: true, force: true });
      }
    });
  });

  context('with --data-dir', () => {
    it('creates a directory that does not exist yet (relative to the working directory), keeps the store there and keeps it', async () => {
      const cwd = tempDir({});
      try {
        const { code, io } = await demo(['--data-dir', 'state/demo'], [recordingProvider('D', [])], cwd);
        expect(io.stderr).to.equal('');
        expect(code).to.equal(0);
        expect(runDirOf(io)).to.equal(join(cwd, 'state', 'demo'));
        expect(io.stdout).to.contain(`Kept ${join(cwd, 'state', 'demo')}: pglite/ is a PGlite data directory`);
        const orderIds = await withStore(join(cwd, 'state', 'demo'), async (store) =>
          (await store.list<StoredPayment>('payment'))._unsafeUnwrap().map((r) => r.value.orderId).sort());
        expect(orderIds).to.deep.equal(['D-P1', 'D-P2']);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });

    it('refuses a directory that is not empty, runs no demo, leaves it alone and exits 1', async () => {
      const cwd = tempDir({});
      mkdirSync(join(cwd, 'old'));
      writeFileSync(join(cwd, 'old', 'PG_VERSION'), '17');
      try {
        const received: (Store | undefined)[] = [];
        const { code, io } = await demo(['--data-dir', 'old'], [recordingProvider('A', received)], cwd);
        expect(code).to.equal(1);
        expect(io.stderr).to.match(/^error: InvalidRequest \[invalid_request\] --data-dir \S+ is not empty: name a new or empty directory, or leave out --data-dir for a fresh temporary one/);
        expect(io.stderr).to.contain(join(cwd, 'old'));
        expect(io.stdout).to.equal('');
        expect(received).to.deep.equal([]);
        expect(readFileSync(join(cwd, 'old', 'PG_VERSION'), 'utf8')).to.equal('17');
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  });

  context('with --store memory', () => {
    it('gives the demos no store (each uses its own in-memory one), writes nothing and prints no summary', async () => {
      const received: (Store | undefined)[] = [];
      const { code, io } = await demo(['--store', 'memory'], [recordingProvider('M', received)]);
      expect(code).to.equal(0);
      expect(io.stdout).to.match(/^Store: in memory \(each demo its own; nothing is written to disk\)\n/);
      expect(received).to.deep.equal([undefined]);
      expect(io.stdout).to.contain('  1. no store given\n');
      expect(io.stdout).not.to.contain('Read back from the store');
    });

    it("runs the built-in providers' demos as before", async () => {
      const { code, io } = await demo(['--store', 'memory'], PROVIDERS);
      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      expect(io.stdout).to.contain('4 demo(s) finished.');
    });
  });

  context('with conflicting or unknown store options', () => {
    for (const args of [['--store', 'sqlite'], ['--store', 'memory', '--keep'], ['--store', 'memory', '--data-dir', 'x']]) {
      it(`exits 2 for ${args.join(' ')} and runs nothing`, async () => {
        const received: (Store | undefined)[] = [];
        const { code, io } = await demo(args, [recordingProvider('U', received)]);
        expect(code).to.equal(2);
        expect(io.stderr).to.match(/^paykit demo: --(store|keep|data-dir) /);
        expect(received).to.deep.equal([]);
      });
    }
  });
});
