/**
 * paykit core: money in integer minor units, the provider-agnostic domain model, one error type,
 * the plugin contract, the DI container built from config, ports and signing helpers.
 *
 * @packageDocumentation
 */
export * from './errors/index.js';
export * from './money/index.js';
export * from './domain/index.js';
export * from './ports/index.js';
export * from './signing/index.js';
export * from './time/index.js';
export * from './plugin/index.js';
export * from './container/index.js';
export * from './facade/index.js';
export * from './protocol/index.js';
export * from './events/index.js';
export * from './observability/index.js';
export * from './reconciliation/index.js';
