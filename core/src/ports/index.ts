export * from './secret.js';
export * from './logger.js';
export * from './clock.js';
export * from './transport.js';
export * from './store.js';
export * from './event-log.js';
export * from './memory-store.js';
export * from './unit-of-work.js';
