/**
 * `@paykit/provider-example/testing`: the test kit of Example Pay — its simulator, the demo
 * `paykit demo` runs, and the harness the shared conformance suite drives. For tests and local
 * development only: production code imports `@paykit/provider-example`.
 *
 * @example
 * ```ts
 * import { ExampleSimulator } from '@paykit/provider-example/testing';
 * const sim = await ExampleSimulator.start({ merchantId: 'M100200', key: 'test-key' });
 * // configure the instance with baseUrl: sim.url
 * ```
 *
 * @packageDocumentation
 */
export * from './simulator/index.js';
export { exampleDemo } from './demo.js';
export { conformanceHarness } from './harness.js';
