/**
 * The Example Pay simulator: the cashier, the signed JSON API and notification delivery on
 * 127.0.0.1, for tests, the demo and local development.
 *
 * @packageDocumentation
 */
export * from './simulator.js';
export * from './protocol.js';
