/**
 * `@paykit/provider-allinpay-mobile/testing`: the test kit of the Allinpay mobile plugin — its
 * simulator (with its own key and self-signed certificate), the demo `paykit demo` runs, and the
 * harness the shared conformance suite drives. For tests and local development only: production
 * code imports `@paykit/provider-allinpay-mobile`. The simulator makes its certificate with
 * `node-forge` (an optional peer dependency: install it next to this package to use this entry).
 *
 * @example
 * ```ts
 * import { AllinpaySimulator } from '@paykit/provider-allinpay-mobile/testing';
 * const sim = await AllinpaySimulator.start({ md5Key: 'test-md5-key' });
 * // configure the instance with baseUrl: sim.url, certificate: sim.certificatePem
 * ```
 *
 * @packageDocumentation
 */
export * from './simulator/index.js';
export { allinpayMobileDemo } from './demo.js';
export { conformanceHarness } from './harness.js';
