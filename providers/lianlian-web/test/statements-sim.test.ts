import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import fc from 'fast-check';
import type { PayResult, StatementFile } from '@paykit/core';
import type { SimOrderRecord } from '../src/simulator/ledger.js';
import { chunked, simStatementDay, syntheticStatement, type SimStatementEncoding } from '../src/simulator/statements.js';
import { checkStatementSummary, parseStatement, type LianlianStatementEntry, type StatementLayout } from '../src/statements/index.js';
import { demoStatement } from '../src/testing.js';

const PARTNER = '201408071000001543';
const DAY = '20240101';

function order(i: number, amountMinor: number, feeMinor: number, extra: Partial<SimOrderRecord> = {}): SimOrderRecord {
  return {
    orderId: `ORD${i}`, oidPartner: PARTNER, dtOrder: '20240101093000', amountMinor, busiPartner: '109001', nameGoods: '羽毛球',
    infoOrder: `用户购买了${i}桶羽毛球`, userId: `u${i}`, notifyUrl: 'http://127.0.0.1/notify', createdAt: new Date('2024-01-01T01:30:00Z'),
    status: 'SUCCESS', oidPaybill: `2024010100000${String(i).padStart(3, '0')}`, settleDate: DAY, paidAt: new Date('2024-01-01T01:31:00Z'),
    payType: '2', bankCode: '01020000', feeMinor, refunds: [], ...extra,
  };
}

// A day's ledger: two paid orders, one fully refunded the same day, one settled the next day,
// one failed and one waiting (neither appears in a statement: spec 5.2).
const LEDGER: SimOrderRecord[] = [
  order(1, 21097, 105),
  order(2, 4965, 25, { status: 'REFUND', payType: '3', refunds: [{ refundId: 'RF2', amountMinor: 4965, feeMinor: 25, at: new Date('2024-01-01T05:00:00Z'), settleDate: DAY }] }),
  order(3, 100, 1, { settleDate: '20240102' }),
  order(4, 777, 0, { status: 'FAILURE' }),
  order(5, 888, 0, { status: 'WAITING', settleDate: undefined, paidAt: undefined }),
  order(6, 1, 0, { payType: '1' }),
];

async function collect(f: StatementFile): Promise<PayResult<LianlianStatementEntry>[]> {
  const out: PayResult<LianlianStatementEntry>[] = [];
  for await (const r of parseStatement(f)) out.push(r);
  return out;
}

function bytesOf(layout: StatementLayout, encoding: SimStatementEncoding) {
  return simStatementDay(LEDGER, { partnerId: PARTNER, settleDate: DAY, layout, encoding })._unsafeUnwrap();
}

describe('LianLian statement files from the simulator', () => {
  for (const layout of ['comma', 'pipe'] as const) {
    for (const encoding of ['UTF-8', 'GBK'] as const) {
      context(`when the day is written in the ${layout} layout, ${encoding}`, () => {
        it('parses back to the ledger: paid orders and the refund, in fen, nothing else', async () => {
          const day = bytesOf(layout, encoding);
          expect(day.transactions.name).to.equal(`JYMX_${PARTNER}_${DAY}.txt`);
          const entries = (await collect({ name: day.transactions.name, content: chunked(day.transactions.bytes, 7) })).map((r) => r._unsafeUnwrap());
          expect(entries.map((e) => [e.kind, e.orderId, e.amount.amount, e.fee?.amount, e.settleDate])).to.deep.equal([
            ['payment', 'ORD1', 21097, 105, DAY],
            ['payment', 'ORD2', 4965, 25, DAY],
            ['refund', 'ORD2', -4965, -25, DAY],
            ['payment', 'ORD6', 1, 0, DAY],
          ]);
          expect(entries.every((e) => e.layout === layout && e.partnerId === PARTNER)).to.equal(true);
          expect(entries[0]?.description).to.equal('用户购买了1桶羽毛球');
          expect(entries[0]?.providerTransactionId).to.equal('2024010100000001');
          expect(entries[2]?.refundId).to.equal('RF2');
          expect(entries[0]?.occurredAt?.toISOString()).to.equal('2024-01-01T01:30:00.000Z');
          const methods = layout === 'comma' ? ['储蓄卡快捷支付', '信用卡快捷支付', '信用卡快捷支付', '储蓄卡网银支付'] : ['快捷支付(借记卡)', '快捷支付(信用卡)', '快捷支付(信用卡)', '网银支付(借记卡)'];
          expect(entries.map((e) => e.method)).to.deep.equal(methods);
        });

        it('writes a summary that agrees with the details', async () => {
          const day = bytesOf(layout, encoding);
          const r = await checkStatementSummary({ name: day.summary.name, content: chunked(day.summary.bytes, 3) },
            parseStatement({ name: day.transactions.name, content: chunked(day.transactions.bytes, 64) }));
          const check = r._unsafeUnwrap();
          expect(check.summary).to.deep.include({ totalCount: 4, successCount: 3, refundCount: 1 });
          // 210.97 + 49.65 + 0.01 = 260.63
          expect(check.summary.successAmount.amount).to.equal(21097 + 4965 + 1);
          expect(check.summary.refundAmount.amount).to.equal(-4965);
          expect(check.discrepancies).to.deep.equal([]);
        });
      });
    }
  }

  context('when the GBK file is declared UTF-8', () => {
    it('is a Decode error, not mojibake', async () => {
      const day = bytesOf('comma', 'GBK');
      const out: PayResult<LianlianStatementEntry>[] = [];
      for await (const r of parseStatement({ name: day.transactions.name, content: chunked(day.transactions.bytes, 5) }, { encoding: 'UTF-8' })) out.push(r);
      expect(out.map((r) => r.isErr() && r.error.kind)).to.deep.equal(['Decode', 'Decode', 'Decode', 'Decode']);
    });
  });

  context('when the summary is changed', () => {
    it('reports the differences', async () => {
      const day = bytesOf('pipe', 'UTF-8');
      const r = await checkStatementSummary({ name: day.summary.name, content: chunked(Buffer.from('4|3|260.64|1|-49.65|0|0'), 100) },
        parseStatement({ name: day.transactions.name, content: chunked(day.transactions.bytes, 100) }));
      expect(r._unsafeUnwrap().discrepancies).to.deep.equal([{ field: 'successAmount', expected: '260.64', actual: '260.63' }]);
    });
  });

  context('when the file is cut into chunks at any byte offset', () => {
    for (const encoding of ['GBK', 'UTF-8'] as const) {
      it(`parses ${encoding} the same as in one chunk, wherever the cuts fall`, async () => {
        const day = bytesOf('comma', encoding);
        const bytes = day.transactions.bytes;
        const whole = JSON.stringify(await collect({ name: day.transactions.name, content: chunked(bytes, bytes.length) }));
        // Every single cut position…
        for (let cut = 0; cut <= bytes.length; cut += 1) {
          async function* two(): AsyncGenerator<Uint8Array> {
            yield bytes.subarray(0, cut);
            yield bytes.subarray(cut);
          }
          expect(JSON.stringify(await collect({ name: day.transactions.name, content: two() })), `cut at ${cut}`).to.equal(whole);
        }
        // …and arbitrary sets of cuts.
        await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), async (cuts) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          async function* pieces(): AsyncGenerator<Uint8Array> {
            let at = 0;
            for (const c of sorted) {
              yield bytes.subarray(at, c);
              at = c;
            }
            yield bytes.subarray(at);
          }
          return JSON.stringify(await collect({ name: day.transactions.name, content: pieces() })) === whole;
        }), { numRuns: 200 });
      });
    }
  });

  context('when the demo asks for a statement', () => {
    it('produces the day from the records and parses it back without discrepancies', async () => {
      const r = (await demoStatement(LEDGER, { settleDate: DAY }))._unsafeUnwrap();
      expect(r.fileName).to.equal(`JYMX_${PARTNER}_${DAY}.txt`);
      expect(r.entries.map((e) => e.amount.amount)).to.deep.equal([21097, 4965, -4965, 1]);
      expect(r.discrepancies).to.deep.equal([]);
      expect(r.text).to.contain('储蓄卡快捷支付');
    });

    it('says what to do when nothing was settled', async () => {
      expect((await demoStatement([order(9, 1, 0, { status: 'WAITING', settleDate: undefined })]))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
    });
  });
});

describe('LianLian statement parsing at volume', () => {
  context('when a 1,000,000-line file is streamed through the parser', () => {
    it('parses every line with exact totals while the heap stays bounded', async function () {
      this.timeout(300_000);
      // A real gc() even when mocha runs without --expose-gc, so "retained" means retained.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const N = 1_000_000;
      gc();
      const before = process.memoryUsage().heapUsed;
      // Live heap mid-stream: collected every 100,000 lines, so garbage (which V8 lets pile up
      // differently depending on what ran before in this process) does not count.
      let liveMax = before;
      let count = 0;
      let errors = 0;
      let sum = 0n;
      let fees = 0n;
      for await (const r of parseStatement(syntheticStatement({ lines: N, layout: 'pipe', encoding: 'GBK' }))) {
        if (r.isErr()) errors += 1;
        else {
          count += 1;
          sum += BigInt(r.value.amount.amount);
          fees += BigInt(r.value.fee?.amount ?? 0);
        }
        if (count % 100_000 === 0) {
          gc();
          liveMax = Math.max(liveMax, process.memoryUsage().heapUsed);
        }
      }
      gc();
      const after = process.memoryUsage().heapUsed;
      // Independent expectation: line i has magnitude 100 + (i mod 100000) fen and fee i mod 50,
      // negative when i mod 10 = 9 (the generator's documented rule).
      let expected = 0n;
      let expectedFees = 0n;
      for (let i = 0; i < N; i += 1) {
        const sign = i % 10 === 9 ? -1n : 1n;
        expected += sign * BigInt(100 + (i % 100000));
        expectedFees += sign * BigInt(i % 50);
      }
      expect(errors).to.equal(0);
      expect(count).to.equal(N);
      expect(sum).to.equal(expected);
      expect(fees).to.equal(expectedFees);
      // The file is ~120 MB; holding it or its entries would take hundreds of MB. Generous bounds
      // (peak memory including garbage is measured in clean child processes by the bench):
      expect(liveMax - before, 'live heap growth while parsing').to.be.below(32 * 1024 * 1024);
      expect(after - before, 'retained heap').to.be.below(32 * 1024 * 1024);
    });
  });
});
