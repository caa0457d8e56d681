// The risk-control parameter tables of spec 6.2 (风控参数列表): the base fields (6.2.1) and every
// industry's fields (6.2.2), as data. `risk-item.ts` validates and serialises with these tables.
import { ID_TYPES, type RiskIdType } from './codes.js';

/** The formats a risk field's value is checked against. */
export type RiskFieldFormat =
  /** Any non-empty text (the spec's untyped `String`: no length checked, spec 4.1 note). */
  | 'text'
  /** `YYYYMMDDHHmmss`, a real China Standard Time instant (String(14)). */
  | 'timestamp'
  /** Digits only (phone numbers, counts). */
  | 'digits'
  /** An 11-digit phone number (passenger_phone: "11 位"). */
  | 'mobile11'
  /** An email address. */
  | 'email'
  /** An IPv4 or IPv6 address. */
  | 'ip'
  /** A 6-digit administrative division code (国家统计局 县及县以上行政区划代码). */
  | 'division'
  /** An ISO 3166 alpha-2 country code. */
  | 'country'
  /** A three-letter IATA airport code. */
  | 'airport'
  /** A goods category code of spec 6.3. */
  | 'goods-category'
  /** One of the field's `values`. */
  | 'enum';

/** One risk parameter as spec 6.2 lists it. */
export interface RiskFieldSpec {
  /** Wire name inside the risk_item JSON. */
  readonly wire: string;
  /** The spec's Chinese name. */
  readonly name: string;
  /** Required (是否必须 = 是). Fields marked `*` are the "极重要" ones. */
  readonly required: boolean;
  /** Marked with `*` (极重要风控字段) in the spec. */
  readonly important: boolean;
  /** Format check. */
  readonly format: RiskFieldFormat;
  /** Maximum length where the spec gives one (String(14), String(40)). */
  readonly maxLength?: number;
  /** Allowed values with their meaning, for `enum` fields. */
  readonly values?: Readonly<Record<string, string>>;
  /** Default the spec names, applied when the caller gives none. */
  readonly defaultValue?: string;
}

const f = (wire: string, name: string, required: boolean, important: boolean, format: RiskFieldFormat, more: Partial<RiskFieldSpec> = {}): RiskFieldSpec =>
  ({ wire, name, required, important, format, ...more });

const RISK_ID_TYPES: { readonly [K in RiskIdType]: string } = (() => {
  const { '10': _org, ...rest } = ID_TYPES;
  return rest;
})();

/** 6.2.1 基本风控参数 (every merchant). */
export const RISK_BASE_FIELDS = {
  wareCategory: f('frms_ware_category', '商品类目', true, true, 'goods-category'),
  userNo: f('user_info_mercht_userno', '商户用户唯一标识', true, true, 'text'),
  userLogin: f('user_info_mercht_userlogin', '商户用户登陆名', false, false, 'text'),
  mail: f('user_info_mail', '用户邮箱', false, false, 'email'),
  bindPhone: f('user_info_bind_phone', '绑定手机号', false, true, 'digits'),
  userType: f('user_info_mercht_usertype', '商户用户分类', false, false, 'enum', { values: { 1: '普通用户', 2: '白名单用户(低风险,可靠用户)' }, defaultValue: '1' }),
  registeredAt: f('user_info_dt_register', '注册时间', true, true, 'timestamp', { maxLength: 14 }),
  registerIp: f('user_info_register_ip', '注册 IP', false, false, 'ip'),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** 6.2.2 实名类: the merchant user's real-name information. */
export const RISK_REAL_NAME_FIELDS = {
  fullName: f('user_info_full_name', '用户注册姓名', true, true, 'text'),
  idType: f('user_info_id_type', '用户注册证件类型', false, true, 'enum', { values: RISK_ID_TYPES, defaultValue: '0' }),
  idNo: f('user_info_id_no', '用户注册证件号码', true, true, 'text'),
  identifyState: f('user_info_identify_state', '是否实名认证', false, true, 'enum', { values: { 1: '是', 0: '无认证' }, defaultValue: '0' }),
  // The table says 是 (required) and "是实名认证时,必填": required only when identifyState is 1.
  identifyType: f('user_info_identify_type', '实名认证方式', false, true, 'enum', { values: { 1: '银行卡认证', 2: '现场认证', 3: '身份证远程认证', 4: '其它认证' } }),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** 6.2.2 实名商旅类: one ticket of the `airline_list`. */
export const RISK_AIRLINE_FIELDS = {
  airlineName: f('airline_name', '航班公司名称', false, false, 'text'),
  airlineCode: f('airline_code', '航班号', true, true, 'text'),
  passengerCountry: f('passenger_country', '乘机人国籍', true, true, 'country'),
  passengerIdType: f('passenger_idcard_type', '乘机人证件类型', true, true, 'enum', { values: RISK_ID_TYPES }),
  passengerIdNo: f('passenger_idcard', '乘机人证件号码', true, true, 'text'),
  passengerName: f('passenger_name', '乘机人姓名', true, true, 'text'),
  passengerSex: f('passenger_sex', '乘机人性别', false, false, 'text'),
  passengerAge: f('passenger_age', '乘机人年龄', false, false, 'digits'),
  passengerPhone: f('passenger_phone', '乘机人联系电话', true, true, 'mobile11'),
  airportFrom: f('airport_from', '起飞机场三字代码', true, false, 'airport'),
  airportTo: f('airport_to', '降落机场三字代码', true, false, 'airport'),
  passengerPhoneCode: f('passenger_phonecode', '联系电话国家代码', true, true, 'digits', { defaultValue: '86' }),
  flightAt: f('dt_flight', '飞行日期', true, true, 'timestamp', { maxLength: 14 }),
  ticketDelivery: f('ticket_delivery_method', '送票方式', false, false, 'enum', {
    values: { ET: 'ETicket', CTO: 'City Ticket Office', ATO: 'Airport Ticket Office', TBM: 'Ticket By Mail', TOD: 'Ticket On Departure' },
  }),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** 6.2.2 实物类: the merchant's logistics information. */
export const RISK_LOGISTICS_FIELDS = {
  addressFull: f('delivery_addr_full', '收货地址全名', false, false, 'text'),
  province: f('delivery_addr_province', '收货地址省级编码', true, true, 'division'),
  city: f('delivery_addr_city', '收货地址市级编码', true, true, 'division'),
  district: f('delivery_addr_district', '收货地址县/区级编码', false, false, 'division'),
  street: f('delivery_addr_street', '收货地址县/区以下级', false, false, 'text'),
  fullName: f('delivery_full_name', '收货人姓名', false, false, 'text'),
  phone: f('delivery_phone', '收货人联系手机', true, true, 'digits'),
  mode: f('logistics_mode', '物流方式', true, true, 'enum', {
    values: { 1: '邮局平邮', 2: '普通快递', 3: '特快专递', 4: '物流货运公司', 5: '物流配送公司', 6: '国际快递', 7: '航运快运', 8: '海运' },
  }),
  cycle: f('delivery_cycle', '发货时间', true, true, 'enum', {
    values: { '12h': '12 小时内', '24h': '24 小时内', '48h': '48 小时内', '72h': '72 小时内', Other: '3 天后' },
  }),
  mail: f('delivery_mail', '收货人邮箱', false, false, 'email'),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** 6.2.2 虚拟类 / 游戏类 (not point-card sales). */
export const RISK_GAME_FIELDS = {
  // "game_id_ belongs" in the spec text is OCR noise for game_id_belongs.
  belongs: f('game_id_belongs', '游戏账户所属', false, true, 'enum', { values: { 1: '为本账户充值或支付', 2: '为他人账户充值或支付' }, defaultValue: '1' }),
  // Optional, but required when belongs is 2 (spec: "如游戏账户所属为 2 ,该字段必填").
  gameId: f('game_id', '被充值游戏账户ID', false, true, 'text'),
  loginTimes: f('game_login_time', '游戏登录次数', false, false, 'digits'),
  onlineTime: f('game_online_time', '游戏在线时长', false, false, 'text'),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** 6.2.2 个人话费充值: sent only for phone top-ups. */
export const RISK_PHONE_CHARGE_FIELDS = {
  phone: f('frms_charge_phone', '被充值手机号', true, true, 'digits', { maxLength: 40 }),
} as const satisfies Readonly<Record<string, RiskFieldSpec>>;

/** Every risk parameter table of spec 6.2, by group. */
export const RISK_FIELDS = {
  base: RISK_BASE_FIELDS,
  realName: RISK_REAL_NAME_FIELDS,
  airline: RISK_AIRLINE_FIELDS,
  logistics: RISK_LOGISTICS_FIELDS,
  game: RISK_GAME_FIELDS,
  phoneCharge: RISK_PHONE_CHARGE_FIELDS,
} as const;
