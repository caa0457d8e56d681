export * from './currency.js';
export * from './money.js';
export * from './codec.js';
