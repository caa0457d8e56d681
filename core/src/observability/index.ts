export * from './names.js';
export * from './telemetry.js';
export * from './instrument.js';
export * from './gauges.js';
export * from './health.js';
