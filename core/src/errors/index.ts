export * from './payment-error.js';
export * from './constructors.js';
export * from './result.js';
