/**
 * The benchmark harness behind `npm run bench`: rows declare what paykit does (the subject), what
 * it is compared with (the baseline) and the target; the runner measures each side in a process
 * of its own. Performance targets live here, never as timed test assertions.
 *
 * @packageDocumentation
 */
export * from './rows.js';
export * from './fixtures.js';
export * from './notifications.js';
export * from './checked-floor.js';
