import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PayResult } from '@paykit/core';
import type { LianlianStatementEntry } from '@paykit/provider-lianlian-web';
import { fetchStatementFiles, parseFetchedStatement, reconcileStatementDay, type FetchStatementOptions } from '../src/index.js';
import { bigStatement, connectionTo, dayFiles, GBK_DAY, PARTNER, removeDir, tempDir, UTF8_DAY, writeFiles, type DayCase } from './helpers/fixtures.js';
import { TestSftpServer } from './helpers/sftp-server.js';

async function collect(it: AsyncIterable<PayResult<LianlianStatementEntry>>): Promise<PayResult<LianlianStatementEntry>[]> {
  const out: PayResult<LianlianStatementEntry>[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** Decimal yuan of a fen amount, written independently of the code under test. */
const yuan = (fen: number): string => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

describe('parsing and reconciling fetched statement files', () => {
  let remote: string;
  let local: string;
  let server: TestSftpServer;

  beforeEach(async () => {
    remote = tempDir('remote');
    local = tempDir('local');
    writeFiles(remote, dayFiles(GBK_DAY));
    writeFiles(remote, dayFiles(UTF8_DAY));
    server = await TestSftpServer.start(remote);
  });

  afterEach(async () => {
    await server.close();
    removeDir(remote);
    removeDir(local);
  });

  const options = (day: string, over: Partial<FetchStatementOptions> = {}): FetchStatementOptions => ({
    connection: connectionTo(server), remoteDir: '/', localDir: local, partnerId: PARTNER, period: day, ...over,
  });

  for (const c of [GBK_DAY, UTF8_DAY] as DayCase[]) {
    context(`when the day's files are ${c.encoding} in the ${c.layout} layout`, () => {
      it('parses the fetched JYMX file into the ledger\'s payments and refunds, in fen', async () => {
        const files = (await fetchStatementFiles(options(c.day, { families: ['transactions'] })))._unsafeUnwrap();
        const results = await collect(parseFetchedStatement(files[0] as (typeof files)[number]));
        const entries = results.map((r) => r._unsafeUnwrap());
        expect(entries.map((e) => [e.kind, e.orderId, e.amount.amount, e.fee?.amount ?? 0])).to.deep.equal(c.entries);
        expect(entries.every((e) => e.settleDate === c.day && e.partnerId === PARTNER && e.layout === c.layout)).to.equal(true);
        expect(entries[0]?.description).to.equal(`订单${c.entries[0]?.[1]}：羽毛球两桶`);
      });

      it('reconciles the day: totals equal the summary, payouts are totalled, no discrepancy', async () => {
        const day = (await reconcileStatementDay(options(c.day)))._unsafeUnwrap();
        expect(day.discrepancies).to.deep.equal([]);
        expect(day.files.map((f) => f.kind.family).sort()).to.deep.equal(['payouts', 'summary', 'transactions']);
        const s = c.summary;
        expect([day.summary.successCount, day.summary.successAmount.amount, day.summary.refundCount, day.summary.refundAmount.amount])
          .to.deep.equal([s.successCount, s.successAmount, s.refundCount, s.refundAmount]);
        expect([day.transactions.success.count, day.transactions.success.amount, day.transactions.refund.count, day.transactions.refund.amount])
          .to.deep.equal([s.successCount, BigInt(s.successAmount), s.refundCount, BigInt(s.refundAmount)]);
        const payoutSum = c.payouts.reduce((sum, l) => sum + l.amountMinor, 0);
        expect([day.payouts?.byKind.payout.count, day.payouts?.byKind.payout.amount]).to.deep.equal([c.payouts.length, BigInt(payoutSum)]);
      });
    });
  }

  context('when the summary disagrees with the detail lines', () => {
    it('reports each differing figure with the stated and the counted value', async () => {
      const s = GBK_DAY.summary;
      const stated = s.successAmount + 100;
      const line = [s.successCount + s.refundCount, s.successCount, yuan(stated), s.refundCount, yuan(s.refundAmount), 0, 0].join('|');
      writeFileSync(join(remote, `JYMXSUM_${PARTNER}_${GBK_DAY.day}.txt`), `${line}\r\n`);
      const day = (await reconcileStatementDay(options(GBK_DAY.day)))._unsafeUnwrap();
      expect(day.discrepancies).to.deep.equal([{ field: 'successAmount', expected: yuan(stated), actual: yuan(s.successAmount) }]);
    });
  });

  context('when the summary file is not published yet', () => {
    it('is a retryable NotFound naming the missing file', async () => {
      rmSync(join(remote, `JYMXSUM_${PARTNER}_${GBK_DAY.day}.txt`));
      const e = (await reconcileStatementDay(options(GBK_DAY.day)))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['NotFound', true]);
      expect(e.message).to.contain(`JYMXSUM_${PARTNER}_${GBK_DAY.day}.txt`);
    });
  });

  context('when a month is given to the day reconciliation', () => {
    it('is an InvalidRequest: summaries are daily', async () => {
      const e = (await reconcileStatementDay(options('202401')))._unsafeUnwrapErr();
      expect([e.kind, e.path]).to.deep.equal(['InvalidRequest', 'period']);
      expect(server.connections).to.equal(0);
    });
  });

  context('when the local file is gone', () => {
    it('ends the stream with a NotFound error value instead of throwing', async () => {
      const results = await collect(parseFetchedStatement({ name: `JYMX_${PARTNER}_${GBK_DAY.day}.txt`, path: join(local, 'missing.txt') }));
      expect(results).to.have.length(1);
      const e = results[0]?._unsafeUnwrapErr();
      expect([e?.kind, e?.path]).to.deep.equal(['NotFound', 'path']);
    });
  });

  context('when the file is large', () => {
    it('streams it from disk: every line comes back, amounts summed exactly', async () => {
      const lines = 20_000;
      const big = await bigStatement(lines, '20240301');
      writeFileSync(join(remote, big.name), big.bytes);
      const files = (await fetchStatementFiles(options('20240301', { families: ['transactions'] })))._unsafeUnwrap();
      let count = 0;
      let sum = 0n;
      for await (const r of parseFetchedStatement(files[0] as (typeof files)[number])) {
        count += 1;
        sum += BigInt(r._unsafeUnwrap().amount.amount);
      }
      // Line i of the synthetic file is 100 + i fen (i < 100 000), negative on every tenth line (i mod 10 = 9).
      let expected = 0n;
      for (let i = 0; i < lines; i += 1) expected += BigInt(i % 10 === 9 ? -(100 + i) : 100 + i);
      expect([count, sum]).to.deep.equal([lines, expected]);
    });
  });
});
