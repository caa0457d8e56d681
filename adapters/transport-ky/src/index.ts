/**
 * The paykit HTTP transport port implemented with ky: per-call timeouts, retries with backoff for
 * queries only, honest `sent` flags on network failures, and https-only outside loopback.
 *
 * @example
 * ```ts
 * import { kyTransport } from '@paykit/transport-ky';
 * const transport = kyTransport({ retries: 2, backoffMs: 300 });
 * ```
 *
 * @packageDocumentation
 */
export { kyTransport, type KyTransportOptions } from './transport.js';
export { isLoopbackHost, checkRequestUrl } from './url-safety.js';
export { classifyFailure, BodyTimeoutError } from './classify.js';
