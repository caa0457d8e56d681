export * from './cst.js';
