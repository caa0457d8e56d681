export * from './transitions.js';
export * from './order.js';
export * from './payment.js';
export * from './refund.js';
export * from './payout.js';
export * from './preauth.js';
export * from './statement.js';
