/**
 * International-card fields (spec 2.1, second table; ext1 digest 5.4): the conditional rules the
 * table states in words, and the CVV2 kept out of what paykit hands back.
 */
import { err, ok } from 'neverthrow';
import { guard, PaymentErrors, type PayResult } from '@paykit/core';
import { InternationalFields, type WireOf } from './wire.js';

/**
 * The international-card fields of a payment (spec 2.1, second table), as decoded by their codec.
 *
 * @useDeclaredType
 */
export type InternationalCard = WireOf<typeof InternationalFields.fields>;

/** What the payData returned by `payments.create` carries instead of the CVV2 (the app puts the real one back). */
export const CVV2_MASK = '***';

type Field = keyof InternationalCard & string;

const DIRECT_MODE_FIELDS: readonly Field[] = ['bill_firstname', 'bill_lastname', 'expireddate', 'cvv2'];
const REGISTRATION_FIELDS: readonly Field[] = ['registration_name', 'registration_email', 'registration_phone'];

// Format rules the table states (2.1), as [field, pattern, what the spec says].
const FORMATS: readonly (readonly [Field, RegExp, string])[] = [
  ['ship_to_country', /^[A-Z]{2}$/, 'an ISO 3166 two-letter country code such as US'],
  ['bill_country', /^[A-Z]{2}$/, 'an ISO 3166 two-letter country code such as US'],
  ['fnpay_mode', /^[01]$/, '0 (direct) or 1 (not direct)'],
  ['expireddate', /^\d{4}$/, '4 digits (the spec 5.4 example is 2211)'],
  ['cvv2', /^\d{3}$/, '3 digits'],
  ['buyerid_period', /^\d+$/, 'a whole number of days'],
  ['mdd07', /^\d{14}$/, 'yyyyMMddHHmmss'],
  ['mdd08', /^\d{14}$/, 'yyyyMMddHHmmss'],
  ['mdd10', /^[yn]$/, 'y or n'],
];

// Spec 2.1, ship_to_postalcode: 美国：长度 5 或 10 位 如 12345，20001-1000；加拿大：6 位 只支持字母和数字.
const POSTAL_CODES: Readonly<Record<string, readonly [RegExp, string]>> = {
  US: [/^\d{5}(-\d{4})?$/, '5 or 10 characters, such as 12345 or 20001-1000'],
  CA: [/^[A-Za-z0-9]{6}$/, '6 letters and digits, without a space'],
};

const refuse = (field: Field, message: string): PayResult<never> =>
  err(PaymentErrors.invalidRequest(`extra.international.${field}: ${message}`, { path: `extra.international.${field}` }));

const missing = (card: InternationalCard, fields: readonly Field[]): Field[] => fields.filter((f) => (card[f] ?? '') === '');

/**
 * Checks the rules of spec 2.1 that the field codec cannot: bill names, expiry and CVV2 for a
 * direct payment (`fnpay_mode` 0: 直连时必须/必填); the registration fields when the merchant has
 * buyer accounts (如商户有账户体系，不可空); postal codes and two-letter states for the United States
 * and Canada; and the formats the table gives. The first broken rule is reported, naming the field.
 */
export function checkInternationalCard(card: InternationalCard, buyerAccounts: boolean): PayResult<InternationalCard> {
  return guard('allinpay-mobile.checkInternationalCard', () => {
    for (const [field, pattern, what] of FORMATS) {
      const v = card[field];
      if (v !== undefined && v !== '' && !pattern.test(v)) return refuse(field, `must be ${what} (spec 2.1)`);
    }
    if (card.fnpay_mode === '0') {
      const absent = missing(card, DIRECT_MODE_FIELDS);
      if (absent.length > 0) return refuse(absent[0] as Field, `a direct payment (fnpay_mode 0) needs ${DIRECT_MODE_FIELDS.join(', ')} (spec 2.1); missing: ${absent.join(', ')}`);
    }
    if (buyerAccounts) {
      const absent = missing(card, REGISTRATION_FIELDS);
      if (absent.length > 0) return refuse(absent[0] as Field, `this instance says the merchant has buyer accounts (buyerAccounts), so ${REGISTRATION_FIELDS.join(', ')} are required (spec 2.1); missing: ${absent.join(', ')}`);
    }
    const postal = POSTAL_CODES[card.ship_to_country];
    if (postal !== undefined && !postal[0].test(card.ship_to_postalcode)) {
      return refuse('ship_to_postalcode', `a ${card.ship_to_country} postal code must be ${postal[1]} (spec 2.1)`);
    }
    // Spec 2.1, ship_to_state and bill_state: 美国和加拿大的州使用 ISO 标准 (IL for Illinois).
    for (const [country, state] of [['ship_to_country', 'ship_to_state'], ['bill_country', 'bill_state']] as const) {
      const c = card[country];
      const s = card[state];
      if ((c === 'US' || c === 'CA') && s !== undefined && s !== '' && !/^[A-Z]{2}$/.test(s)) {
        return refuse(state, `a ${c} state or province must be its two-letter ISO 3166-2 code, such as IL (spec 2.1)`);
      }
    }
    return ok(card);
  });
}

/**
 * The international fields as `payments.create` returns them in the payData: the CVV2 replaced by
 * {@link CVV2_MASK}. It is not signed (only digested into ext1, 5.4), so the app that collected it
 * puts it back before starting the control; paykit never hands it out, so no log, response or
 * `paykit request` output shows it in clear.
 */
export function forControl(card: InternationalCard): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of InternationalFields.order) {
    const v = (card as Record<string, string | undefined>)[name];
    if (v !== undefined && v !== '') out[name] = name === 'cvv2' ? CVV2_MASK : v;
  }
  return out;
}
