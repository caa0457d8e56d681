/**
 * The LianLian payout simulator: a loopback stand-in for `payment.htm`, `confirmPayment.htm` and
 * `queryPayment.htm` with its own key pair, `pay_load` checks, scripted outcomes and a ledger.
 *
 * @example
 * ```ts
 * const sim = await LianlianPayoutSimulator.start({ oidPartner, merchantPublicKey });
 * sim.script('P-1', { hold: '4003' });
 * // configure the plugin with baseUrl: sim.baseUrl, lianlianPublicKey: sim.publicKey
 * ```
 *
 * @packageDocumentation
 */
export * from './server.js';
export * from './crypto.js';
export * from './statements.js';
