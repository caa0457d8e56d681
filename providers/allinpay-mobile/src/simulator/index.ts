/**
 * The Allinpay mobile simulator: a loopback stand-in for Allinpay's gateway with its own key and
 * certificate, plus a small loopback transport for demos and tests.
 *
 * @packageDocumentation
 */
export * from './simulator.js';
export * from './keys.js';
export { simSource, simMd5, simRsa, SIM_ORDERS } from './wire.js';
