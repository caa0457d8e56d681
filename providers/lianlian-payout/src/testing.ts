/**
 * `@paykit/provider-lianlian-payout/testing`: the test kit of the LianLian payout plugin — its
 * simulator (`payment.htm`, `confirmPayment.htm`, `queryPayment.htm` on 127.0.0.1), the demo
 * `paykit demo` runs, and the harness the shared conformance suite drives. For tests and local
 * development only: production code imports `@paykit/provider-lianlian-payout`.
 *
 * @example
 * ```ts
 * import { LianlianPayoutSimulator } from '@paykit/provider-lianlian-payout/testing';
 * const sim = await LianlianPayoutSimulator.start({ oidPartner, merchantPublicKey });
 * // configure the instance with baseUrl: sim.baseUrl, lianlianPublicKey: sim.publicKey
 * ```
 *
 * @packageDocumentation
 */
export * from './simulator/index.js';
export { lianlianPayoutDemo } from './demo.js';
export { conformanceHarness } from './harness.js';
