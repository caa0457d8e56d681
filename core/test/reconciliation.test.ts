import { expect } from 'chai';
import fc from 'fast-check';
import { ok, okAsync, ResultAsync } from 'neverthrow';
import {
  checkPeriod, compareUtf8, createPaykit, FixedClock, InMemoryStore, type Discrepancy, type IdentifiedRecord, type PageQuery, type Paykit,
  type PayResultAsync, type RecordKind, type ReconciliationReport, type StatementEntry, type StoredPayout,
} from '../src/index.js';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalSorter } from '../src/reconciliation/external-sort.js';
import type { LedgerItem } from '../src/reconciliation/ledger.js';
import { expectedFee, matchStatement } from '../src/reconciliation/match.js';
import type { PackedLine } from '../src/reconciliation/packed-line.js';
import { ALL, defaultScript, fakePlugin, type FakeScript } from './support/fake-plugin.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const usd = (amount: number) => ({ amount, currency: 'USD' as const });
const period = { instance: 'shop', date: '2026-12-01' };

async function paykitWith(statement: StatementEntry[], script: FakeScript = defaultScript()): Promise<{ paykit: Paykit; script: FakeScript; store: InMemoryStore }> {
  script.statement = statement;
  const store = new InMemoryStore();
  // 2026-12-01 10:00 China Standard Time.
  const clock = new FixedClock(new Date('2026-12-01T02:00:00Z'));
  const paykit = (await createPaykit({ instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } } }, { plugins: [fakePlugin('fake', ALL, script)], store, clock }))._unsafeUnwrap();
  return { paykit, script, store };
}

/** A payment paid on 2026-12-01 (its settlement day). */
async function paid(paykit: Paykit, orderId: string, amount: { amount: number; currency: 'CNY' | 'USD' }): Promise<void> {
  (await paykit.payments.create({ orderId, amount, description: 'x' }))._unsafeUnwrap();
  (await paykit.payments.apply({ orderId, status: 'succeeded', amount, settleDate: '20261201' }))._unsafeUnwrap();
}

/** The sorter's folders in the temp folder now. */
const tmpFolders = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('paykit-sort-')).sort();

const kinds = (r: ReconciliationReport): [string, string | undefined][] => r.discrepancies.map((d: Discrepancy) => [d.kind, d.subject?.id]);

describe('reconciliation', () => {
  context('when strings are compared in UTF-8 byte order', () => {
    it('agrees with Buffer.compare for any strings, surrogate pairs and private-use characters included', () => {
      const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'B', '0', 'é', '\uE000', '\uFFFD', '😀', '\u0000'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })), maxLength: 8 });
      fc.assert(fc.property(text, text, (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).to.equal(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }), { numRuns: 2000 });
    });
  });

  context('when a stream is sorted on disk', () => {
    const item = fc.record({ rank: fc.integer({ min: 0, max: 3 }), key: fc.string({ unit: fc.constantFrom('a', 'A', 'é', '😀', '\uE000', '1', '\u0000', '\u0001', '\n', '\u000b', '\u0010', '\u001a'), maxLength: 4 }) });
    const sortsInOrder = (thread: boolean, threadEntry?: URL) => fc.asyncProperty(fc.array(item, { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), async (items, runSize) => {
        const sorter = new ExternalSorter<{ n: number }>({ runSize, thread, ...(threadEntry === undefined ? {} : { threadEntry }) });
        try {
          for (const [n, it] of items.entries()) await sorter.add(it.rank, it.key, { n });
          const out: { rank: number; key: string; n: number }[] = [];
          for await (const batch of sorter.sorted()) for (const s of batch) out.push({ rank: s.rank, key: s.key, n: s.value.n });
          const expected = items.map((it, n) => ({ ...it, n })).sort((a, b) => a.rank - b.rank || Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.n - b.n);
          expect(out).to.deep.equal(expected);
          expect(sorter.runs).to.equal(items.length <= runSize ? 0 : Math.ceil(items.length / runSize));
        } finally {
          await sorter.close();
        }
      });

    it('gives back values whose UTF-8 characters straddle the read chunks of a run file whole', async () => {
      const sorter = new ExternalSorter<{ s: string }>({ runSize: 1000, thread: false });
      try {
        // 3 000 values of 401 bytes: runs of ~400 KB, read 256 KiB at a time.
        const value = `${'😀'.repeat(50)}é${'汉'.repeat(66)}`;
        for (let n = 0; n < 3000; n += 1) await sorter.add(0, String(n).padStart(5, '0'), { s: value });
        let count = 0;
        for await (const batch of sorter.sorted()) {
          for (const item of batch) {
            expect(item.value.s).to.equal(value);
            count += 1;
          }
        }
        expect(count).to.equal(3000);
      } finally {
        await sorter.close();
      }
    });

    it('gives every item back in (rank, byte order, arrival) order, across many runs', async () => {
      await fc.assert(sortsInOrder(false), { numRuns: 150 });
    });

    it('does the same with its runs on a worker thread, and leaves no file behind', async () => {
      const before = tmpFolders();
      // A thread per case (started once the first run is full): fewer cases.
      await fc.assert(sortsInOrder(true), { numRuns: 25 });
      expect(tmpFolders()).to.deep.equal(before);
    });

    it('sorts in this thread when the worker cannot start (its module missing, as in a bundled application), and leaves no file behind', async () => {
      const before = tmpFolders();
      await fc.assert(sortsInOrder(true, new URL('./no-such-sort-worker.ts', import.meta.url)), { numRuns: 15 });
      expect(tmpFolders()).to.deep.equal(before);
    });

    it('reports a run it cannot write as an error of the sort, from either thread, and still closes', async () => {
      for (const thread of [false, true]) {
        const sorter = new ExternalSorter<number>({ runSize: 2, thread, tmpDir: join(tmpdir(), 'paykit-no-such-folder', 'x') });
        let failure: unknown;
        try {
          for (let n = 0; n < 50; n += 1) await sorter.add(0, `k${n}`, n);
          for await (const _batch of sorter.sorted()) void _batch;
        } catch (e) {
          failure = e;
        } finally {
          await sorter.close();
        }
        expect(String(failure), `thread: ${thread}`).to.match(/ENOENT/);
      }
    });
  });

  context('when the sorted statement arrives in batches of any size', () => {
    // Lines of one key may straddle batches (a group waits for the next one to be read): the
    // outcome must be the one of a statement read in a single batch.
    it('finds the same matches and discrepancies however the lines are cut', async () => {
      const group = fc.record({ lines: fc.array(fc.constantFrom(100, 101), { minLength: 0, maxLength: 3 }), recorded: fc.boolean() });
      await fc.assert(fc.asyncProperty(fc.array(group, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }), async (groups, cuts) => {
        const keys = groups.map((_g, i) => `O${String(i).padStart(3, '0')}`);
        const items = groups.flatMap((g, i) => g.lines.map((amount, n) => ({
          rank: 0, key: keys[i] as string, value: ['payment', keys[i] as string, amount, 'CNY', null, null, null, null, '2026-12-01', null, null, null, n + 1, true] as PackedLine,
        })));
        const records: LedgerItem[] = groups.flatMap((g, i) => (g.recorded ? [{
          key: keys[i] as string, kind: 'payment' as const, id: keys[i] as string, version: 1, day: '2026-12-01', inPeriod: true, expectsLine: true,
          fields: ['shop', 'succeeded', 100, 'CNY', 0, 'CNY', '20261201', null, null, keys[i] as string, null] as const,
        }] : []));
        const run = async (sizes: readonly number[]) => {
          const found: string[] = [];
          async function* batches() {
            for (let at = 0, c = 0; at < items.length; c += 1) {
              const size = sizes[c % sizes.length] as number;
              yield items.slice(at, at + size);
              at += size;
            }
          }
          async function* none() {}
          async function* ledger() {
            yield ok(records);
          }
          const result = await matchStatement({
            statement: batches(), ledger: { payment: ledger, refund: none, payout: none }, payment: () => okAsync(undefined), emit: (d) => found.push(`${d.kind} ${d.id}`),
          });
          return { result: result._unsafeUnwrap(), found };
        };
        const whole = await run([items.length + 1]);
        const cut = await run(cuts);
        expect(cut).to.deep.equal(whole);
        // One line of the recorded amount against its record is a match; nothing else is.
        expect(whole.result.matched).to.equal(groups.filter((g) => g.recorded && g.lines.length === 1 && g.lines[0] === 100).length);
        expect(whole.result.lines).to.equal(items.length);
      }), { numRuns: 300 });
    });
  });

  context('when a fee schedule is applied', () => {
    it('rounds the percentage as told and adds the fixed part, never below the minimum', () => {
      expect(expectedFee(4965, { basisPoints: 50, rounding: 'down' })).to.equal(24);
      expect(expectedFee(4965, { basisPoints: 50 })).to.equal(25);
      expect(expectedFee(4900, { basisPoints: 50, rounding: 'up' })).to.equal(25);
      expect(expectedFee(4900, { basisPoints: 50 })).to.equal(25);
      expect(expectedFee(-1000, { basisPoints: 60, fixed: 100 })).to.equal(106);
      expect(expectedFee(100, { basisPoints: 60, minimum: 10 })).to.equal(10);
      // Exact for any safe amount: no floating point on the way.
      expect(expectedFee(Number.MAX_SAFE_INTEGER, { basisPoints: 1, rounding: 'down' })).to.equal(Math.floor(Number.MAX_SAFE_INTEGER / 10000));
    });
  });

  context('when the period is checked', () => {
    it('takes a real day or month and refuses anything else, naming the field', () => {
      expect(checkPeriod({ instance: 'shop', month: '2024-02' })._unsafeUnwrap()).to.deep.include({ from: '2024-02-01', to: '2024-02-29', range: { from: '20240201', to: '20240229' } });
      expect(checkPeriod({ instance: 'shop', date: '2026-02-30' })._unsafeUnwrapErr().path).to.equal('date');
      expect(checkPeriod({ instance: 'shop', date: '2026-12-01', month: '2026-12' })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect(checkPeriod({ instance: 'a b', date: '2026-12-01' })._unsafeUnwrapErr().path).to.equal('instance');
    });
  });

  context('when a day is reconciled again and a discrepancy\'s figures changed', () => {
    it('shows it changed, and opens again one a person had resolved about the old figures', async () => {
      const script = defaultScript();
      const { paykit } = await paykitWith([{ kind: 'payment', orderId: 'W1', amount: cny(10001), settleDate: '20261201', source: 'JYMX_1.txt', line: 3 }], script);
      await paid(paykit, 'W1', cny(10000));
      const first = (await paykit.reconcile(period))._unsafeUnwrap();
      const d = first.discrepancies[0] as Discrepancy;
      expect([d.kind, d.change, d.state]).to.deep.equal(['amount_mismatch', 'new', 'open']);
      (await paykit.reconciliation.resolve(period, d.id, '1 fen of rounding, agreed with LianLian'))._unsafeUnwrap();
      // The same figures again, from the day's file under its other suffix with a line added above:
      // still resolved, found again (the message names the file and line; the figures are the same).
      script.statement = [{ kind: 'payment', orderId: 'W1', amount: cny(10001), settleDate: '20261201', source: 'JYMX_1.csv', line: 4 }];
      const same = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(same.discrepancies[0]?.message).to.not.equal(d.message);
      expect([same.discrepancies[0]?.change, same.discrepancies[0]?.state, same.clean]).to.deep.equal(['unchanged', 'resolved', true]);
      // A corrected statement says something else entirely: the note was not about this.
      script.statement = [{ kind: 'payment', orderId: 'W1', amount: cny(1000), settleDate: '20261201' }];
      const other = (await paykit.reconcile(period))._unsafeUnwrap();
      const again = other.discrepancies[0] as Discrepancy;
      expect([again.id, again.change, again.state, other.clean]).to.deep.equal([d.id, 'changed', 'open', false]);
      expect(other.changes.changed).to.deep.equal([d.id]);
      expect(again.message).to.contain('10.00');
    });
  });

  context('when a line\'s fee is charged in another currency than its amount', () => {
    it('counts the fee in its own currency\'s totals, not added to the amount\'s', async () => {
      const { paykit } = await paykitWith([{ kind: 'payment', orderId: 'X1', amount: usd(1000), fee: cny(35), settleDate: '20261201' }]);
      await paid(paykit, 'X1', usd(1000));
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(report.days.map((d) => [d.currency, d.statement.amount, d.statement.fee])).to.deep.equal([['CNY', 0, 35], ['USD', 1000, 0]]);
    });
  });

  context('when a statement states no currency for its lines', () => {
    it('matches a line on its amount, in the currency of the record', async () => {
      const { paykit } = await paykitWith([
        { kind: 'payment', orderId: 'U1', amount: cny(5000), settleDate: '20261201', currencyStated: false },
        { kind: 'payment', orderId: 'U2', amount: cny(5100), settleDate: '20261201', currencyStated: false },
      ]);
      await paid(paykit, 'U1', usd(5000));
      await paid(paykit, 'U2', usd(5000));
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(kinds(report)).to.deep.equal([['amount_mismatch', 'U2']]);
      expect(report.days.map((d) => [d.currency, d.statement.amount, d.paykit.amount])).to.deep.equal([['USD', 10100, 10000]]);
    });

    it('reads a line stated in another currency as a currency mismatch', async () => {
      const { paykit } = await paykitWith([{ kind: 'payment', orderId: 'C1', amount: cny(5000), settleDate: '20261201' }]);
      await paid(paykit, 'C1', usd(5000));
      expect(kinds((await paykit.reconcile(period))._unsafeUnwrap())).to.deep.equal([['amount_mismatch', 'C1']]);
    });
  });

  context('when payouts are sent under provider order numbers that sort otherwise than their ids', () => {
    it('matches each line to its payout by provider order number', async () => {
      const { paykit } = await paykitWith([
        { kind: 'payout', orderId: 'A-LAST', amount: cny(300), settleDate: '20261201' },
        { kind: 'payout', orderId: 'Z-FIRST', amount: cny(100), settleDate: '20261201' },
      ]);
      const account = { type: 'private' as const, accountNumber: '6222020000000000000', accountName: 'P' };
      (await paykit.payouts.submit({ payoutId: 'p1', providerOrderId: 'Z-FIRST', amount: cny(100), account, description: 'd' }))._unsafeUnwrap();
      (await paykit.payouts.submit({ payoutId: 'p2', providerOrderId: 'A-LAST', amount: cny(300), account, description: 'd' }))._unsafeUnwrap();
      (await paykit.payouts.submit({ payoutId: 'p3', providerOrderId: 'M-MISSING', amount: cny(200), account, description: 'd' }))._unsafeUnwrap();
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      // The fake accepts payouts: paykit has them accepted, the statement shows them paid.
      expect(kinds(report).sort()).to.deep.equal([['missing_in_paykit', 'p1'], ['missing_in_paykit', 'p2']]);
      const p1 = report.discrepancies.find((d) => d.subject?.id === 'p1');
      expect(p1?.subject).to.deep.equal({ kind: 'payout', id: 'p1', orderId: 'Z-FIRST' });
    });
  });

  context('when lines belong to other days, or records to other instances', () => {
    it('leaves other days\' lines out and never matches another instance\'s record', async () => {
      const script = defaultScript();
      script.statement = [
        { kind: 'payment', orderId: 'D1', amount: cny(100), settleDate: '20261201' },
        { kind: 'payment', orderId: 'D0', amount: cny(100), settleDate: '20261130' },
        { kind: 'payment', orderId: 'OTHER', amount: cny(100), settleDate: '20261201' },
      ];
      const store = new InMemoryStore();
      const clock = new FixedClock(new Date('2026-12-01T02:00:00Z'));
      const paykit = (await createPaykit({
        instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } }, other: { plugin: 'fake', options: { merchantId: 'N', apiKey: 'k' } } },
        routes: { payments: 'shop' },
      }, { plugins: [fakePlugin('fake', ALL, script)], store, clock }))._unsafeUnwrap();
      await paid(paykit, 'D1', cny(100));
      (await paykit.payments.create({ orderId: 'OTHER', amount: cny(100), description: 'x' }, { instance: 'other' }))._unsafeUnwrap();
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(report.counts).to.include({ statementLines: 2, outsidePeriod: 1, recordsWalked: 1 });
      expect(kinds(report)).to.deep.equal([['missing_in_paykit', 'OTHER']]);
      expect((report.discrepancies[0] as Extract<Discrepancy, { kind: 'missing_in_paykit' }>).paykit).to.equal(undefined);
    });
  });

  context('when a month is reconciled', () => {
    it('asks for the whole month and places each record and line in its day', async () => {
      const { paykit, script } = await paykitWith([
        { kind: 'payment', orderId: 'M1', amount: cny(100), settleDate: '20261201' },
        { kind: 'payment', orderId: 'M2', amount: cny(200), settleDate: '20261215' },
      ]);
      await paid(paykit, 'M1', cny(100));
      (await paykit.payments.create({ orderId: 'M2', amount: cny(200), description: 'x' }))._unsafeUnwrap();
      (await paykit.payments.apply({ orderId: 'M2', status: 'succeeded', amount: cny(200), settleDate: '20261215' }))._unsafeUnwrap();
      const report = (await paykit.reconcile({ instance: 'shop', month: '2026-12' }))._unsafeUnwrap();
      expect(script.calls.filter((c) => c.op === 'statements.fetch').map((c) => c.request)).to.deep.equal([{ from: '20261201', to: '20261231' }]);
      expect(report.clean).to.equal(true);
      expect(report.days.map((d) => [d.day, d.statement.count, d.paykit.count])).to.deep.equal([['2026-12-01', 1, 1], ['2026-12-15', 1, 1]]);
    });
  });

  context('when two runs of one period overlap', () => {
    it('refuses the second while the first holds the period, and lets it run after', async () => {
      const { paykit, store } = await paykitWith([{ kind: 'payment', orderId: 'P1', amount: cny(100), settleDate: '20261201' }]);
      await paid(paykit, 'P1', cny(100));
      // Another process holds the period (a live lease of another owner).
      (await store.insert('reconciliation', 'p:shop:2026-12-01', { instance: 'shop', period: '2026-12-01', runs: 4, status: 'running', lease: { owner: 'elsewhere', until: new Date('2026-12-01T04:00:00Z') } }))._unsafeUnwrap();
      const busy = (await paykit.reconcile(period))._unsafeUnwrapErr();
      expect(busy.kind).to.equal('Conflict');
      expect(busy.message).to.contain('running in another process');
      const cur = (await store.get<{ lease: unknown }>('reconciliation', 'p:shop:2026-12-01'))._unsafeUnwrap();
      (await store.update('reconciliation', 'p:shop:2026-12-01', cur?.version ?? 0, { instance: 'shop', period: '2026-12-01', runs: 4, status: 'failed' }))._unsafeUnwrap();
      const after = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(after.run).to.equal(5);
    });
  });

  context('when a run is in progress', () => {
    it('holds its period two minutes at a time (a killed run frees it soon), and refuses a second run of it in the same process', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => { release = r; });
      let walking = false;
      // The ledger walk waits at the gate: the run is in progress until it opens.
      class SlowStore extends InMemoryStore {
        override listPage<T>(kind: RecordKind, query: PageQuery): PayResultAsync<readonly IdentifiedRecord<T>[]> {
          if (kind !== 'payment') return super.listPage<T>(kind, query);
          walking = true;
          const page = () => super.listPage<T>(kind, query);
          return new ResultAsync(gate.then(() => page()));
        }
      }
      const store = new SlowStore();
      const clock = new FixedClock(new Date('2026-12-01T02:00:00Z'));
      const paykit = (await createPaykit({ instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } } }, { plugins: [fakePlugin('fake', ALL, defaultScript())], store, clock }))._unsafeUnwrap();
      const first = paykit.reconcile(period);
      for (let i = 0; i < 200 && !walking; i += 1) await new Promise((r) => setTimeout(r, 5));
      const held = (await store.get<{ lease: { until: Date } }>('reconciliation', 'p:shop:2026-12-01'))._unsafeUnwrap()?.value.lease;
      expect(new Date(held?.until ?? 0).getTime() - clock.now().getTime()).to.equal(2 * 60_000);
      const second = (await paykit.reconcile(period))._unsafeUnwrapErr();
      expect(second.kind).to.equal('Conflict');
      expect(second.message).to.contain('already running in this process');
      release();
      expect((await first)._unsafeUnwrap().run).to.equal(1);
      expect((await paykit.reconcile(period))._unsafeUnwrap().run).to.equal(2);
    });

    it('gives discrepancies ids of 16 hex characters that never read as a number (an all-digit id would be masked like a card number)', async () => {
      // Order numbers whose plain SHA-256 prefix is all digits, found here by hashing as the id scheme does.
      const { createHash } = await import('node:crypto');
      const digitsOnly: string[] = [];
      for (let i = 0; digitsOnly.length < 2 && i < 200_000; i += 1) {
        const prefix = createHash('sha256').update(['missing_in_paykit', 'payment', `N${i}`].join('\u0000')).digest('hex').slice(0, 16);
        if (/^\d+$/.test(prefix)) digitsOnly.push(`N${i}`);
      }
      expect(digitsOnly).to.have.length(2);
      const { paykit } = await paykitWith(digitsOnly.map((orderId) => ({ kind: 'payment' as const, orderId, amount: cny(100), settleDate: '20261201' })));
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(report.discrepancies.map((d) => d.kind)).to.deep.equal(['missing_in_paykit', 'missing_in_paykit']);
      for (const d of report.discrepancies) expect(d.id).to.match(/^[0-9a-f]{16}$/).and.to.match(/[a-f]/);
    });
  });

  context('when a payout record holds its beneficiary\'s account', () => {
    it('matches it and keeps the account number out of the report', async () => {
      const { paykit, store } = await paykitWith([{ kind: 'payout', orderId: 'PO-1', amount: cny(100), settleDate: '20261201' }]);
      const payout: StoredPayout = {
        payoutId: 'PO-1', providerOrderId: 'PO-1', instanceId: 'shop', amount: cny(100), status: 'succeeded', attempts: 1, settleDate: '20261201',
        request: { payoutId: 'PO-1', providerOrderId: 'PO-1', amount: cny(100), account: { type: 'private', accountNumber: '6222020000000000000', accountName: 'P' }, description: 'd', createdAt: new Date('2026-12-01T01:00:00Z') },
      };
      (await store.insert('payout', 'PO-1', payout))._unsafeUnwrap();
      const report = (await paykit.reconcile(period))._unsafeUnwrap();
      expect(report.clean).to.equal(true);
      // No account number reaches the report.
      expect(JSON.stringify(report)).not.to.contain('6222020000000000000');
    });
  });
});
