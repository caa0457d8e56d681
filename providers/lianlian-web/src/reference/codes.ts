// Small code tables of the LianLian web spec: busi_partner, pay_type, id_type (4.1, 4.3, 4.4, 4.7)
// and the pay product / pay method names of the reconciliation files (5.2, 5.4).

/** Business type `busi_partner` (spec 4.1): 101001 virtual goods, 109001 physical goods, 108001 top-up. */
export type BusiPartner = '101001' | '109001' | '108001';

/** Chinese names of each {@link BusiPartner} (spec 4.1). */
export const BUSI_PARTNERS: { readonly [K in BusiPartner]: string } = {
  '101001': '虚拟商品销售',
  '109001': '实物商品销售',
  '108001': '外部账户充值',
};

/**
 * Payment method `pay_type`. Spec 4.1 lists 2 and 3 for requests; the notification and query
 * tables (4.3, 4.4, 4.7) add 0, 1, 8 and 9; the 4.1 form example sends 1 with a web-banking
 * bank code; the integration guide adds `D` (认证支付, authentication pay) for bound-card queries.
 */
export type PayType = '0' | '1' | '2' | '3' | '8' | '9' | 'D';

/** Chinese names of each {@link PayType}. */
export const PAY_TYPES: { readonly [K in PayType]: string } = {
  '0': '余额支付',
  '1': '网银支付(借记卡)',
  '2': '快捷支付(借记卡)',
  '3': '快捷支付(信用卡)',
  '8': '网银支付(信用卡)',
  '9': 'B2B企业网银支付',
  D: '认证支付',
};

/** The pay types a payment request may carry with `bank_code` (spec 4.1 and its form example). */
export const REQUEST_PAY_TYPES: readonly PayType[] = ['1', '2', '3', '8', '9', 'D'];

/**
 * Identity document type `id_type` (spec 4.1, 4.3; 变(2)). `10` (组织结构代码) appears only in the
 * request/notification tables; the risk fields (6.2.2) stop at `X`.
 */
export type IdType = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'X' | '10';

/** Chinese names of each {@link IdType}. */
export const ID_TYPES: { readonly [K in IdType]: string } = {
  '0': '身份证或企业经营证件',
  '1': '户口簿',
  '2': '护照',
  '3': '军官证',
  '4': '士兵证',
  '5': '港澳居民来往内地通行证',
  '6': '台湾同胞来往内地通行证',
  '7': '临时身份证',
  '8': '外国人居留证',
  '9': '警官证',
  X: '其他证件',
  '10': '组织结构代码',
};

/** Identity types accepted in risk parameters (6.2.2 `user_info_id_type`, `passenger_idcard_type`). */
export type RiskIdType = Exclude<IdType, '10'>;

/** Pay product column of the reconciliation files (支付产品, spec 5.2). */
export type StatementPayProduct = 'WEB支付网关' | '手机应用支付网关' | 'API渠道' | 'WAP支付网关' | 'IVR支付网关';

/** Every {@link StatementPayProduct}, in the spec's order. */
export const STATEMENT_PAY_PRODUCTS: readonly StatementPayProduct[] = ['WEB支付网关', '手机应用支付网关', 'API渠道', 'WAP支付网关', 'IVR支付网关'];

/** Pay method column of the reconciliation files (支付方式, spec 5.2). */
export type StatementPayMethod =
  | '余额支付' | '储蓄卡网银支付' | '信用卡网银支付' | '储蓄卡快捷支付' | '信用卡快捷支付'
  | '线下网点支付' | '充值卡支付' | '企业网银支付';

/** Every {@link StatementPayMethod}, in the spec's order. */
export const STATEMENT_PAY_METHODS: readonly StatementPayMethod[] = [
  '余额支付', '储蓄卡网银支付', '信用卡网银支付', '储蓄卡快捷支付', '信用卡快捷支付', '线下网点支付', '充值卡支付', '企业网银支付',
];

const has = <K extends string>(table: { readonly [P in K]: string }, v: unknown): v is K =>
  typeof v === 'string' && Object.prototype.hasOwnProperty.call(table, v);

/** Whether a value is a {@link BusiPartner}. */
export const isBusiPartner = (v: unknown): v is BusiPartner => has(BUSI_PARTNERS, v);
/** Whether a value is a {@link PayType}. */
export const isPayType = (v: unknown): v is PayType => has(PAY_TYPES, v);
/** Whether a value is an {@link IdType}. */
export const isIdType = (v: unknown): v is IdType => has(ID_TYPES, v);
