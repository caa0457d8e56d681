export * from './types.js';
export { checkPeriod, type CheckedPeriod } from './period.js';
export { compareUtf8, ExternalSorter, type ExternalSortOptions, type SortItem } from './external-sort.js';
export { expectedFee } from './match.js';
export { ReconciliationOps, type ReconciliationContext } from './reconcile.js';
export type { DiscrepancyRecord, PeriodRecord, RunRecord, StoredDiscrepancyStatus } from './runs.js';
