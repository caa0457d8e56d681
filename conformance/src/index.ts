/**
 * The shared conformance suite every paykit provider plugin passes: one mocha suite that drives a
 * plugin and its simulator through the facade over real loopback HTTP.
 *
 * @packageDocumentation
 */
export * from './harness.js';
export * from './suite.js';
export { LoopbackTransport, type SentRequest } from './transport.js';
