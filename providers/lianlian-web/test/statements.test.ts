import { expect } from 'chai';
import iconv from 'iconv-lite';
import type { PayResult, StatementFile } from '@paykit/core';
import {
  checkStatementSummary, LianlianWebStatements, parseStatement, parseStatementBatches, readStatementSummary, statementFileKind, type LianlianStatementEntry,
  type StatementParseOptions,
} from '../src/statements/index.js';

const PARTNER = '201403251000001147';
const DAILY = `JYMX_${PARTNER}_20140528.txt`;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function file(name: string, text: string, encoding: 'utf8' | 'gbk' = 'utf8'): StatementFile {
  return { name, content: once(encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gbk')) };
}

async function collect(f: StatementFile, o?: StatementParseOptions): Promise<PayResult<LianlianStatementEntry>[]> {
  const out: PayResult<LianlianStatementEntry>[] = [];
  for await (const r of parseStatement(f, o)) out.push(r);
  return out;
}

// The three example lines of spec 5.2 (repeated in 5.4), with the OCR noise of the spec text
// removed: the stray ″ after the second order number, the spaces inside the 16-digit oid_paybill
// ("20140528 46671792") and inside the fees ("0. 5"), and the empty column (", , ") that the
// second line gained before dt_update. The ", " separators are kept: fields are trimmed.
const SPEC_LINES = [
  '201405287094797, 201403251000001147, 20140528 16:35:56, 101001, 2014052846671792, 20140528, 100, 0, 0, 20140528 16:35:56, 0.5, 手机应用支付网关, 储蓄卡快捷支付, 彩票连连支付充值',
  '201405287094244, 201403251000001147, 20140528 16:32:53, 101001, 2014052846671022, 20140528, 15, 0, 0, 20140528 16:32:53, 0.1, 手机应用支付网关, 信用卡快捷支付, 彩票连连支付充值',
  '201405287094894, 201403251000001147, 20140528 16:36:35, 101001, 2014052846671934, 20140528, 100, 0, 0, 20140528 16:36:35, 0.5, 手机应用支付网关, 储蓄卡快捷支付, 彩票连连支付充值',
];
// The second example line exactly as the spec text prints it.
const SPEC_LINE_2_RAW = '201405287094244″, 201403251000001147, 20140528 16:32:53, 101001, 2014052 846671022, 20140528, 15, 0, 0, , 20140528 16:32:53, 0. 1, 手机应用支付网关, 信用卡快捷支付, 彩票连连支付充值';

describe('LianLian statement parsing', () => {
  context('when given the example lines of spec 5.2', () => {
    it('parses each line exactly, in minor units and China Standard Time', async () => {
      const results = await collect(file(DAILY, SPEC_LINES.join('\n')));
      expect(results.map((r) => r.isOk())).to.deep.equal([true, true, true]);
      const [first, second] = results.map((r) => r._unsafeUnwrap());
      expect(first).to.deep.include({
        kind: 'payment', orderId: '201405287094797', providerTransactionId: '2014052846671792', settleDate: '20140528',
        amount: { amount: 10000, currency: 'CNY' }, fee: { amount: 50, currency: 'CNY' }, providerStatus: '0',
        product: '手机应用支付网关', method: '储蓄卡快捷支付', description: '彩票连连支付充值',
        line: 1, layout: 'comma', partnerId: PARTNER, busiPartner: '101001', direction: 'in',
      });
      expect(first?.occurredAt?.toISOString()).to.equal('2014-05-28T08:35:56.000Z');
      expect(first?.updatedAt?.toISOString()).to.equal('2014-05-28T08:35:56.000Z');
      expect(second).to.deep.include({ amount: { amount: 1500, currency: 'CNY' }, fee: { amount: 10, currency: 'CNY' }, method: '信用卡快捷支付', line: 2 });
    });

    it('rejects the second line as printed (OCR noise) with a typed error naming line and column', async () => {
      const [r] = await collect(file(DAILY, SPEC_LINE_2_RAW));
      const e = r?._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'Decode' });
      expect(e?.path).to.match(/^line 1\./);
    });
  });

  context('when a line is a refund (spec 5.2 note 3)', () => {
    const refund = `R20140529001,${PARTNER},20140529 10:00:00,101001,201405287094797,20140529,-100,0,5,20140529 10:00:01,-0.5,手机应用支付网关,储蓄卡快捷支付,退款`;

    it('keeps the negative amount and fee, and links the refund to the original order', async () => {
      const [r] = await collect(file(DAILY, refund));
      expect(r?._unsafeUnwrap()).to.deep.include({
        kind: 'refund', orderId: '201405287094797', refundId: 'R20140529001', amount: { amount: -10000, currency: 'CNY' },
        fee: { amount: -50, currency: 'CNY' }, providerStatus: '5',
      });
      expect(r?._unsafeUnwrap()).not.to.have.property('providerTransactionId');
    });

    it('rejects a refund line with a positive amount', async () => {
      const [r] = await collect(file(DAILY, refund.replace(',-100,', ',100,')));
      expect(r?._unsafeUnwrapErr()).to.include({ kind: 'Decode', path: 'line 1.money_order' });
    });
  });

  context('when lines are malformed', () => {
    it('gives a typed error with the line number for each bad line and parses the good ones', async () => {
      const good = SPEC_LINES[0] as string;
      const lines = [
        good,
        good.replace(', 100,', ', 1.005,'), // three decimals
        good.replace(', 0, 0,', ', 0, 7,'), // unknown status
        good.replace('201403251000001147', '2014'), // short merchant number
        good.replace('20140528 16:35:56', '20140230 16:35:56'), // impossible date
        '1,2,3', // too few columns
        good.replace(', 0, 0,', ', 2, 0,'), // bad flag
        good.replace(', 20140528, 100', ', 2014-05-28, 100'), // settle date format
        good,
      ];
      const results = await collect(file(DAILY, `${lines.join('\r\n')}\r\n`));
      expect(results).to.have.length(9);
      expect(results.map((r) => (r.isOk() ? 'ok' : r.error.path))).to.deep.equal([
        'ok', 'line 2.money_order', 'line 3.status', 'line 4.oid_partner', 'line 5.dt_order', 'line 6', 'line 7.flag', 'line 8.settle_date', 'ok',
      ]);
      for (const r of results) if (r.isErr()) expect(r.error.kind).to.equal('Decode');
      expect(results[8]?._unsafeUnwrap().line).to.equal(9);
    });

    it('rejects an empty merchant number or business type even on the first line', async () => {
      const good = SPEC_LINES[0] as string;
      const results = await collect(file(DAILY, [good.replace('201403251000001147', ''), good.replace(', 101001,', ', ,')].join('\n')));
      expect(results.map((r) => (r.isOk() ? 'ok' : r.error.path))).to.deep.equal(['line 1.oid_partner', 'line 2.busi_partner']);
    });

    it('never echoes the order description in an error', async () => {
      const line = (SPEC_LINES[0] as string).replace(', 100,', ', abc,').replace('彩票连连支付充值', 'SECRET-NOTE');
      const [r] = await collect(file(DAILY, line));
      expect(r?._unsafeUnwrapErr().message).not.to.contain('SECRET-NOTE');
    });

    it('reports an over-long line as an error and carries on', async () => {
      const results = await collect(file(DAILY, `${'x'.repeat(70_000)}\n${SPEC_LINES[0]}`));
      expect(results.map((r) => (r.isOk() ? 'ok' : r.error.path))).to.deep.equal(['line 1', 'ok']);
    });

    it('reports an over-long line split over many chunks without holding it, then carries on', async () => {
      const bytes = Buffer.from(`${'x'.repeat(70_000)}\n${SPEC_LINES[0]}\n${'y'.repeat(70_000)}`);
      async function* small(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
      }
      const results = await collect({ name: DAILY, content: small() });
      expect(results.map((r) => (r.isOk() ? r.value.line : r.error.path))).to.deep.equal(['line 1', 2, 'line 3']);
    });

    it('refuses a line of another merchant than the file name\'s, in both layouts and both readers', async () => {
      const other = '201304121000001004';
      const comma = [SPEC_LINES[0], (SPEC_LINES[1] as string).replace(PARTNER, other), SPEC_LINES[2]].join('\n');
      const pipeLine = (partner: string): string => `P1|${partner}|20140528120000|101001|2014052800000001|20140528|CNY|10.00|CNY|10.00|CNY|10.00|1.0000|0|20140528120001|0.05|WEB支付网关|2|羽毛球`;
      for (const reader of ['bytes', 'text'] as const) {
        const results = await collect(file(DAILY, comma), { reader });
        expect(results.map((r) => (r.isOk() ? 'ok' : r.error.path)), reader).to.deep.equal(['ok', 'line 2.oid_partner', 'ok']);
        const e = results[1]?._unsafeUnwrapErr();
        expect(e?.kind).to.equal('Decode');
        // Both merchant numbers, readable: neither could be a card number (not 62…, no Luhn check).
        expect(e?.message).to.include(other).and.to.include(PARTNER);
        const pipe = await collect(file(DAILY, [pipeLine(PARTNER), pipeLine(other)].join('\n'), 'gbk'), { reader });
        expect(pipe.map((r) => (r.isOk() ? 'ok' : r.error.path)), reader).to.deep.equal(['ok', 'line 2.oid_partner']);
      }
    });

    it('refuses a negative amount on a success line (status 0), money in or out; only refunds are negative', async () => {
      const good = SPEC_LINES[0] as string;
      const lines = [good.replace(', 100,', ', -100,'), good.replace(', 100, 0, 0,', ', -100, 1, 0,'), good.replace(', 100,', ', 0,')];
      const results = await collect(file(DAILY, lines.join('\n')));
      expect(results.map((r) => (r.isOk() ? 'ok' : r.error.path))).to.deep.equal(['line 1.money_order', 'line 2.money_order', 'ok']);
      expect(results[0]?._unsafeUnwrapErr()).to.include({ kind: 'Decode' });
      const payouts = await collect(file(`FKMX_${PARTNER}_20140528.txt`, `W1,${PARTNER},20140528 09:00:00,201001,W1P,20140528,-500,1,0,20140528 09:00:05,1,API渠道,余额支付,提现`));
      expect(payouts.map((r) => (r.isOk() ? 'ok' : r.error.path))).to.deep.equal(['line 1.money_order']);
    });

    it('skips blank lines and a header line', async () => {
      const results = await collect(file(DAILY, `商户订单号,商户号,…\n\n${SPEC_LINES[0]}\n\n`));
      expect(results.map((r) => r._unsafeUnwrap().line)).to.deep.equal([3]);
    });
  });

  context('when the file is in the pipe layout (specs/README.md)', () => {
    it('reads the 19 columns, with currencies, paid and settled amounts and pay_type', async () => {
      const line = `201405287094797|${PARTNER}|20140528163556|109001|2014052846671792|20140528|CNY|49.65|CNY|49.65|CNY|49.15|1.0000|0|20140528163600|0.50|WEB支付网关|3|衣服,两件|x`;
      const [r] = await collect(file(DAILY, line));
      expect(r?._unsafeUnwrap()).to.deep.include({
        kind: 'payment', layout: 'pipe', amount: { amount: 4965, currency: 'CNY' }, paidAmount: { amount: 4965, currency: 'CNY' },
        settledAmount: { amount: 4915, currency: 'CNY' }, fee: { amount: 50, currency: 'CNY' }, exchangeRate: '1.0000',
        method: '快捷支付(信用卡)', product: 'WEB支付网关', description: '衣服,两件|x', busiPartner: '109001',
      });
      expect(r?._unsafeUnwrap().occurredAt?.toISOString()).to.equal('2014-05-28T08:35:56.000Z');
    });

    it('rejects an unknown pay_type and a bad exchange rate', async () => {
      const base = `A1|${PARTNER}|20140528163556|109001|P1|20140528|CNY|1.00|CNY|1.00|CNY|1.00|1.0000|0|20140528163600|0.01|WEB支付网关|3|x`;
      const results = await collect(file(DAILY, [base.replace('|3|x', '|7|x'), base.replace('1.0000', '1e3')].join('\n')));
      expect(results.map((r) => r.isErr() && r.error.path)).to.deep.equal(['line 1.pay_type', 'line 2.exchange_rate']);
    });
  });

  context('when the encoding differs from what is declared', () => {
    const text = SPEC_LINES.join('\n');

    it('returns a Decode error naming the line for a GBK file read as UTF-8, never mojibake', async () => {
      const results = await collect(file(DAILY, text, 'gbk'), { encoding: 'UTF-8' });
      expect(results).to.have.length(3);
      expect(results.map((r) => r.isErr() && r.error.kind)).to.deep.equal(['Decode', 'Decode', 'Decode']);
      expect(results[0]?._unsafeUnwrapErr().message).to.contain('line 1').and.contain('UTF-8');
    });

    it('detects GBK and UTF-8 by strict decoding when none is declared', async () => {
      for (const enc of ['gbk', 'utf8'] as const) {
        const results = await collect(file(DAILY, text, enc));
        expect(results.map((r) => r._unsafeUnwrap().method), enc).to.deep.equal(['储蓄卡快捷支付', '信用卡快捷支付', '储蓄卡快捷支付']);
      }
    });

    it('reads a declared GBK file', async () => {
      const results = await collect(file(DAILY, text, 'gbk'), { encoding: 'GBK' });
      expect(results[0]?._unsafeUnwrap().product).to.equal('手机应用支付网关');
    });
  });
});

describe('LianLian statement file names (spec 5.1, 5.3, 5.5)', () => {
  it('classifies daily, monthly and summary files', () => {
    expect(statementFileKind('JYMX_201301221000001001_20130313.txt')._unsafeUnwrap()).to.deep.equal(
      { family: 'transactions', period: 'daily', partnerId: '201301221000001001', from: '20130313', to: '20130313' });
    expect(statementFileKind('/sftp/FKMX_201301221000001001_201302.txt')._unsafeUnwrap()).to.deep.equal(
      { family: 'payouts', period: 'monthly', partnerId: '201301221000001001', from: '20130201', to: '20130228' });
    expect(statementFileKind('JYMXSUM_201301221000001001_20130313.txt')._unsafeUnwrap()).to.include({ family: 'summary', period: 'daily' });
  });

  it('rejects other names and impossible dates', () => {
    for (const name of ['JYMX 201301221000001001 20130313.txt', 'JYMX_2013_20130313.txt', 'JYMXSUM_201301221000001001_201303.txt', 'JYMX_201301221000001001_20130230.txt', 'x.csv']) {
      expect(statementFileKind(name).isErr(), name).to.equal(true);
    }
  });

  it('makes parse yield one InvalidRequest for a summary or unknown file', async () => {
    for (const name of [`JYMXSUM_${PARTNER}_20140528.txt`, 'report.txt']) {
      const results = await collect(file(name, '8|8|551.23|0|0|0|0'));
      expect(results.map((r) => r.isErr() && r.error.kind)).to.deep.equal(['InvalidRequest']);
    }
  });
});

describe('LianLian summary check (spec 5.6)', () => {
  const SUM = `JYMXSUM_${PARTNER}_20140528.txt`;
  const refund = `R1,${PARTNER},20140528 17:00:00,101001,201405287094797,20140528,-20.5,0,5,20140528 17:00:00,-0.1,WEB支付网关,储蓄卡快捷支付,退款`;
  const details = (): StatementFile => file(DAILY, [...SPEC_LINES, refund].join('\n'));

  it('reads the spec example totals', async () => {
    const s = (await readStatementSummary(file(SUM, '8|8|551.23|0|0|0|0')))._unsafeUnwrap();
    expect(s).to.deep.include({ settleDate: '20140528', totalCount: 8, successCount: 8, successAmount: { amount: 55123, currency: 'CNY' }, refundCount: 0 });
  });

  it('reports no discrepancy when the summary matches the lines', async () => {
    const r = await checkStatementSummary(file(SUM, '4|3|215|1|-20.50|0|0\r\n'), parseStatement(details()));
    const check = r._unsafeUnwrap();
    expect(check.discrepancies).to.deep.equal([]);
    expect(check.totals.success).to.deep.equal({ count: 3, amount: 21500n, fee: 110n });
    expect(check.totals.refund).to.deep.equal({ count: 1, amount: -2050n, fee: -10n });
  });

  it('reports every differing figure', async () => {
    const r = await checkStatementSummary(file(SUM, '6|4|216.01|1|-20.5|1|-3'), parseStatement(details()));
    expect(r._unsafeUnwrap().discrepancies).to.deep.equal([
      { field: 'totalCount', expected: '6', actual: '4' },
      { field: 'successCount', expected: '4', actual: '3' },
      { field: 'successAmount', expected: '216.01', actual: '215.00' },
      { field: 'cancelCount', expected: '1', actual: '0' },
      { field: 'cancelAmount', expected: '-3.00', actual: '0.00' },
    ]);
  });

  it('counts bad lines and lines of other settlement days as discrepancies', async () => {
    const lines = [SPEC_LINES[0], 'garbage', (SPEC_LINES[1] as string).replace(', 20140528, 15', ', 20140527, 15')].join('\n');
    const r = await checkStatementSummary(file(SUM, '2|2|115|0|0|0|0'), parseStatement(file(DAILY, lines)));
    const d = r._unsafeUnwrap().discrepancies;
    expect(d).to.deep.include({ field: 'lineErrors', expected: '0', actual: '1' });
    expect(d).to.deep.include({ field: 'settleDate', expected: '20140528', actual: '20140527 (1 lines)' });
  });

  it('counts money-out lines of the JYMX file (flag 1: settlements, withdrawals) as success lines, and keeps their totals apart by kind', async () => {
    const out = `S1,${PARTNER},20140528 18:00:00,201001,S1P,20140528,12.5,1,0,20140528 18:00:05,0,API渠道,余额支付,结算`;
    const r = await checkStatementSummary(file(SUM, '5|4|227.50|1|-20.50|0|0'), parseStatement(file(DAILY, [...SPEC_LINES, refund, out].join('\n'))));
    const check = r._unsafeUnwrap();
    expect(check.discrepancies).to.deep.equal([]);
    expect(check.totals.byKind.payout).to.deep.equal({ count: 1, amount: 1250n, fee: 0n });
    expect(check.totals.byKind.payment).to.deep.equal({ count: 3, amount: 21500n, fee: 110n });
  });

  it('rejects malformed summary files with typed errors', async () => {
    const bad = ['8|8|551.23|0|0|0', '8|8|551.234|0|0|0|0', '8|8|551.23|0|5|0|0', 'a|8|551.23|0|0|0|0', '', '1|1|1|0|0|0|0\n1|1|1|0|0|0|0'];
    for (const text of bad) {
      const r = await readStatementSummary(file(SUM, text));
      expect(r.isErr() && r.error.kind, JSON.stringify(text)).to.equal('Decode');
    }
    expect((await readStatementSummary(file(DAILY, '1|1|1|0|0|0|0')))._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
  });
});

describe('LianlianWebStatements', () => {
  it('parses through the capability and refuses fetch with a message pointing at SFTP', async () => {
    const svc = new LianlianWebStatements();
    const out: PayResult<unknown>[] = [];
    for await (const r of svc.parse(file(DAILY, SPEC_LINES[0] as string))) out.push(r);
    expect(out.map((r) => r.isOk())).to.deep.equal([true]);
    const e = (await svc.fetch({ from: '20140528', to: '20140528' }))._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'Unsupported', providerId: 'lianlian-web' });
    expect(e.message).to.contain('SFTP');
  });
});

describe('LianLian payout and monthly files (spec 5.1, 5.3, 5.4)', () => {
  const payout = (day: string, no: string, amount: string) =>
    `${no},${PARTNER},${day} 09:00:00,201001,${no}P,${day},${amount},1,0,${day} 09:00:05,1,API渠道,余额支付,提现`;

  context('when an FKMX file is parsed', () => {
    it('reads its lines as payouts (money out) with their fees', async () => {
      const results = await collect(file(`FKMX_${PARTNER}_20140528.txt`, `${payout('20140528', 'W1', '500')}\n`));
      expect(results.map((r) => r._unsafeUnwrap())).to.have.length(1);
      expect(results[0]?._unsafeUnwrap()).to.deep.include({
        kind: 'payout', direction: 'out', orderId: 'W1', amount: { amount: 50000, currency: 'CNY' }, fee: { amount: 100, currency: 'CNY' },
        settleDate: '20140528', product: 'API渠道', method: '余额支付', busiPartner: '201001',
      });
    });
  });

  context('when a JYMX line says money went out (flag 1, a settlement or withdrawal, spec 5.2)', () => {
    it('is a payout even in a transaction file', async () => {
      const [r] = await collect(file(DAILY, payout('20140528', 'S1', '12.5')));
      expect(r?._unsafeUnwrap()).to.deep.include({ kind: 'payout', direction: 'out', amount: { amount: 1250, currency: 'CNY' } });
    });
  });

  context('when a monthly file is parsed', () => {
    it('reads lines of every settlement day of the month, each with its own settle date', async () => {
      const monthly = `JYMX_${PARTNER}_201405.txt`;
      const lines = [(SPEC_LINES[0] as string).replace(/20140528/g, '20140501'), SPEC_LINES[1], (SPEC_LINES[2] as string).replace(/20140528/g, '20140531')];
      const results = (await collect(file(monthly, lines.join('\r\n')))).map((r) => r._unsafeUnwrap());
      expect(results.map((e) => [e.settleDate, e.amount.amount, e.fee?.amount])).to.deep.equal([['20140501', 10000, 50], ['20140528', 1500, 10], ['20140531', 10000, 50]]);
      expect(statementFileKind(monthly)._unsafeUnwrap()).to.include({ period: 'monthly', from: '20140501', to: '20140531' });
    });
  });

  context('when a daily file carries the .csv suffix (spec revision 1.9)', () => {
    it('is read like the .txt one; a monthly .csv name is refused', async () => {
      const results = await collect(file(`JYMX_${PARTNER}_20140528.csv`, SPEC_LINES.join('\n')));
      expect(results.map((r) => r.isOk())).to.deep.equal([true, true, true]);
      expect(statementFileKind(`JYMXSUM_${PARTNER}_20140528.csv`)._unsafeUnwrap()).to.include({ family: 'summary', period: 'daily' });
      expect(statementFileKind(`JYMX_${PARTNER}_201405.csv`)._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
    });
  });
});

describe('parseStatementBatches', () => {
  context('when a file with good and bad lines arrives in small chunks', () => {
    it('gives the same results as parseStatement, in order, a chunk at a time', async () => {
      const text = `${[...SPEC_LINES, 'garbage', SPEC_LINES[0]].join('\r\n')}\r\n`;
      const bytes = iconv.encode(text, 'gbk');
      async function* pieces(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < bytes.length; at += 97) yield bytes.subarray(at, at + 97);
      }
      const batches: PayResult<LianlianStatementEntry>[][] = [];
      for await (const b of parseStatementBatches({ name: DAILY, content: pieces() })) batches.push(b);
      const each = await collect({ name: DAILY, content: pieces() });
      expect(batches.length).to.be.greaterThan(1);
      expect(JSON.stringify(batches.flat())).to.equal(JSON.stringify(each));
      expect(batches.flat().map((r) => (r.isOk() ? r.value.line : r.error.path))).to.deep.equal([1, 2, 3, 'line 4', 5]);
    });
  });
});
