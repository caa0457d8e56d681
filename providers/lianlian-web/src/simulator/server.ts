import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { formatCst, formatCstDate, parseCst, type PayResult } from '@paykit/core';
import { deliver, SimulatorServer, type DeliveryAttempt, type Fault, type SimReply, type SimRequest } from '@paykit/core/simulator';
import { simEncodeFormValue, simParseForm, simSign, simSigningText, simSpoil, simVerify, yuanToFen, fenToYuan, type SimKeys } from './crypto.js';
import { SimLedger, type SimOrderRecord } from './ledger.js';
import { routeCards, type SimCard } from './cards.js';
import { simStatementDay, type SimStatementDay, type SimStatementEncoding, type SimStatementFault } from './statements.js';
import type { StatementLayout } from '../statements/line.js';

/** The exact acknowledgement that stops LianLian's retries (spec 4.3). */
export const SIM_ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';

/** How the simulator is set up: the merchant it serves and the keys on both sides. */
export interface LianlianWebSimulatorOptions {
  /** The merchant number it accepts. */
  readonly oidPartner: string;
  /** Shared MD5 key. */
  readonly md5Key?: string;
  /** LianLian's private key (PEM or DER/base64 PKCS#8) for RSA replies and notifications. */
  readonly lianlianPrivateKey?: string | KeyObject;
  /** The merchant's public key for RSA requests. */
  readonly merchantPublicKey?: string | KeyObject;
  /** Sign type configured "on the merchant site" for notifications (README rule 6). */
  readonly notifySignType: 'MD5' | 'RSA';
  /** Where "now" comes from (timestamp age checks); the system clock by default. */
  readonly now?: () => Date;
  /** Maximum request timestamp age, ms (spec 4.1: 30 minutes). */
  readonly maxTimestampAgeMs?: number;
  /** Notification attempts (LianLian: 30) and interval (LianLian: 2 minutes; compressed here). */
  readonly delivery?: { readonly attempts?: number; readonly intervalMs?: number };
  /** Bound cards per page of the bound-card list. */
  readonly bindListPageSize?: number;
  /**
   * Which bytes this LianLian signs and verifies for forms in another charset than UTF-8: the
   * UTF-8 bytes (default) or the bytes of `charset_name`. The documents leave it open.
   */
  readonly signedBytes?: 'UTF-8' | 'form-charset';
}

/** What the cashier page answers to a posted form (the simulator's stand-in for its HTML). */
export interface CashierOutcome {
  /** Whether the form was accepted. */
  readonly accepted: boolean;
  /** Why not. */
  readonly reason?: string;
}

const toKey = (k: string | KeyObject | undefined, kind: 'private' | 'public'): KeyObject | undefined => {
  if (k === undefined || typeof k !== 'string') return k;
  const pem = k.includes('-----BEGIN') ? k : undefined;
  if (kind === 'private') return pem ? createPrivateKey(pem) : createPrivateKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'pkcs8' });
  return pem ? createPublicKey(pem) : createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' });
};

const json = (body: unknown, status = 200): SimReply => ({ status, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(body) });

/** Fields the cashier requires (spec 4.1 是). */
const REQUIRED = ['version', 'oid_partner', 'user_id', 'timestamp', 'sign_type', 'sign', 'busi_partner', 'no_order', 'dt_order', 'name_goods', 'money_order', 'notify_url', 'risk_item'];

/**
 * A LianLian web stand-in on 127.0.0.1: the cashier (verifies the form like the gateway), order
 * query, card BIN, bound-card list and unbind, and notification delivery with LianLian's retry
 * policy compressed in time. Faults through {@link LianlianWebSimulator.inject}.
 *
 * @example
 * ```ts
 * const sim = await LianlianWebSimulator.start({ oidPartner: '201408071000001543', md5Key: 'k', notifySignType: 'MD5' });
 * // options: { cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url, … }
 * await sim.complete('A1001', 'succeeded'); // pays and notifies
 * await sim.close();
 * ```
 */
export class LianlianWebSimulator {
  /** The HTTP server (journal of received requests, faults). */
  readonly server: SimulatorServer;
  /** Orders. */
  readonly ledger = new SimLedger();
  /** Bound cards by user. */
  readonly cards = new Map<string, SimCard[]>();
  /** Every notification delivery, per order. */
  readonly deliveries: { orderId: string; attempts: readonly DeliveryAttempt[] }[] = [];
  /**
   * Fields LianLian added after spec v2.2, put (and signed like the others) in every notification,
   * sync return and signed API reply from now on. Empty by default.
   */
  readonly addedFields: Record<string, string> = {};
  /** Differences to put into the statement files (see {@link SimStatementFault}). */
  readonly statementFaults: SimStatementFault[] = [];
  readonly #o: LianlianWebSimulatorOptions;
  readonly #keys: SimKeys;
  #paybill = 0;

  private constructor(server: SimulatorServer, o: LianlianWebSimulatorOptions) {
    this.server = server;
    this.#o = o;
    const priv = toKey(o.lianlianPrivateKey, 'private');
    const pub = toKey(o.merchantPublicKey, 'public');
    this.#keys = { ...(o.md5Key !== undefined ? { md5Key: o.md5Key } : {}), ...(priv ? { lianlianPrivateKey: priv } : {}), ...(pub ? { merchantPublicKey: pub } : {}) };
  }

  /** Starts the simulator on an ephemeral loopback port. */
  static async start(o: LianlianWebSimulatorOptions): Promise<LianlianWebSimulator> {
    const sim = new LianlianWebSimulator(await SimulatorServer.start(), o);
    sim.server.route('POST', '/payment/bankgateway.htm', (req) => sim.#cashier(req));
    sim.server.route('POST', '/queryapi/orderquery.htm', (req, ctx) => sim.#api(req, ctx.badSignature, (f) => sim.#orderQuery(f)));
    routeCards(sim.server, {
      cards: sim.cards, pageSize: o.bindListPageSize ?? 10,
      api: (req, bad, handle) => sim.#api(req, bad, handle),
    });
    return sim;
  }

  /** Base URL (the plugin's `apiBaseUrl`). */
  get url(): string {
    return this.server.url;
  }

  /** The cashier URL (the plugin's `cashierUrl`). */
  get cashierUrl(): string {
    return `${this.server.url}/payment/bankgateway.htm`;
  }

  /** Queues a fault on the next matching request. */
  inject(fault: Fault): void {
    this.server.inject(fault);
  }

  #signedCharset(formCharset: string): string {
    return this.#o.signedBytes === 'form-charset' ? formCharset : 'UTF-8';
  }

  #now(): Date {
    return this.#o.now ? this.#o.now() : new Date();
  }

  /** The cashier: verifies the form like the gateway and records a WAITING order. */
  #cashier(req: SimRequest): SimReply {
    let f: Record<string, string>;
    try {
      f = simParseForm(req.body);
    } catch (e) {
      return json({ accepted: false, reason: (e as Error).message }, 400);
    }
    const refuse = (reason: string): SimReply => json({ accepted: false, reason }, 400);
    for (const k of REQUIRED) if (!f[k]) return refuse(`missing ${k}`);
    if (f.oid_partner !== this.#o.oidPartner) return refuse('unknown oid_partner');
    const charset = f.charset_name ?? 'UTF-8';
    if (!['UTF-8', 'GBK', 'GB2312', 'GB18030'].includes(charset)) return refuse('bad charset_name');
    if (!simVerify(simSigningText(f), f.sign_type as string, f.sign as string, this.#keys, this.#signedCharset(charset))) return refuse('signature does not verify');
    const ts = parseCst(f.timestamp as string);
    const maxAge = this.#o.maxTimestampAgeMs ?? 30 * 60 * 1000;
    if (ts.isErr() || Math.abs(this.#now().getTime() - ts.value.getTime()) > maxAge) return refuse('timestamp expired');
    const fen = yuanToFen(f.money_order as string);
    if (fen === undefined || fen <= 0) return refuse('bad money_order');
    if (!/^\d{14}$/.test(f.dt_order as string) || !['101001', '109001', '108001'].includes(f.busi_partner as string)) return refuse('bad dt_order or busi_partner');
    if (f.userreq_ip !== undefined && f.userreq_ip.includes('.')) return refuse('userreq_ip must use _ instead of .');
    try {
      JSON.parse(f.risk_item as string);
    } catch {
      return refuse('risk_item is not JSON');
    }
    const existing = this.ledger.get(f.no_order as string);
    if (existing?.status === 'SUCCESS' || existing?.status === 'REFUND') return refuse('order already paid');
    if (existing && (existing.dtOrder !== f.dt_order || existing.amountMinor !== fen)) return refuse('order changed since the first attempt');
    this.#paybill += 1;
    const order: SimOrderRecord = existing ?? {
      orderId: f.no_order as string, oidPartner: f.oid_partner as string, dtOrder: f.dt_order as string, amountMinor: fen,
      busiPartner: f.busi_partner as string, nameGoods: f.name_goods as string, userId: f.user_id as string, notifyUrl: f.notify_url as string,
      ...(f.info_order !== undefined ? { infoOrder: f.info_order } : {}),
      createdAt: this.#now(), status: 'WAITING', oidPaybill: `${formatCstDate(this.#now())}${String(this.#paybill).padStart(8, '0')}`,
      payType: f.pay_type ?? '2', bankCode: f.bank_code ?? '01020000', feeMinor: 0, refunds: [],
      ...(f.id_no !== undefined || f.acct_name !== undefined ? { payer: { idType: f.id_type ?? '0', ...(f.id_no !== undefined ? { idNo: f.id_no } : {}), ...(f.acct_name !== undefined ? { acctName: f.acct_name } : {}) } } : {}),
    };
    this.ledger.put(order);
    return json({ accepted: true, no_order: order.orderId, oid_paybill: order.oidPaybill });
  }

  /** Verifies a JSON API request, then answers with `handle`'s fields signed with the request's sign type. */
  #api(req: SimRequest, badSignature: boolean, handle: (f: Record<string, string>) => { fields: Record<string, unknown>; unsigned?: readonly string[]; signed?: boolean }): SimReply {
    let f: Record<string, string>;
    try {
      f = JSON.parse(req.body.toString('utf8')) as Record<string, string>;
    } catch {
      return json({ ret_code: '9999', ret_msg: '报文格式错误' });
    }
    if (f.oid_partner !== this.#o.oidPartner || !simVerify(simSigningText(f), f.sign_type ?? '', f.sign ?? '', this.#keys)) {
      return json({ ret_code: '1001', ret_msg: '签名验证失败' });
    }
    const out = handle(f);
    if (out.signed === false) return json(out.fields);
    const signType = f.sign_type as 'MD5' | 'RSA';
    const fields: Record<string, unknown> = { ...out.fields, ...this.addedFields, sign_type: signType };
    let sign = simSign(simSigningText(fields, out.unsigned ?? []), signType, this.#keys);
    // Before simSpoil, a signature already starting with "A" (one in 64) came back unchanged.
    if (badSignature) sign = simSpoil(sign, signType);
    return json({ ...fields, sign });
  }

  #orderQuery(f: Record<string, string>): { fields: Record<string, unknown>; unsigned?: readonly string[]; signed?: boolean } {
    const order = this.ledger.get(f.no_order ?? '');
    if (!order || order.dtOrder !== f.dt_order || (f.oid_paybill !== undefined && f.oid_paybill !== order.oidPaybill)) {
      return { fields: { ret_code: '8901', ret_msg: '没有记录' }, signed: false };
    }
    const v11 = f.query_version !== undefined && f.query_version !== '1.0';
    return {
      fields: {
        ret_code: '0000', ret_msg: '交易成功', result_pay: order.status, oid_partner: order.oidPartner, dt_order: order.dtOrder,
        no_order: order.orderId, oid_paybill: order.oidPaybill, money_order: fenToYuan(order.amountMinor),
        settle_date: order.settleDate, info_order: order.infoOrder, pay_type: order.payType, bank_code: order.bankCode,
        ...(v11 ? { bank_name: '中国工商银行', memo: order.memo } : {}),
      },
      unsigned: ['bank_name', 'memo'],
    };
  }

  /**
   * Plays the payer finishing at the cashier: the order succeeds or fails. A success is notified
   * (spec 4.3: only successes are) unless `notify` is false; resolves with the delivery attempts.
   */
  async complete(orderId: string, outcome: 'succeeded' | 'failed', o: { notify?: boolean; memo?: string } = {}): Promise<readonly DeliveryAttempt[]> {
    const order = this.ledger.get(orderId);
    if (!order) throw new Error(`simulator has no order ${orderId}: post the cashier form first`);
    if (order.status === 'SUCCESS') throw new Error(`order ${orderId} is already paid`);
    if (outcome === 'failed') {
      order.status = 'FAILURE';
      order.memo = o.memo ?? '银行卡余额不足';
      return [];
    }
    const now = this.#now();
    order.status = 'SUCCESS';
    order.paidAt = now;
    order.settleDate = formatCstDate(now);
    order.feeMinor = (order.amountMinor - (order.amountMinor % 200)) / 200;
    order.noAgree ??= `${formatCstDate(now)}${order.oidPaybill.slice(-8)}`;
    return o.notify === false ? [] : this.notify(orderId);
  }

  /** The signed notification body of an order as LianLian sends it (`resultPay` overrides its status). */
  notificationBody(orderId: string, resultPay?: string): string {
    const order = this.ledger.get(orderId);
    if (!order) throw new Error(`simulator has no order ${orderId}`);
    const fields: Record<string, string | undefined> = {
      oid_partner: order.oidPartner, dt_order: order.dtOrder, no_order: order.orderId, oid_paybill: order.oidPaybill,
      money_order: fenToYuan(order.amountMinor), result_pay: resultPay ?? order.status, settle_date: order.settleDate,
      info_order: order.infoOrder, pay_type: order.payType, bank_code: order.bankCode, sign_type: this.#o.notifySignType,
      no_agree: order.noAgree, id_type: order.payer?.idType, id_no: order.payer?.idNo, acct_name: order.payer?.acctName,
      ...this.addedFields,
    };
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return JSON.stringify({ ...clean, sign: simSign(simSigningText(clean), this.#o.notifySignType, this.#keys) });
  }

  /** Delivers an order's notification to its notify_url until acknowledged exactly (30 attempts, a few ms apart). */
  async notify(orderId: string, resultPay?: string): Promise<readonly DeliveryAttempt[]> {
    const order = this.ledger.get(orderId);
    if (!order) throw new Error(`simulator has no order ${orderId}`);
    const attempts = await deliver(order.notifyUrl, this.notificationBody(orderId, resultPay), {
      attempts: this.#o.delivery?.attempts ?? 30, intervalMs: this.#o.delivery?.intervalMs ?? 5,
      contentType: 'application/json;charset=UTF-8', isAck: (status, body) => status === 200 && body === SIM_ACK,
    });
    this.deliveries.push({ orderId, attempts });
    return attempts;
  }

  /**
   * The form LianLian's cashier posts to url_return after a success (spec 4.2), URL-encoded in
   * the form's charset (UTF-8 by default), signed over the bytes of the `signedBytes` option.
   */
  syncReturnBody(orderId: string, signType: 'MD5' | 'RSA', charset = 'UTF-8'): string {
    const order = this.ledger.get(orderId);
    if (!order) throw new Error(`simulator has no order ${orderId}`);
    const fields: Record<string, string | undefined> = {
      oid_partner: order.oidPartner, sign_type: signType, dt_order: order.dtOrder, no_order: order.orderId, oid_paybill: order.oidPaybill,
      money_order: fenToYuan(order.amountMinor), result_pay: 'SUCCESS', settle_date: order.settleDate, info_order: order.infoOrder,
      pay_type: order.payType, bank_code: order.bankCode, ...this.addedFields,
    };
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const all = { ...clean, sign: simSign(simSigningText(clean), signType, this.#keys, this.#signedCharset(charset)) };
    return Object.entries(all).map(([k, v]) => `${k}=${simEncodeFormValue(v, charset)}`).join('&');
  }

  /**
   * A settlement day's reconciliation files (JYMX, JYMXSUM and an empty FKMX) as LianLian would
   * publish them, from the simulator's own traffic with its {@link statementFaults} applied.
   */
  statementDay(settleDate: string, o: { readonly layout?: StatementLayout; readonly encoding?: SimStatementEncoding } = {}): PayResult<SimStatementDay> {
    return simStatementDay(this.ledger.orders(), { partnerId: this.#o.oidPartner, settleDate, layout: o.layout ?? 'comma', encoding: o.encoding ?? 'GBK' }, this.statementFaults);
  }

  /**
   * Records a refund against a paid order, as the merchant makes one on LianLian's merchant site
   * (the web API has none): statement files carry it; the order query says REFUND once all of it
   * went back.
   */
  refund(orderId: string, refundId: string, amountMinor: number): void {
    const order = this.ledger.get(orderId);
    if (!order || (order.status !== 'SUCCESS' && order.status !== 'REFUND')) throw new Error(`order ${orderId} is not paid`);
    const now = this.#now();
    order.refunds.push({ refundId, amountMinor, feeMinor: (amountMinor - (amountMinor % 200)) / 200, at: now, settleDate: formatCstDate(now) });
    const refunded = order.refunds.reduce((s, r) => s + r.amountMinor, 0);
    if (refunded >= order.amountMinor) order.status = 'REFUND';
  }

  /** Binds a card for a user (the bound-card list and unbind serve these); returns its agreement number. */
  bindCard(userId: string, card: Omit<SimCard, 'noAgree'>): string {
    const list = this.cards.get(userId) ?? [];
    const noAgree = `2014${String(Date.now() % 1e8).padStart(8, '0')}${String(list.length + 1).padStart(4, '0')}`;
    list.unshift({ ...card, noAgree });
    this.cards.set(userId, list);
    return noAgree;
  }

  /** A timestamp for forms, in China Standard Time. */
  timestamp(): string {
    return formatCst(this.#now());
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.server.close();
  }
}
