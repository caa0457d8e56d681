/**
 * The shared conformance suite every paykit provider plugin passes: one mocha suite that drives a
 * plugin and its simulator through the facade over real loopback HTTP.
 *
 * @packageDocumentation
 */
export type { ConformanceHarness, HarnessContext, HarnessFault } from '@paykit/core/simulator';
export * from './suite.js';
export { onlyDiscrepancy } from './reconciliation.js';
export { expectResultForAnyInput, hostileValues } from './hostile.js';
