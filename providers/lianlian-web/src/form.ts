/**
 * Spec 4.1: the cashier form. Builds every request field from the domain input, validates each
 * against the wire codec before anything is signed, and renders the auto-submitting page.
 */
import { isIP } from 'node:net';
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import {
  guard, decodeWith, formatCst, parseCst, PaymentErrors, sumMoney, compareMoney, type CreatePaymentInput, type Money, type PaymentAction,
  type PayResult,
} from '@paykit/core';
import { checkFormCharset, signedCharsetOf } from './charset.js';
import { DEFAULT_CASHIER_URL, type LianlianWebOptions } from './config.js';
import { amountToWire } from './mapping.js';
import {
  buildRiskItem, checkBankCode, checkRiskItemText, missingRiskGroups, riskGroupsMessage, type RiskGroup, type RiskItemInput,
} from './reference/index.js';
import { signFields, type LoadedKeys } from './signer.js';
import { WebPaymentRequestCodec, type UnsignedWebPaymentRequest } from './wire.js';

/** One split receiver of `shareing_data` (spec 4.1: at most 3 besides the main receiver). */
export interface SplitReceiver {
  /** The receiver's 18-digit LianLian merchant number. */
  readonly oidPartner: string;
  /** Its business type (may equal the order's busi_partner). */
  readonly busiPartner: string;
  /** Its share (CNY, fen). */
  readonly amount: Money;
  /** Description: at most 100 characters, no `^` or `|`. */
  readonly description: string;
}

const SplitCodec = t.type({ oidPartner: t.string, busiPartner: t.string, amount: t.type({ amount: t.number, currency: t.string }), description: t.string });

/** LianLian-specific options of a payment, in `CreatePaymentInput.extra`. Unknown keys are refused. */
export const PaymentExtraCodec = t.exact(t.partial({
  busiPartner: t.string,
  bankCode: t.string,
  payType: t.string,
  noAgree: t.string,
  orderUrl: t.string,
  backUrl: t.string,
  flagModify: t.union([t.literal('0'), t.literal('1')]),
  platform: t.string,
  /** Risk parameters for `buildRiskItem`, or the finished JSON text. */
  riskItem: t.union([t.string, t.UnknownRecord]),
  /** Goods category for the default risk_item (spec 6.3). */
  goodsCategory: t.string,
  split: t.array(SplitCodec),
}));

/** Serialises split receivers as `partner^busi^amount^note|…`, checking count, format and total. */
export function buildShareingData(receivers: readonly SplitReceiver[], order: Money): PayResult<string> {
  return guard('lianlian-web.buildShareingData', () => {
    const path = 'extra.split';
    if (receivers.length === 0 || receivers.length > 3) return err(PaymentErrors.invalidRequest(`${path}: 1 to 3 split receivers (spec 4.1), got ${receivers.length}`, { path }));
    const parts: string[] = [];
    for (const [i, r] of receivers.entries()) {
      const p = `${path}.${i}`;
      if (!/^\d{18}$/.test(r.oidPartner)) return err(PaymentErrors.invalidRequest(`${p}.oidPartner must be an 18-digit LianLian merchant number`, { path: `${p}.oidPartner` }));
      if (!/^\d{6}$/.test(r.busiPartner)) return err(PaymentErrors.invalidRequest(`${p}.busiPartner must be a 6-digit business type such as 101001`, { path: `${p}.busiPartner` }));
      if (r.description.length === 0 || [...r.description].length > 100 || /[\^|]/.test(r.description)) {
        return err(PaymentErrors.invalidRequest(`${p}.description must be 1-100 characters without ^ or |`, { path: `${p}.description` }));
      }
      const amount = amountToWire(r.amount, `${p}.amount`);
      if (amount.isErr()) return err(amount.error);
      parts.push(`${r.oidPartner}^${r.busiPartner}^${amount.value}^${r.description}`);
    }
    const total = sumMoney(receivers.map((r) => r.amount), 'CNY').andThen((s) => compareMoney(s, order));
    if (total.isErr()) return err(total.error);
    if (total.value > 0) return err(PaymentErrors.invalidRequest(`${path}: the shares add up to more than the order amount`, { path, code: 'invalid_amount' }));
    return ok(parts.join('|'));
  });
}

/**
 * The `risk_item` text of a payment (spec 4.1: required; 6.2: base fields plus the industry groups
 * the goods category needs, and those the instance declares in `riskGroups`).
 */
function riskItemOf(input: CreatePaymentInput, extra: t.TypeOf<typeof PaymentExtraCodec>, o: LianlianWebOptions): PayResult<string> {
  const declared = o.riskGroups ?? [];
  if (typeof extra.riskItem === 'string') return checkRiskItemText(extra.riskItem, declared, 'extra.riskItem');
  if (extra.riskItem !== undefined) {
    const given = extra.riskItem as Partial<Record<RiskGroup, unknown>>;
    const undeclared = declared.find((g) => given[g] === undefined);
    if (undeclared !== undefined) {
      return err(PaymentErrors.invalidRequest(`extra.riskItem.${undeclared} is missing: this instance's riskGroups option says every payment carries it (spec 6.2.2)`, { path: `extra.riskItem.${undeclared}` }));
    }
    return buildRiskItem(extra.riskItem as unknown as RiskItemInput);
  }
  const category = extra.goodsCategory ?? o.goodsCategory;
  const missing = missingRiskGroups(category, () => false, declared);
  if (missing.length > 0) {
    return err(PaymentErrors.invalidRequest(`extra.riskItem is required: ${riskGroupsMessage(category, missing)}; pass a buildRiskItem input with base and ${missing.join(', ')}`, { path: 'extra.riskItem' }));
  }
  const payer = input.payer;
  if (payer?.id === undefined || payer.registeredAt === undefined) {
    return err(PaymentErrors.invalidRequest('risk_item is required (spec 4.1, 6.2): pass extra.riskItem, or payer.id and payer.registeredAt for the base fields', { path: 'extra.riskItem' }));
  }
  return buildRiskItem({
    base: {
      wareCategory: category as RiskItemInput['base']['wareCategory'], userNo: payer.id, registeredAt: payer.registeredAt,
      ...(payer.phone !== undefined ? { bindPhone: payer.phone } : {}),
      ...(payer.email !== undefined ? { mail: payer.email } : {}),
    },
  });
}

/**
 * `userreq_ip` of a payer's address (spec 4.1: the IPv4 address with "." replaced by "_"). An
 * IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack server such as Express reports for
 * an IPv4 client) is sent as its IPv4 address; any other IPv6 address is left out: the field is
 * optional and the spec shows only the IPv4 form.
 */
export function userreqIpOf(address: string): string | undefined {
  const kind = isIP(address);
  if (kind === 4) return address.replace(/\./g, '_');
  if (kind !== 6) return undefined;
  let canonical: string;
  try {
    // The URL parser writes every spelling of an IPv6 address one way (::ffff:7b0b:25d3).
    canonical = new URL(`http://[${address}]/`).hostname;
  } catch {
    return undefined;
  }
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (mapped === null) return undefined;
  const high = parseInt(mapped[1] as string, 16);
  const low = parseInt(mapped[2] as string, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('_');
}

function put(fields: Record<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') fields[key] = value;
}

/**
 * The unsigned form fields of a payment. Every length and format rule of spec 4.1 is checked
 * (`InvalidRequest` naming the field) before anything is signed.
 */
export function buildPaymentFields(input: CreatePaymentInput, o: LianlianWebOptions, now: Date): PayResult<UnsignedWebPaymentRequest> {
  const extraR = decodeWith(PaymentExtraCodec, input.extra ?? {}, 'extra');
  if (extraR.isErr()) return err(extraR.error);
  const extraKeys = Object.keys(input.extra ?? {}).filter((k) => !(k in PaymentExtraCodec.type.props));
  if (extraKeys.length > 0) return err(PaymentErrors.invalidRequest(`extra.${extraKeys[0]?.slice(0, 40)} is not a LianLian web option; allowed are ${Object.keys(PaymentExtraCodec.type.props).join(', ')}`, { path: `extra.${extraKeys[0]?.slice(0, 40)}` }));
  const extra = extraR.value;
  const payer = input.payer ?? {};
  if (payer.id === undefined) return err(PaymentErrors.invalidRequest('payer.id is required: LianLian needs user_id, the payer\'s id in your system (spec 4.1)', { path: 'payer.id' }));
  const money = amountToWire(input.amount, 'amount');
  if (money.isErr()) return err(money.error);
  const notifyUrl = input.notifyUrl ?? o.notifyUrl;
  if (notifyUrl === undefined) return err(PaymentErrors.invalidRequest('notifyUrl is required: pass it or set the notifyUrl option', { path: 'notifyUrl' }));
  const risk = riskItemOf(input, extra, o);
  if (risk.isErr()) return err(risk.error);
  let ip: string | undefined;
  if (payer.ip !== undefined) {
    if (isIP(payer.ip) === 0) return err(PaymentErrors.invalidRequest('payer.ip must be an IPv4 or IPv6 address', { path: 'payer.ip' }));
    ip = userreqIpOf(payer.ip);
  }
  let shares: string | undefined;
  if (extra.split !== undefined) {
    const r = buildShareingData(extra.split as SplitReceiver[], input.amount);
    if (r.isErr()) return err(r.error);
    shares = r.value;
  }
  if (input.validForMinutes !== undefined && (!Number.isSafeInteger(input.validForMinutes) || input.validForMinutes < 1 || input.validForMinutes > 99_999_999)) {
    return err(PaymentErrors.invalidRequest('validForMinutes must be a whole number of minutes, 1 to 99999999', { path: 'validForMinutes' }));
  }
  const fields: Record<string, string> = {
    version: '1.0', charset_name: o.charset ?? 'UTF-8', oid_partner: o.oidPartner, user_id: payer.id,
    timestamp: formatCst(now), sign_type: o.signType, busi_partner: extra.busiPartner ?? o.busiPartner ?? '101001',
    no_order: input.orderId, dt_order: formatCst(input.createdAt ?? now), name_goods: input.description,
    money_order: money.value, notify_url: notifyUrl, risk_item: risk.value,
  };
  put(fields, 'platform', extra.platform ?? o.platform);
  put(fields, 'info_order', input.details);
  put(fields, 'url_return', input.returnUrl ?? o.returnUrl);
  put(fields, 'userreq_ip', ip);
  put(fields, 'url_order', extra.orderUrl);
  put(fields, 'valid_order', input.validForMinutes === undefined ? undefined : String(input.validForMinutes));
  put(fields, 'bank_code', extra.bankCode);
  put(fields, 'pay_type', extra.payType);
  put(fields, 'no_agree', extra.noAgree);
  put(fields, 'shareing_data', shares);
  put(fields, 'id_type', payer.idType);
  put(fields, 'id_no', payer.idNumber);
  put(fields, 'acct_name', payer.name);
  put(fields, 'flag_modify', extra.flagModify);
  put(fields, 'card_no', payer.cardNumber?.replace(/\s+/g, ''));
  put(fields, 'back_url', extra.backUrl);
  if (!['101001', '109001', '108001'].includes(fields.busi_partner as string)) {
    return err(PaymentErrors.invalidRequest('extra.busiPartner must be 101001 (virtual goods), 109001 (physical goods) or 108001 (top-up)', { path: 'extra.busiPartner' }));
  }
  if (fields.pay_type !== undefined && !['1', '2', '3', '8', '9', 'D'].includes(fields.pay_type)) {
    return err(PaymentErrors.invalidRequest('extra.payType must be one of 1, 2, 3, 8, 9, D (spec 4.1, 4.3)', { path: 'extra.payType' }));
  }
  if (fields.bank_code !== undefined) {
    const bank = checkBankCode(fields.bank_code, fields.pay_type, 'extra.bankCode');
    if (bank.isErr()) return err(bank.error);
  }
  // Validate every field against the wire table; card numbers and id numbers are never echoed.
  return decodeWith(WebPaymentRequestCodec.unsigned, fields, 'payments.create').mapErr((e) => (/card_no|id_no/.test(e.path ?? '')
    ? PaymentErrors.invalidRequest(`${e.path}: has the wrong length or format (value hidden)`, { ...(e.path !== undefined ? { path: e.path } : {}) })
    : e))
    // The browser submits the form in charset_name: every value must exist in it (GB2312 strictly).
    .andThen((valid) => checkFormCharset(fields, o.charset ?? 'UTF-8', 'payments.create').map(() => valid));
}

/**
 * Signs the form fields and returns the redirect action. The signature covers the UTF-8 bytes of
 * the signing text, or the bytes of `charset_name` with `signedBytes: "form-charset"` (charset.ts).
 */
export function paymentAction(fields: UnsignedWebPaymentRequest, o: LianlianWebOptions, keys: LoadedKeys): PayResult<PaymentAction> {
  const charset = o.charset ?? 'UTF-8';
  return signFields(fields, o.signType, keys, signedCharsetOf(o.signedBytes, charset)).andThen((sign) => formExpiry(fields).map((expiresAt) => ({
    kind: 'redirect' as const, method: 'POST' as const, url: o.cashierUrl ?? DEFAULT_CASHIER_URL, fields: { ...fields, sign }, charset, expiresAt,
  })));
}

/** How long a form's signed `timestamp` is valid (spec 4.1: 签名时间戳有效期30分钟). */
export const FORM_TIMESTAMP_VALIDITY_MS = 30 * 60 * 1000;
/** `valid_order` when the form leaves it out (spec 4.1: 10080 minutes, 7 days). */
export const DEFAULT_VALID_ORDER_MINUTES = 10_080;

/**
 * When the cashier stops accepting a form: 30 minutes after its `timestamp` (spec 4.1), or earlier
 * when the order's `valid_order` minutes, counted from `dt_order`, run out first (the order is
 * then set failed and cannot be paid again). A fresh form for the same order keeps `dt_order`
 * and gets a new `timestamp`.
 */
export function formExpiry(fields: Pick<UnsignedWebPaymentRequest, 'timestamp' | 'dt_order' | 'valid_order'>): PayResult<Date> {
  const signedAt = parseCst(fields.timestamp, 'timestamp');
  const created = parseCst(fields.dt_order, 'dt_order');
  if (signedAt.isErr()) return err(signedAt.error);
  if (created.isErr()) return err(created.error);
  const validMinutes = fields.valid_order === undefined ? DEFAULT_VALID_ORDER_MINUTES : Number(fields.valid_order);
  return ok(new Date(Math.min(signedAt.value.getTime() + FORM_TIMESTAMP_VALIDITY_MS, created.value.getTime() + validMinutes * 60_000)));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Renders the page that posts a redirect action from the payer's browser, with the charset meta
 * spec 4.1 requires (it must equal `charset_name`). Serve it encoded in that charset.
 *
 * @example
 * ```ts
 * const r = await paykit.payments.create(input);
 * if (r.isOk() && r.value.action.kind === 'redirect') res.type(`text/html; charset=${r.value.action.charset}`).send(renderCashierPage(r.value.action));
 * ```
 */
export function renderCashierPage(action: Extract<PaymentAction, { kind: 'redirect' }>): string {
  const inputs = Object.entries(action.fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n');
  return `<!DOCTYPE html>
<html><head><meta http-equiv="content-type" content="text/html; charset=${escapeHtml(action.charset)}"><title>LianLian</title></head>
<body onload="document.forms[0].submit()">
<form method="${action.method}" action="${escapeHtml(action.url)}" accept-charset="${escapeHtml(action.charset)}">
${inputs}
<noscript><input type="submit" value="立即支付"></noscript>
</form></body></html>`;
}
