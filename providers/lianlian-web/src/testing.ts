/**
 * `@paykit/provider-lianlian-web/testing`: the test kit of the LianLian web plugin — its simulator
 * (cashier, query APIs, notification delivery, statement files on 127.0.0.1), test keys, a helper
 * that posts a cashier form the way a browser does, the demo `paykit demo` runs, and the harness
 * the shared conformance suite drives. For tests and local development only: production code
 * imports `@paykit/provider-lianlian-web`.
 *
 * @example
 * ```ts
 * import { LianlianWebSimulator, submitForm, TEST_MD5_KEY, TEST_OID_PARTNER } from '@paykit/provider-lianlian-web/testing';
 * const sim = await LianlianWebSimulator.start({ oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY });
 * // configure the instance with cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url; then
 * // await submitForm(created.action) plays the payer's browser
 * ```
 *
 * @packageDocumentation
 */
export * from './simulator/index.js';
export { lianlianWebDemo } from './demo.js';
export { conformanceHarness, encodeForm, submitForm, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER } from './harness.js';
export { demoStatement, type DemoStatementResult } from './statements/demo.js';
