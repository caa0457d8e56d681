/**
 * LianLian reconciliation files (spec section 5): streaming parsers of the JYMX / FKMX detail
 * files in both layouts and encodings, the JYMXSUM summary and its check, and the statements
 * capability. The field scanners the line parser is built on (`fields.ts`) stay inside the package.
 *
 * @packageDocumentation
 */
export * from './file-name.js';
export * from './lines.js';
export * from './line.js';
export * from './parser.js';
export * from './summary.js';
export * from './statements.js';
export * from './source.js';
