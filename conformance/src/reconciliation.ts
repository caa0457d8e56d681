import { expect } from 'chai';
import type { Discrepancy, ReconciliationReport } from '@paykit/core';

/**
 * The one discrepancy of `kind` (about record `id`, when given) in a report; fails the test, listing
 * what the report holds, when there is none or more than one. For providers' reconciliation tests.
 *
 * @example
 * ```ts
 * const lost = onlyDiscrepancy(report, 'missing_in_paykit', 'A1001');
 * expect(lost.paykit?.status).to.equal('pending');
 * ```
 */
export function onlyDiscrepancy<K extends Discrepancy['kind']>(report: ReconciliationReport, kind: K, id?: string): Extract<Discrepancy, { kind: K }> {
  const found = report.discrepancies.filter((d): d is Extract<Discrepancy, { kind: K }> => d.kind === kind && (id === undefined || d.subject?.id === id));
  expect(found, `${kind} ${id ?? ''} among ${JSON.stringify(report.discrepancies.map((d) => [d.kind, d.subject?.id]))}`).to.have.length(1);
  return found[0] as Extract<Discrepancy, { kind: K }>;
}
