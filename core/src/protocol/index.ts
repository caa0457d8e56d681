export * from './tracking.js';
export * from './outcome.js';
export * from './commit.js';
export * from './money-operation.js';
export * from './lease.js';
