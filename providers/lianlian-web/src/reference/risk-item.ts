// risk_item (spec 4.1, 6.2): a JSON string of risk parameters, sent and signed as its text.
import { isIP } from 'node:net';
import { err, ok } from 'neverthrow';
import { guard, formatCst, parseCst, PaymentErrors, type PayResult } from '@paykit/core';
import type { RiskIdType } from './codes.js';
import { GOODS_CATEGORIES, isGoodsCategoryCode, type GoodsCategoryCode } from './goods-categories.js';
import { RISK_FIELDS, type RiskFieldSpec } from './risk-fields.js';

/** A timestamp field: a `Date` (written in China Standard Time) or `YYYYMMDDHHmmss` text. */
export type RiskTimestamp = Date | string;

/** Base risk parameters (spec 6.2.1), sent by every merchant. */
export interface RiskBaseInput {
  /** frms_ware_category: goods category (6.3). */
  readonly wareCategory: GoodsCategoryCode;
  /** user_info_mercht_userno: the user's id in the merchant system. */
  readonly userNo: string;
  /** user_info_mercht_userlogin: login name (phone, email…). */
  readonly userLogin?: string;
  /** user_info_mail. */
  readonly mail?: string;
  /** user_info_bind_phone: bound phone, digits. */
  readonly bindPhone?: string;
  /** user_info_mercht_usertype: 1 ordinary (default), 2 whitelisted. */
  readonly userType?: '1' | '2';
  /** user_info_dt_register: when the user registered. */
  readonly registeredAt: RiskTimestamp;
  /** user_info_register_ip. */
  readonly registerIp?: string;
}

/** Real-name parameters (spec 6.2.2 实名类). */
export interface RiskRealNameInput {
  /** user_info_full_name. */
  readonly fullName: string;
  /** user_info_id_type (default 0). */
  readonly idType?: RiskIdType;
  /** user_info_id_no. */
  readonly idNo: string;
  /** user_info_identify_state: 1 verified by the merchant, 0 not (default). */
  readonly identifyState?: '0' | '1';
  /** user_info_identify_type: required when identifyState is 1. */
  readonly identifyType?: '1' | '2' | '3' | '4';
}

/** One airline ticket (spec 6.2.2 实名商旅类, sent as `airline_list`). */
export interface RiskAirlineInput {
  /** airline_name. */
  readonly airlineName?: string;
  /** airline_code: flight number. */
  readonly airlineCode: string;
  /** passenger_country: ISO 3166 alpha-2. */
  readonly passengerCountry: string;
  /** passenger_idcard_type. */
  readonly passengerIdType: RiskIdType;
  /** passenger_idcard. */
  readonly passengerIdNo: string;
  /** passenger_name. */
  readonly passengerName: string;
  /** passenger_sex. */
  readonly passengerSex?: string;
  /** passenger_age. */
  readonly passengerAge?: string;
  /** passenger_phone: 11 digits. */
  readonly passengerPhone: string;
  /** airport_from: IATA code. */
  readonly airportFrom: string;
  /** airport_to: IATA code. */
  readonly airportTo: string;
  /** passenger_phonecode: country calling code (default 86). */
  readonly passengerPhoneCode?: string;
  /** dt_flight. */
  readonly flightAt: RiskTimestamp;
  /** ticket_delivery_method. */
  readonly ticketDelivery?: 'ET' | 'CTO' | 'ATO' | 'TBM' | 'TOD';
}

/** Logistics parameters (spec 6.2.2 实物类). */
export interface RiskLogisticsInput {
  /** delivery_addr_full. */
  readonly addressFull?: string;
  /** delivery_addr_province: 6-digit division code. */
  readonly province: string;
  /** delivery_addr_city: 6-digit division code. */
  readonly city: string;
  /** delivery_addr_district: 6-digit division code. */
  readonly district?: string;
  /** delivery_addr_street. */
  readonly street?: string;
  /** delivery_full_name. */
  readonly fullName?: string;
  /** delivery_phone. */
  readonly phone: string;
  /** logistics_mode 1–8. */
  readonly mode: '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8';
  /** delivery_cycle. */
  readonly cycle: '12h' | '24h' | '48h' | '72h' | 'Other';
  /** delivery_mail. */
  readonly mail?: string;
}

/** Game parameters (spec 6.2.2 游戏类). */
export interface RiskGameInput {
  /** game_id_belongs: 1 own account (default), 2 someone else's. */
  readonly belongs?: '1' | '2';
  /** game_id: required when belongs is 2. */
  readonly gameId?: string;
  /** game_login_time: logins in the last month. */
  readonly loginTimes?: string;
  /** game_online_time: time online in the last month. */
  readonly onlineTime?: string;
}

/** Phone top-up parameters (spec 6.2.2 个人话费充值). */
export interface RiskPhoneChargeInput {
  /** frms_charge_phone: the topped-up phone number. */
  readonly phone: string;
}

/** Everything {@link buildRiskItem} serialises: the base fields plus the merchant's industry groups. */
export interface RiskItemInput {
  /** Base fields (always). */
  readonly base: RiskBaseInput;
  /** Real-name merchants. */
  readonly realName?: RiskRealNameInput;
  /** Airline tickets (one or more). */
  readonly airline?: readonly RiskAirlineInput[];
  /** Physical goods. */
  readonly logistics?: RiskLogisticsInput;
  /** Games. */
  readonly game?: RiskGameInput;
  /** Phone top-ups. */
  readonly phoneCharge?: RiskPhoneChargeInput;
}

const FORMAT: { readonly [K in RiskFieldSpec['format']]: [RegExp | ((v: string) => boolean), string] } = {
  text: [/^[^\u0000-\u001f]+$/, 'non-empty text without control characters'],
  timestamp: [(v) => parseCst(v).isOk() && v.length === 14, 'YYYYMMDDHHmmss (China Standard Time)'],
  digits: [/^\d+$/, 'digits only'],
  mobile11: [/^\d{11}$/, '11 digits'],
  email: [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address'],
  ip: [(v) => isIP(v) !== 0, 'an IPv4 or IPv6 address'],
  division: [/^\d{6}$/, 'a 6-digit administrative division code'],
  country: [/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as CN'],
  airport: [/^[A-Z]{3}$/, 'a three-letter airport code such as PEK'],
  'goods-category': [isGoodsCategoryCode, 'a goods category code of spec 6.3 such as 1002'],
  enum: [() => true, ''],
};

function checkField(spec: RiskFieldSpec, raw: unknown, path: string): PayResult<string | undefined> {
  const value = raw instanceof Date ? (Number.isNaN(raw.getTime()) ? 'Invalid Date' : formatCst(raw)) : raw;
  if (value === undefined || value === null || value === '') {
    // A required field with a documented default takes it (passenger_phonecode 86); optional
    // fields are left out and LianLian applies its own default.
    if (spec.required && spec.defaultValue !== undefined) return ok(spec.defaultValue);
    return spec.required
      ? err(PaymentErrors.invalidRequest(`${path} (${spec.wire}, ${spec.name}) is required by the risk parameters of spec 6.2`, { path }))
      : ok(undefined);
  }
  if (typeof value !== 'string') return err(PaymentErrors.invalidRequest(`${path} (${spec.wire}) must be a string`, { path }));
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    return err(PaymentErrors.invalidRequest(`${path} (${spec.wire}) is ${value.length} characters long; at most ${spec.maxLength}`, { path }));
  }
  if (spec.format === 'enum') {
    const values = spec.values ?? {};
    return Object.prototype.hasOwnProperty.call(values, value)
      ? ok(value)
      : err(PaymentErrors.invalidRequest(`${path} (${spec.wire}) must be one of ${Object.keys(values).join(', ')}`, { path }));
  }
  const [test, what] = FORMAT[spec.format];
  const passes = typeof test === 'function' ? test(value) : test.test(value);
  // Values are echoed only for formats that cannot hold personal data.
  return passes ? ok(value) : err(PaymentErrors.invalidRequest(`${path} (${spec.wire}) must be ${what}`, { path }));
}

function buildGroup(specs: Readonly<Record<string, RiskFieldSpec>>, input: unknown, path: string): PayResult<Record<string, string>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return err(PaymentErrors.invalidRequest(`${path} must be an object`, { path }));
  }
  const unknownKey = Object.keys(input).find((k) => !Object.prototype.hasOwnProperty.call(specs, k));
  if (unknownKey !== undefined) {
    return err(PaymentErrors.invalidRequest(`${path}.${unknownKey.slice(0, 40)} is not a risk parameter of spec 6.2: expected one of ${Object.keys(specs).join(', ')}`, { path: `${path}.${unknownKey.slice(0, 40)}` }));
  }
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const r = checkField(spec, (input as Record<string, unknown>)[key], `${path}.${key}`);
    if (r.isErr()) return err(r.error);
    if (r.value !== undefined) out[spec.wire] = r.value;
  }
  return ok(out);
}

/** An industry group of risk parameters (spec 6.2.2), sent besides the base fields. */
export type RiskGroup = 'realName' | 'airline' | 'logistics' | 'game' | 'phoneCharge';

const GROUPS: readonly ('base' | RiskGroup)[] = ['base', 'realName', 'airline', 'logistics', 'game', 'phoneCharge'];

/** Every {@link RiskGroup}. */
export const RISK_GROUPS: readonly RiskGroup[] = ['realName', 'airline', 'logistics', 'game', 'phoneCharge'];

/**
 * The industry groups of spec 6.2.2 a goods category (6.3) needs on every payment, besides the
 * base fields: 实名类 (2xxx) the real-name fields (the integration guide: real-name merchants send
 * base + real-name), 商旅机票 (2001) also the airline tickets (实名商旅类), 实物类 (4xxx) the
 * logistics fields, 个人话费充值 (1010) the topped-up phone. The game group (1003) has no required
 * field, so no category needs it; 大额类 (5xxx) and the others need the base fields only.
 *
 * @example
 * ```ts
 * requiredRiskGroups('4008') // ['logistics']
 * ```
 */
export function requiredRiskGroups(category: string): readonly RiskGroup[] {
  if (category === '1010') return ['phoneCharge'];
  if (category === '2001') return ['realName', 'airline'];
  if (/^2\d{3}$/.test(category)) return ['realName'];
  if (/^4\d{3}$/.test(category)) return ['logistics'];
  return [];
}

/** The groups that `category` (and `also`) need and `present` says are not there, in {@link RISK_GROUPS} order. */
export function missingRiskGroups(category: string, present: (group: RiskGroup) => boolean, also: readonly RiskGroup[] = []): readonly RiskGroup[] {
  const needed = new Set([...requiredRiskGroups(category), ...also]);
  return RISK_GROUPS.filter((g) => needed.has(g) && !present(g));
}

/** The message for groups a category needs. */
export function riskGroupsMessage(category: string, missing: readonly RiskGroup[]): string {
  const row = isGoodsCategoryCode(category) ? ` (${GOODS_CATEGORIES[category].group} ${GOODS_CATEGORIES[category].name})` : '';
  return `goods category ${category}${row} needs the ${missing.join(', ')} risk parameters of spec 6.2.2 on every payment`;
}

/** Wire keys each group's text must carry (its required fields; airline tickets in `airline_list`). */
function requiredWireKeys(group: RiskGroup): readonly string[] {
  if (group === 'airline') return ['airline_list'];
  return Object.values(RISK_FIELDS[group]).filter((f: RiskFieldSpec) => f.required).map((f: RiskFieldSpec) => f.wire);
}

/**
 * Checks a finished `risk_item` JSON text: a JSON object with a spec 6.3 `frms_ware_category`
 * (spec 6.2.1: required), carrying the required fields of every group its category needs and of
 * `declared`. An `InvalidRequest` at `path` otherwise; values are never echoed.
 */
export function checkRiskItemText(text: string, declared: readonly RiskGroup[], path: string): PayResult<string> {
  return guard('lianlian-web.checkRiskItemText', () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return err(PaymentErrors.invalidRequest(`${path} is not JSON text: pass a JSON object, or a buildRiskItem input`, { path }));
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return err(PaymentErrors.invalidRequest(`${path} must be a JSON object`, { path }));
    const fields = json as Record<string, unknown>;
    const category = fields.frms_ware_category;
    if (!isGoodsCategoryCode(category)) {
      return err(PaymentErrors.invalidRequest(`${path}.frms_ware_category is required and must be a goods category code of spec 6.3 such as 1002`, { path: `${path}.frms_ware_category` }));
    }
    const has = (key: string): boolean => {
      const v = fields[key];
      return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== '';
    };
    const missing = missingRiskGroups(category, (g) => requiredWireKeys(g).every(has), declared);
    if (missing.length > 0) {
      const keys = missing.flatMap((g) => requiredWireKeys(g).filter((k) => !has(k)));
      return err(PaymentErrors.invalidRequest(`${path}: ${riskGroupsMessage(category, missing)}; missing ${keys.join(', ')}`, { path }));
    }
    return ok(text);
  });
}

/**
 * Validates the risk parameters (spec 6.2) and serialises them to the JSON text sent (and signed)
 * as `risk_item`. Keys appear in the spec's table order, values are strings, and the airline
 * tickets go in `airline_list`. The groups the goods category needs ({@link requiredRiskGroups}) must
 * be given. Every violation is an `InvalidRequest` naming the field.
 *
 * @example
 * ```ts
 * buildRiskItem({ base: { wareCategory: '1002', userNo: '13958069593', registeredAt: '20131030122130' } })
 * // Ok('{"frms_ware_category":"1002","user_info_mercht_userno":"13958069593","user_info_dt_register":"20131030122130"}')
 * ```
 */
export function buildRiskItem(input: RiskItemInput): PayResult<string> {
  return guard('lianlian-web.buildRiskItem', () => {
    const path = 'risk_item';
    if (typeof input !== 'object' || input === null) return err(PaymentErrors.invalidRequest(`${path} must be an object with at least "base"`, { path }));
    const extra = Object.keys(input).find((k) => !(GROUPS as readonly string[]).includes(k));
    if (extra !== undefined) return err(PaymentErrors.invalidRequest(`${path}.${extra.slice(0, 40)} is not a risk parameter group: use ${GROUPS.join(', ')}`, { path: `${path}.${extra.slice(0, 40)}` }));
    const category = (input.base as { wareCategory?: unknown } | undefined)?.wareCategory;
    if (typeof category === 'string') {
      const missing = missingRiskGroups(category, (g) => input[g] !== undefined);
      if (missing.length > 0) return err(PaymentErrors.invalidRequest(`${path}.${missing[0] as string}: ${riskGroupsMessage(category, missing)}`, { path: `${path}.${missing[0] as string}` }));
    }
    const out: Record<string, string | Record<string, string>[]> = {};
    const merge = (r: PayResult<Record<string, string>>): PayResult<void> => r.map((fields) => { Object.assign(out, fields); });
    const steps: PayResult<void>[] = [];
    steps.push(merge(buildGroup(RISK_FIELDS.base, input.base, `${path}.base`)));
    if (input.realName !== undefined) {
      const r = buildGroup(RISK_FIELDS.realName, input.realName, `${path}.realName`);
      if (r.isOk() && r.value.user_info_identify_state === '1' && r.value.user_info_identify_type === undefined) {
        steps.push(err(PaymentErrors.invalidRequest(`${path}.realName.identifyType is required when identifyState is 1 (spec 6.2.2)`, { path: `${path}.realName.identifyType` })));
      } else steps.push(merge(r));
    }
    if (input.airline !== undefined) {
      if (!Array.isArray(input.airline) || input.airline.length === 0) {
        steps.push(err(PaymentErrors.invalidRequest(`${path}.airline must be a non-empty list of tickets`, { path: `${path}.airline` })));
      } else {
        const tickets: Record<string, string>[] = [];
        input.airline.forEach((t, i) => {
          const r = buildGroup(RISK_FIELDS.airline, t, `${path}.airline[${i}]`);
          steps.push(r.map((v) => { tickets.push(v); }));
        });
        out.airline_list = tickets;
      }
    }
    if (input.logistics !== undefined) steps.push(merge(buildGroup(RISK_FIELDS.logistics, input.logistics, `${path}.logistics`)));
    if (input.game !== undefined) {
      const r = buildGroup(RISK_FIELDS.game, input.game, `${path}.game`);
      if (r.isOk() && r.value.game_id_belongs === '2' && r.value.game_id === undefined) {
        steps.push(err(PaymentErrors.invalidRequest(`${path}.game.gameId is required when belongs is 2 (spec 6.2.2)`, { path: `${path}.game.gameId` })));
      } else steps.push(merge(r));
    }
    if (input.phoneCharge !== undefined) steps.push(merge(buildGroup(RISK_FIELDS.phoneCharge, input.phoneCharge, `${path}.phoneCharge`)));
    const failed = steps.find((s) => s.isErr());
    if (failed !== undefined && failed.isErr()) return err(failed.error);
    return ok(JSON.stringify(out));
  });
}
