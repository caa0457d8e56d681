/**
 * Test scaffolding for provider packages' `testing` entries: a loopback HTTP server with routes, a
 * request journal and fault injection; notification delivery with a provider's retry policy; a
 * loopback-only HTTP transport; and the harness contract a provider hands the conformance kit.
 * Nothing here is for production code.
 *
 * @packageDocumentation
 */
export * from './server.js';
export * from './delivery.js';
export * from './loopback-transport.js';
export * from './harness.js';
export * from './options-input.js';
export * from './traffic-day.js';
