export * from './payments.js';
export * from './notifications.js';
export * from './refunds.js';
export * from './preauth.js';
export * from './payouts.js';
export * from './statements.js';
export * from './stored.js';
export { updateRecord, type UpdateDecision } from './records.js';
export * from './inputs.js';
