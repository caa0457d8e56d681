/**
 * Shared scaffolding for provider simulators: a loopback HTTP server with routes, a request journal
 * and fault injection, and notification delivery with a provider's retry policy.
 *
 * @packageDocumentation
 */
export * from './server.js';
export * from './delivery.js';
