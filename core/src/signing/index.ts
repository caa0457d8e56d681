export * from './charset.js';
export * from './kv.js';
export * from './digest.js';
export * from './keys.js';
export * from './rsa.js';
export * from './json.js';
