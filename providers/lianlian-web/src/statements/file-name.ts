// Reconciliation file names (spec 5.1, 5.3, 5.5):
//   JYMX_<oid_partner>_<YYYYMMDD>.txt     daily transaction details
//   FKMX_<oid_partner>_<YYYYMMDD>.txt     daily payout details
//   JYMX_<oid_partner>_<YYYYMM>.txt       monthly transaction details
//   FKMX_<oid_partner>_<YYYYMM>.txt       monthly payout details
//   JYMXSUM_<oid_partner>_<YYYYMMDD>.txt  daily summary
// Revision 1.9 of the spec (2014-05-29) changed the daily files' suffix to .csv: daily names are
// accepted with either suffix, monthly ones with .txt.
import { err, ok } from 'neverthrow';
import { parseCst, PaymentErrors, type PayResult } from '@paykit/core';

/** What a reconciliation file holds: transaction details, payout details or the summary. */
export type StatementFileFamily = 'transactions' | 'payouts' | 'summary';

/** The period a file covers. */
export type StatementPeriod = 'daily' | 'monthly';

/** What a file name says about its content. */
export interface StatementFileKind {
  /** JYMX, FKMX or JYMXSUM. */
  readonly family: StatementFileFamily;
  /** Daily (`YYYYMMDD`, a settlement date) or monthly (`YYYYMM`). */
  readonly period: StatementPeriod;
  /** The merchant number (`oid_partner`, 18 digits). */
  readonly partnerId: string;
  /** First settlement day covered, `YYYYMMDD`. */
  readonly from: string;
  /** Last settlement day covered, `YYYYMMDD`. */
  readonly to: string;
}

const PATTERN = /^(JYMXSUM|JYMX|FKMX)_(\d{18})_(\d{6}|\d{8})\.(txt|csv)$/;

const FAMILY: Readonly<Record<string, StatementFileFamily>> = { JYMX: 'transactions', FKMX: 'payouts', JYMXSUM: 'summary' };

function lastDayOfMonth(yyyymm: string): string {
  const y = Number(yyyymm.slice(0, 4));
  const m = Number(yyyymm.slice(4, 6));
  // Day 0 of the next month is the last day of this one (UTC arithmetic on whole days only).
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${yyyymm}${String(last).padStart(2, '0')}`;
}

/**
 * Classifies a reconciliation file by its name (a path is allowed; only the last segment counts).
 *
 * @example
 * ```ts
 * statementFileKind('JYMX_201301221000001001_20130313.txt')
 * // Ok({ family: 'transactions', period: 'daily', partnerId: '201301221000001001', from: '20130313', to: '20130313' })
 * ```
 */
export function statementFileKind(name: string): PayResult<StatementFileKind> {
  const base = typeof name === 'string' ? name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1) : '';
  const m = PATTERN.exec(base);
  const hint = 'expected JYMX_<oid_partner>_<YYYYMMDD|YYYYMM>.txt, FKMX_<oid_partner>_<YYYYMMDD|YYYYMM>.txt or JYMXSUM_<oid_partner>_<YYYYMMDD>.txt, daily ones also .csv (spec 5.1, 5.3, 5.5, revision 1.9)';
  if (!m) return err(PaymentErrors.invalidRequest(`statement file name "${base.slice(0, 80)}" is not a LianLian reconciliation file: ${hint}`, { path: 'name' }));
  const [, prefix = '', partnerId = '', date = '', suffix = ''] = m;
  const family = FAMILY[prefix] as StatementFileFamily;
  if (family === 'summary' && date.length !== 8) {
    return err(PaymentErrors.invalidRequest(`summary file "${base}" must carry a settlement day YYYYMMDD: ${hint}`, { path: 'name' }));
  }
  if (suffix === 'csv' && date.length !== 8) {
    return err(PaymentErrors.invalidRequest(`monthly file "${base}" must end in .txt (only daily files became .csv, spec revision 1.9): ${hint}`, { path: 'name' }));
  }
  const first = date.length === 8 ? date : `${date}01`;
  if (parseCst(first).isErr()) return err(PaymentErrors.invalidRequest(`statement file name "${base}" has an impossible date ${date}`, { path: 'name' }));
  const period: StatementPeriod = date.length === 8 ? 'daily' : 'monthly';
  return ok({ family, period, partnerId, from: first, to: period === 'daily' ? first : lastDayOfMonth(date) });
}
