import { createHash, createSign } from 'node:crypto';
import { expect } from 'chai';
import { Tokens, type StatementFile } from '@paykit/core';
import { AllinpayStatements, type BatchQueryPage } from '../src/index.js';
import { simulatorIdentity } from '../src/simulator/index.js';
import { paidOrder, world, type World } from './support.js';
import { trafficDay } from '@paykit/core/simulator';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();

/** A batch reply as spec 3.4 describes it, signed with the simulator's key: base64 of header, details, blank line, signature. */
function batchReply(header: string, details: readonly string[]): string {
  const signed = [header, ...details].map((l) => `${l}\r\n`).join('');
  const signature = createSign('RSA-SHA1').update(md5(signed)).sign(simulatorIdentity().privateKey, 'base64');
  return Buffer.from(`${signed}\r\n${signature}\r\n`, 'utf8').toString('base64');
}

/** A saved batch query page, as a merchant hands it to reconciliation (readable more than once). */
function savedPage(name: string, body: string): StatementFile {
  return { name, content: { async *[Symbol.asyncIterator]() { yield new Uint8Array(Buffer.from(body, 'latin1')); } } };
}

/** No refunds recorded: source() then reads the batch pages only. */
async function* noRefunds(): AsyncGenerator<never> { /* none */ }

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

function statementsOf(w: World): AllinpayStatements {
  const s = w.paykit.extension('app', Tokens.Statements)._unsafeUnwrap();
  if (!(s instanceof AllinpayStatements)) throw new Error('expected the Allinpay statements service');
  return s;
}

describe('Allinpay mobile batch query pages', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });
  const batchCalls = (): number => w.sim.server.received.filter((r) => r.path === '/mchtoq/index.do').length;

  context('when a day has more paid orders than one page holds', () => {
    it('asks for the next page only when the reader wants it', async () => {
      w = await world({}, { pageSize: 2 });
      const day = (await trafficDay()).compact;
      for (const id of ['S-1', 'S-2', 'S-3']) await paidOrder(w, id, 100);
      for await (const page of statementsOf(w).pages({ from: day, to: day })) {
        expect(page._unsafeUnwrap()).to.deep.include({ day, pageNo: 1 });
        break;
      }
      expect(batchCalls()).to.equal(1);
      const pages: BatchQueryPage[] = [];
      for await (const page of statementsOf(w).pages({ from: day, to: day })) pages.push(page._unsafeUnwrap());
      expect(pages.map((p) => [p.pageNo, p.header.hasNext, p.entries.length])).to.deep.equal([[1, 'Y', 2], [2, 'N', 1]]);
      expect(pages.flatMap((p) => p.entries.map((e) => e.orderId)).sort()).to.deep.equal(['S-1', 'S-2', 'S-3']);
    });
  });

  context('when a page cannot be read', () => {
    it('yields the error and stops', async () => {
      w = await world();
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: 'ERRORCODE=ZF10024&ERRORMSG=参数查询开始时间不正确' }));
      const results = [];
      const day = (await trafficDay()).compact;
      for await (const page of statementsOf(w).pages({ from: day, to: day })) results.push(page);
      expect(results.length).to.equal(1);
      expect(results[0]?.isErr() && results[0].error.providerCode).to.equal('ZF10024');
    });
  });

  context('when Allinpay sends the lines of the spec 3.4 example', () => {
    // Spec 3.4, 成功响应报文示例: a 15-digit order time and a date-only pay time.
    const HEADER = '100020091218001|1|1|N';
    const DETAIL = '100020091218001|20130108100811000|NO20130108020644452|201301080000000|100|2013-01-08|100|||1';

    it('reads them without failing the page: amount, Allinpay order id, and the pay date as the settle date', async () => {
      w = await world();
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: batchReply(HEADER, [DETAIL]) }));
      const s = await w.paykit.statements.fetch({ from: '20130108', to: '20130108' });
      if (s.isErr()) throw new Error(s.error.message);
      expect(s.value.entries).to.have.length(1);
      const entry = s.value.entries[0];
      expect(entry).to.deep.include({
        kind: 'payment', orderId: 'NO20130108020644452', providerTransactionId: '20130108100811000',
        amount: { amount: 100, currency: 'CNY' }, settleDate: '20130108', providerStatus: '1',
      });
      // A date alone says nothing of the time: no instant is made up.
      expect(entry?.occurredAt).to.equal(undefined);
    });

    it('reads a pay time written yyyy-MM-dd HH:mm:ss as that instant in China time', async () => {
      w = await world();
      const line = DETAIL.replace('2013-01-08', '2013-01-08 10:08:11');
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: batchReply(HEADER, [line]) }));
      const s = await w.paykit.statements.fetch({ from: '20130108', to: '20130108' });
      expect(s._unsafeUnwrap().entries[0]?.occurredAt?.toISOString()).to.equal('2013-01-08T02:08:11.000Z');
    });
  });

  context('when a page lists an order that was not paid (处理结果 0)', () => {
    // Spec 3.4: the batch query lists paid orders only; its last field, 处理结果, is 1 (paid) or 0 (not paid).
    const HEADER = '100020091218001|2|1|N';
    const PAID = '100020091218001|20130108100811000|NO20130108020644452|201301080000000|100|2013-01-08|100|||1';
    const UNPAID = '100020091218001|20130108100811001|NO20130108020644453|201301080000000|250|2013-01-08|250|||0';
    const unpaidDifference = (where: string, actual = '0') => ({
      field: `处理结果 of order NO20130108020644453 (batch query ${where})`, expected: '1 (the batch query lists paid orders only)', actual,
    });
    const day = { from: '20130108', to: '20130108' };

    it('gives pages() the paid line as the only entry and the unpaid line as a difference', async () => {
      w = await world();
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: batchReply(HEADER, [PAID, UNPAID]) }));
      const pages = (await collect(statementsOf(w).pages(day))).map((p) => p._unsafeUnwrap());
      expect(pages).to.have.length(1);
      expect(pages[0]?.entries.map((e) => [e.kind, e.orderId, e.amount.amount])).to.deep.equal([['payment', 'NO20130108020644452', 100]]);
      expect(pages[0]?.discrepancies).to.deep.equal([unpaidDifference('20130108 page 1')]);
    });

    it('leaves the line out of fetch()\'s entries and lists it in the statement\'s differences', async () => {
      w = await world();
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: batchReply(HEADER, [PAID, UNPAID]) }));
      const s = (await w.paykit.statements.fetch(day))._unsafeUnwrap();
      expect(s.entries.map((e) => e.orderId)).to.deep.equal(['NO20130108020644452']);
      expect(s.discrepancies).to.deep.equal([unpaidDifference('20130108 page 1')]);
    });

    it('treats a 处理结果 the spec does not define (2) like 0: no entry, a difference, the page still read', async () => {
      w = await world();
      w.sim.server.route('POST', '/mchtoq/index.do', () => ({ body: batchReply(HEADER, [PAID, UNPAID.replace(/\|0$/, '|2')]) }));
      const s = (await w.paykit.statements.fetch(day))._unsafeUnwrap();
      expect(s.entries.map((e) => e.orderId)).to.deep.equal(['NO20130108020644452']);
      expect(s.discrepancies).to.deep.equal([unpaidDifference('20130108 page 1', '2')]);
    });

    it('does the same for a saved page given to source(), and parse() yields the paid line only', async () => {
      w = await world();
      const file = savedPage('allinpay-20130108-1.txt', batchReply(HEADER, [PAID, UNPAID]));
      const source = statementsOf(w).source({ range: day, files: [file], refunds: noRefunds })._unsafeUnwrap();
      const entries = (await collect(source.batches)).flat().map((r) => r._unsafeUnwrap());
      expect(entries.map((e) => [e.kind, e.orderId, e.amount.amount, e.source])).to.deep.equal([['payment', 'NO20130108020644452', 100, 'allinpay-20130108-1.txt']]);
      expect((await source.checks())._unsafeUnwrap()).to.deep.equal([
        { source: 'allinpay-20130108-1.txt', differences: [unpaidDifference('allinpay-20130108-1.txt')] },
      ]);
      const parsed = (await collect(statementsOf(w).parse(file))).map((r) => r._unsafeUnwrap().orderId);
      expect(parsed).to.deep.equal(['NO20130108020644452']);
    });
  });

  context('when a saved page\'s header states more lines than it holds', () => {
    it('reports the count in source()\'s checks, as for a fetched page', async () => {
      w = await world();
      const line = '100020091218001|20130108100811000|NO20130108020644452|201301080000000|100|2013-01-08|100|||1';
      const file = savedPage('allinpay-20130108-1.txt', batchReply('100020091218001|3|1|N', [line]));
      const source = statementsOf(w).source({ range: { from: '20130108', to: '20130108' }, files: [file], refunds: noRefunds })._unsafeUnwrap();
      expect((await collect(source.batches)).flat()).to.have.length(1);
      expect((await source.checks())._unsafeUnwrap()).to.deep.equal([
        { source: 'allinpay-20130108-1.txt', differences: [{ field: 'count allinpay-20130108-1.txt', expected: '3', actual: '1' }] },
      ]);
    });
  });
});
