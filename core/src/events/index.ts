export * from './events.js';
export * from './consumer.js';
export { signalEvents } from './signal.js';
export * from './webhooks.js';
export * from './retention.js';
export * from './webhook-ops.js';
