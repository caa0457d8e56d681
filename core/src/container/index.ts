export * from './codecs.js';
export * from './config.js';
export * from './config-input.js';
export * from './create-paykit.js';
export * from './paykit.js';
