export * from './types.js';
export { checkPeriod, type CheckedPeriod } from './period.js';
export { compareUtf8 } from './external-sort.js';
export { ReconciliationOps, type ReconciliationContext } from './reconcile.js';
export type { RepairFacade } from './repair.js';
export type { DiscrepancyRecord, PeriodRecord, RunRecord, StoredDiscrepancyStatus } from './runs.js';
