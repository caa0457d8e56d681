/**
 * The benchmark harness behind `npm run bench`: ratios of paykit paths against bare baselines,
 * measured side by side in one run. Performance targets live here, never as timed test assertions.
 *
 * @packageDocumentation
 */
export * from './measure.js';
