/**
 * The LianLian web spec's reference tables as typed values: bank codes (6.4, 6.5), goods
 * categories (6.3), busi_partner, pay_type, id_type, and the risk parameters of 6.2 with a
 * validating builder of the `risk_item` JSON text.
 *
 * @packageDocumentation
 */
export * from './banks.js';
export * from './codes.js';
export * from './goods-categories.js';
export * from './risk-fields.js';
export * from './risk-item.js';
