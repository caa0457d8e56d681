/**
 * The LianLian web simulator: a loopback stand-in for the cashier, the query APIs and notification
 * delivery, for tests and the demo.
 *
 * @packageDocumentation
 */
export * from './server.js';
export * from './ledger.js';
export * from './cards.js';
export * from './statements.js';
export { simSign, simSigningText, simSpoil, simVerify, yuanToFen, fenToYuan, type SimKeys } from './crypto.js';
