// The reconciliation report as text (the terminal) and as CSV (a spreadsheet).
import { DISCREPANCY_KINDS, type Discrepancy, type ReconciliationReport } from '@paykit/core';
import { amountText, orderOf, paykitSide, providerSide, repairText, safeText } from './format.js';

/** The report for a terminal: the verdict, the counts and totals, then each discrepancy. */
export function renderReconciliationText(report: ReconciliationReport): string {
  const c = report.counts;
  const out: string[] = [];
  out.push(`Reconciliation of ${report.instance} (${report.providerId}), ${report.period.kind} ${report.period.value}, run ${report.run}: ${report.clean ? 'clean' : `${c.open} open`}`);
  out.push(`  statement: ${safeText(report.sources.join(', ') || 'no source')}`);
  out.push(`  ${c.statementLines} lines${c.outsidePeriod > 0 ? ` (+${c.outsidePeriod} of other days, left out)` : ''}, ${c.recordsInPeriod} paykit records in the period, ${c.matched} matched`);
  out.push(`  ${c.discrepancies} discrepancies: ${c.open} open, ${c.repaired} repaired, ${c.resolved} resolved${report.unlisted > 0 ? ` (${report.unlisted} not listed)` : ''}`);
  const kinds = DISCREPANCY_KINDS.filter((k) => c.byKind[k] > 0).map((k) => `${k} ${c.byKind[k]}`);
  if (kinds.length > 0) out.push(`  by kind: ${kinds.join(', ')}`);
  for (const d of report.days) {
    out.push(`  ${d.day} ${d.currency}: statement ${d.statement.count} lines, amount ${amountText(d.statement.amount, d.currency)}, fees ${amountText(d.statement.fee, d.currency)}, net ${amountText(d.statement.net, d.currency)}; paykit ${d.paykit.count} records, ${amountText(d.paykit.amount, d.currency)}`);
  }
  for (const s of report.selfChecks) out.push(`  ${safeText(s.source)}: ${s.agrees ? 'agrees with the lines' : 'DISAGREES with the lines'}`);
  const ch = report.changes;
  if (ch.previousRun !== undefined) out.push(`  since run ${ch.previousRun}: ${ch.new.length} new, ${ch.reopened.length} reopened, ${(ch.changed ?? []).length} changed, ${ch.unchanged} found again, ${ch.fixed.length} fixed`);
  if (report.discrepancies.length > 0) {
    out.push('');
    for (const d of report.discrepancies) {
      const repair = repairText(d);
      out.push(`${d.state.toUpperCase().padEnd(8)} ${d.kind.padEnd(19)} ${safeText(orderOf(d))}  [${d.id}]${d.change !== 'unchanged' ? ` (${d.change})` : ''}`);
      out.push(`         ${safeText(d.message)}`);
      out.push(`         provider: ${providerSide(d)}; paykit: ${safeText(paykitSide(d))}`);
      if (repair !== '' && repair !== 'repairable') out.push(`         ${repair}`);
      if (d.resolution !== undefined) out.push(`         resolved: ${safeText(d.resolution.note)}`);
      else if (d.state === 'open') out.push(`         what to do: ${safeText(d.action)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The columns of the CSV, in order. */
export const CSV_COLUMNS = [
  'id', 'kind', 'state', 'change', 'day', 'subject_kind', 'subject_id', 'order_id', 'statement_kind', 'statement_amount_minor', 'statement_fee_minor',
  'currency', 'statement_source', 'statement_line', 'paykit_status', 'paykit_amount_minor', 'expected_fee_minor', 'repairable', 'repair', 'message', 'action', 'resolution',
] as const;

/** A CSV cell: quoted when needed, and a text a spreadsheet would run as a formula defused. */
function cell(value: string | number | boolean | undefined, text: boolean): string {
  if (value === undefined) return '';
  let s = typeof value === 'string' ? safeText(value) : String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(d: Discrepancy): string {
  const st = 'statement' in d ? d.statement : undefined;
  const pk = 'paykit' in d ? d.paykit : undefined;
  const values: readonly [string | number | boolean | undefined, boolean][] = [
    [d.id, true], [d.kind, true], [d.state, true], [d.change, true], [d.day, true], [d.subject?.kind, true], [d.subject?.id, true], [orderOf(d), true],
    [st?.kind, true], [st?.amount.amount, false], [st?.fee?.amount, false], [st?.amount.currency ?? pk?.amount.currency, true], [st?.source, true], [st?.line, false],
    [pk?.status, true], [pk?.amount.amount, false], [d.kind === 'fee' ? d.expectedFee?.amount : undefined, false], [d.repairable, false],
    [repairText(d), true], [d.message, true], [d.action, true], [d.resolution?.note, true],
  ];
  return values.map(([v, text]) => cell(v, text)).join(',');
}

/**
 * The discrepancies as CSV (RFC 4180, one row each, amounts in minor units), card numbers masked
 * and cells a spreadsheet would run as formulas defused.
 */
export function renderReconciliationCsv(discrepancies: Iterable<Discrepancy>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const d of discrepancies) lines.push(row(d));
  return `${lines.join('\r\n')}\r\n`;
}
