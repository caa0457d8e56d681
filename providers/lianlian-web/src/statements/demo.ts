import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult, type StatementDiscrepancy } from '@paykit/core';
import type { SimOrderRecord } from '../simulator/ledger.js';
import { simStatementDay, simStatementFile, type SimStatementEncoding } from '../simulator/statements.js';
import type { LianlianStatementEntry, StatementLayout } from './line.js';
import { parseStatement } from './parser.js';
import { checkStatementSummary } from './summary.js';

/** What {@link demoStatement} shows: the file, what was parsed back, and the summary check. */
export interface DemoStatementResult {
  /** Name of the detail file produced. */
  readonly fileName: string;
  /** The file's text (as decoded for display). */
  readonly text: string;
  /** Parsed entries. */
  readonly entries: readonly LianlianStatementEntry[];
  /** Differences between the summary file and the entries (empty when they agree). */
  readonly discrepancies: readonly StatementDiscrepancy[];
}

/**
 * For the demo: writes a settlement day's JYMX and JYMXSUM files from simulator records, parses
 * the detail file back and checks it against the summary.
 *
 * @example
 * ```ts
 * const r = await demoStatement(sim.ledger.values(), { settleDate: '20240101' });
 * ```
 */
export async function demoStatement(
  records: Iterable<SimOrderRecord>,
  o: { readonly settleDate?: string; readonly layout?: StatementLayout; readonly encoding?: SimStatementEncoding } = {},
): Promise<PayResult<DemoStatementResult>> {
  const list = [...records];
  const first = list.find((r) => r.settleDate !== undefined);
  const settleDate = o.settleDate ?? first?.settleDate;
  if (first === undefined || settleDate === undefined) return err(PaymentErrors.invalidRequest('no settled order in the records: pay an order first', { path: 'records' }));
  const day = simStatementDay(list, { partnerId: first.oidPartner, settleDate, layout: o.layout ?? 'comma', encoding: o.encoding ?? 'GBK' });
  if (day.isErr()) return err(day.error);
  const files = day.value;
  const entries: LianlianStatementEntry[] = [];
  async function* keep(): AsyncGenerator<PayResult<LianlianStatementEntry>> {
    for await (const r of parseStatement(simStatementFile(files.transactions))) {
      if (r.isOk()) entries.push(r.value);
      yield r;
    }
  }
  const check = await checkStatementSummary(simStatementFile(files.summary), keep());
  if (check.isErr()) return err(check.error);
  const text = files.lines.length === 0 ? '' : new TextDecoder(o.encoding === 'UTF-8' ? 'utf-8' : 'gbk').decode(files.transactions.bytes);
  return ok({ fileName: files.transactions.name, text, entries, discrepancies: check.value.discrepancies });
}
