// Statement files for the tests, written with the lianlian-web simulator from ledgers whose
// amounts the tests know, plus temp directories and connection options for the test server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeText, Secret } from '@paykit/core';
import {
  formatSimStatementLine, simStatementDay, syntheticStatement, type SimOrderRecord, type SimStatementEncoding, type SimStatementLine,
} from '@paykit/provider-lianlian-web/testing';
import type { StatementLayout } from '@paykit/provider-lianlian-web';
import type { SftpConnectionOptions } from '../../src/index.js';
import type { TestSftpServer } from './sftp-server.js';

export const PARTNER = '201408071000001543';
export const OTHER_PARTNER = '201403251000001147';

/** A fresh temp directory, removed by {@link removeDir}. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `paykit-sftp-${label}-`));
}

/** Removes a temp directory. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Password login to the test server, host key pinned, short timeouts. */
export function connectionTo(server: TestSftpServer, over: Partial<SftpConnectionOptions> = {}): SftpConnectionOptions {
  return {
    host: '127.0.0.1', port: server.port, username: server.username, password: new Secret(server.password),
    hostKeySha256: server.fingerprint, connectTimeoutMs: 3000, stallTimeoutMs: 1500, ...over,
  };
}

function order(id: string, day: string, amountMinor: number, feeMinor: number, extra: Partial<SimOrderRecord> = {}): SimOrderRecord {
  return {
    orderId: id, oidPartner: PARTNER, dtOrder: `${day}093000`, amountMinor, busiPartner: '109001', nameGoods: '羽毛球',
    infoOrder: `订单${id}：羽毛球两桶`, userId: `u-${id}`, notifyUrl: 'http://127.0.0.1/notify', createdAt: new Date('2024-01-01T01:30:00Z'),
    status: 'SUCCESS', oidPaybill: `2024${id.replace(/\D/g, '').padStart(12, '0')}`, settleDate: day, paidAt: new Date('2024-01-01T01:31:00Z'),
    payType: '2', bankCode: '01020000', feeMinor, refunds: [], ...extra,
  };
}

/** One settlement day as the tests expect it back: entries `[kind, orderId, amount, fee]` and summary figures. */
export interface DayCase {
  readonly day: string;
  readonly layout: StatementLayout;
  readonly encoding: SimStatementEncoding;
  readonly ledger: readonly SimOrderRecord[];
  readonly entries: ReadonlyArray<readonly [string, string, number, number]>;
  readonly summary: { readonly successCount: number; readonly successAmount: number; readonly refundCount: number; readonly refundAmount: number };
  readonly payouts: readonly SimStatementLine[];
}

const refundAt = new Date('2024-01-01T05:00:00Z');

/** 2024-01-01, comma layout, GBK: three payments, one refunded, plus an order settled the next day and a failed one (neither in the file). */
export const GBK_DAY: DayCase = {
  day: '20240101', layout: 'comma', encoding: 'GBK',
  ledger: [
    order('A1', '20240101', 21097, 105),
    order('A2', '20240101', 4965, 25, { status: 'REFUND', refunds: [{ refundId: 'RA2', amountMinor: 4965, feeMinor: 25, at: refundAt, settleDate: '20240101' }] }),
    order('A3', '20240101', 100, 1, { settleDate: '20240102' }),
    order('A4', '20240101', 777, 0, { status: 'FAILURE' }),
    order('A5', '20240101', 1, 0, { payType: '1' }),
  ],
  entries: [['payment', 'A1', 21097, 105], ['payment', 'A2', 4965, 25], ['refund', 'A2', -4965, -25], ['payment', 'A5', 1, 0]],
  // 21097 + 4965 + 1 = 26063 fen in three successes; one refund of 4965.
  summary: { successCount: 3, successAmount: 26063, refundCount: 1, refundAmount: -4965 },
  payouts: [payoutLine('P1', '20240101', 100000, 200), payoutLine('P2', '20240101', 2550, 0)],
};

/** 2024-01-02, pipe layout, UTF-8: two payments, a partial refund of the second. */
export const UTF8_DAY: DayCase = {
  day: '20240102', layout: 'pipe', encoding: 'UTF-8',
  ledger: [
    order('B1', '20240102', 50000, 250),
    order('B2', '20240102', 1234, 6, { status: 'REFUND', refunds: [{ refundId: 'RB2', amountMinor: 234, feeMinor: 1, at: refundAt, settleDate: '20240102' }] }),
  ],
  entries: [['payment', 'B1', 50000, 250], ['payment', 'B2', 1234, 6], ['refund', 'B2', -234, -1]],
  summary: { successCount: 2, successAmount: 51234, refundCount: 1, refundAmount: -234 },
  payouts: [],
};

function payoutLine(id: string, day: string, amountMinor: number, feeMinor: number): SimStatementLine {
  return {
    orderNo: id, partnerId: PARTNER, dtOrder: `${day}100000`, busiPartner: '101001', paybill: `2024${id.replace(/\D/g, '').padStart(12, '0')}`,
    settleDate: day, amountMinor, feeMinor, status: '0', dtUpdate: `${day}100001`, payType: '1', info: `付款${id}`,
  };
}

/** The bytes of a day's files by name: JYMX and JYMXSUM from the simulator, FKMX from the payout lines. */
export function dayFiles(c: DayCase): Map<string, Uint8Array> {
  const day = simStatementDay(c.ledger, { partnerId: PARTNER, settleDate: c.day, layout: c.layout, encoding: c.encoding })._unsafeUnwrap();
  const payouts = encodeText(c.payouts.map((l) => `${formatSimStatementLine(l, c.layout)}\r\n`).join(''), c.encoding)._unsafeUnwrap();
  return new Map([[day.transactions.name, day.transactions.bytes], [day.payouts.name, payouts], [day.summary.name, day.summary.bytes]]);
}

/** Writes files into a directory. */
export function writeFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
}

/** A synthetic JYMX file of `lines` lines (pipe layout, GBK), as bytes: large enough to cut mid-way. */
export async function bigStatement(lines: number, day: string): Promise<{ name: string; bytes: Buffer }> {
  const file = syntheticStatement({ lines, layout: 'pipe', encoding: 'GBK', partnerId: PARTNER, settleDate: day });
  const chunks: Uint8Array[] = [];
  for await (const c of file.content) chunks.push(c);
  return { name: file.name, bytes: Buffer.concat(chunks) };
}
