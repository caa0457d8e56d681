export * from './capabilities.js';
export * from './tokens.js';
export * from './contract.js';
export * from './demo.js';
