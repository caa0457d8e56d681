/**
 * A local stand-in for LianLian's payout API: its own RSA key pair, `pay_load` decryption with
 * HMAC and signature checks, a state machine per order, notifications, and a ledger of the money
 * actually paid out. Outcomes are scripted per `no_order` by the test.
 */
import { generateKeyPairSync, randomInt, type KeyObject } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import { deliver, SimulatorServer, type RouteContext, type SimReply, type SimRequest } from '@paykit/core/simulator';
import { kvString, loadPublicKey, rsaSign, rsaVerify } from '@paykit/core';
import type * as t from 'io-ts';
import type { ResultPay } from '../mapping.js';
import { ApplyFields, ConfirmFields, Envelope, QueryFields } from '../wire.js';
import { decryptPayload } from './crypto.js';
import { simPayoutStatement, type SimPayoutStatementFault } from './statements.js';

/** What the simulator does with one payout order. */
export interface PayoutScript {
  /** How the order ends once paid out (default `success`). */
  readonly outcome?: 'success' | 'failure' | 'success-then-cancel';
  /** Hold the order for review with this code (a confirm code is issued). */
  readonly hold?: '4002' | '4003' | '4004';
  /**
   * The apply reply: `normal`; `timeout` (order taken, reply after the client gave up);
   * `query-first` (order taken, reply 9999); `query-first-untaken` (reply 2005 and no order made, on the first attempt only);
   * `reject` (4005, no order made); `reject-but-taken` (4005, though the order was taken and is paid:
   * a provider whose refusal code is wrong, whose notification must still be applied).
   */
  readonly reply?: 'normal' | 'timeout' | 'query-first' | 'query-first-untaken' | 'reject' | 'reject-but-taken';
  /** The confirm reply: `normal` or `timeout` (confirmed, reply late). */
  readonly confirmReply?: 'normal' | 'timeout';
  /** Send result notifications (default true when the notify URL is loopback). */
  readonly notify?: boolean;
  /** Delay before the first notification attempt, ms. */
  readonly notifyDelayMs?: number;
}

/** Simulator options. */
export interface LianlianPayoutSimulatorOptions {
  /** The merchant number it serves. */
  readonly oidPartner: string;
  /** The merchant's public key (verifies request signatures). */
  readonly merchantPublicKey: string | KeyObject;
  /** Time from acceptance to PROCESSING and again to the final state, ms (default 10). */
  readonly settleAfterMs?: number;
  /** Time a review hold waits for confirmation before CLOSED, ms (default 2000). */
  readonly holdExpiryMs?: number;
  /** How late a `timeout` reply comes, ms (default 1500): set above the client's timeoutMs. */
  readonly lateReplyMs?: number;
  /** Notification retry pause, ms (LianLian: 2 minutes; default 20). */
  readonly notifyIntervalMs?: number;
  /** LianLian's key pair to use (tests that decrypt independently); a fresh 1024-bit pair when absent. */
  readonly keys?: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  /** Script for orders without their own (default: success, normal replies). */
  readonly defaultScript?: (noOrder: string) => PayoutScript;
}

/** One order as the simulator keeps it. */
export interface SimPayoutOrder {
  /** Merchant order number. */
  readonly noOrder: string;
  /** Amount in fen, decoded by the simulator's own parser. */
  readonly amountFen: number;
  /** money_order as received. */
  readonly moneyOrder: string;
  /** dt_order as received. */
  readonly dtOrder: string;
  /** info_order as received. */
  readonly infoOrder: string;
  /** Notify URL. */
  readonly notifyUrl: string;
  /** LianLian's bill id. */
  readonly oidPaybill: string;
  /** Current status. */
  status: ResultPay;
  /** Confirm code while held. */
  confirmCode?: string;
  /** Settlement date once final. */
  settleDate?: string;
}

/** One ledger line: money that actually left for an order. */
export interface LedgerEntry {
  /** Order number. */
  readonly noOrder: string;
  /** Fen paid. */
  readonly amountFen: number;
  /** Times paid (must never exceed 1). */
  paidCount: number;
  /** Returned by the bank (CANCEL). */
  returned: boolean;
}

const SIGN_EXCLUDE = ['sign'];
let billCounter = 0;

function yuanToFen(text: string): number | undefined {
  const m = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  return Number(`${m[1]}${(m[2] ?? '').padEnd(2, '0')}`);
}

function decode<A>(codec: t.Decoder<unknown, A>, u: unknown): A | undefined {
  const r = codec.decode(u);
  return isLeft(r) ? undefined : r.right;
}

/** The LianLian payout simulator. */
export class LianlianPayoutSimulator {
  /** The underlying loopback server (journal, fault injection). */
  readonly server: SimulatorServer;
  /** The API base to configure as `baseUrl`. */
  readonly baseUrl: string;
  /** LianLian's public key, bare base64 SPKI (`MIGf…`), for the plugin's `lianlianPublicKey`. */
  readonly publicKey: string;
  /** Orders by no_order. */
  readonly orders = new Map<string, SimPayoutOrder>();
  /** Money paid out, by no_order. */
  readonly ledger = new Map<string, LedgerEntry>();
  /** Scripts by no_order. */
  readonly scripts = new Map<string, PayoutScript>();
  /** Every notification delivery, with its attempts. */
  readonly deliveries: { noOrder: string; resultPay: string; acknowledged: boolean }[] = [];
  /** Differences to put into the FKMX file (see {@link SimPayoutStatementFault}). */
  readonly statementFaults: SimPayoutStatementFault[] = [];
  readonly #privateKey: KeyObject;
  readonly #merchantKey: KeyObject;
  readonly #o: LianlianPayoutSimulatorOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #refusedOnce = new Set<string>();
  #closed = false;

  private constructor(server: SimulatorServer, o: LianlianPayoutSimulatorOptions, keys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject }, merchantKey: KeyObject) {
    this.server = server;
    this.#o = o;
    this.baseUrl = `${server.url}/paymentapi`;
    this.#privateKey = keys.privateKey;
    this.publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.#merchantKey = merchantKey;
    server.route('POST', '/paymentapi/payment.htm', (r, c) => this.#apply(r, c));
    server.route('POST', '/paymentapi/confirmPayment.htm', (r, c) => this.#confirm(r, c));
    server.route('POST', '/paymentapi/queryPayment.htm', (r, c) => this.#query(r, c));
  }

  /** Starts a simulator on 127.0.0.1 with a fresh 1024-bit key pair (LianLian's size). */
  static async start(o: LianlianPayoutSimulatorOptions): Promise<LianlianPayoutSimulator> {
    const merchantKey = typeof o.merchantPublicKey === 'string' ? loadPublicKey(o.merchantPublicKey) : undefined;
    if (merchantKey?.isErr()) throw new Error(merchantKey.error.message);
    const keys = o.keys ?? generateKeyPairSync('rsa', { modulusLength: 1024 });
    const server = await SimulatorServer.start();
    return new LianlianPayoutSimulator(server, o, keys, merchantKey ? merchantKey._unsafeUnwrap() : o.merchantPublicKey as KeyObject);
  }

  /** Scripts what happens to an order (before it is submitted). */
  script(noOrder: string, script: PayoutScript): this {
    this.scripts.set(noOrder, script);
    return this;
  }

  #scriptOf(noOrder: string): PayoutScript {
    return this.scripts.get(noOrder) ?? this.#o.defaultScript?.(noOrder) ?? {};
  }

  /** Signs fields as LianLian does (MD5withRSA over the sorted `k=v` text). */
  sign(fields: Record<string, string>, bad = false): Record<string, string> {
    const text = kvString(fields, { order: 'sorted', exclude: SIGN_EXCLUDE, skipNullLiteral: true });
    const sign = rsaSign('md5', this.#privateKey, bad ? `${text}&tampered=1` : text)._unsafeUnwrap();
    return { ...fields, sign };
  }

  #reply(fields: Record<string, string>, ctx: RouteContext): SimReply {
    return { headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(this.sign({ oid_partner: this.#o.oidPartner, sign_type: 'RSA', ...fields }, ctx.badSignature)) };
  }

  #code(code: string, msg: string, ctx: RouteContext, extra: Record<string, string> = {}): SimReply {
    return this.#reply({ ret_code: code, ret_msg: msg, ...extra }, ctx);
  }

  /** Opens and authenticates an encrypted request; the inner fields or an error reply. */
  #open(req: SimRequest, ctx: RouteContext): Record<string, unknown> | SimReply {
    let outer: unknown;
    try {
      outer = JSON.parse(req.body.toString('utf8'));
    } catch {
      return this.#code('1001', '请求报文格式错误', ctx);
    }
    const env = decode(Envelope, outer);
    if (!env || env.oid_partner !== this.#o.oidPartner) return this.#code('1001', '商户编号或报文格式错误', ctx);
    const opened = decryptPayload(env.pay_load, this.#privateKey);
    if (opened.isErr()) return this.#code('1001', '报文解密或校验失败', ctx);
    let inner: unknown;
    try {
      inner = JSON.parse(opened.value.json);
    } catch {
      return this.#code('1001', '请求报文格式错误', ctx);
    }
    return this.#verified(inner, ctx, env.oid_partner);
  }

  #verified(inner: unknown, ctx: RouteContext, oidPartner?: string): Record<string, unknown> | SimReply {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return this.#code('1001', '请求报文格式错误', ctx);
    const fields = inner as Record<string, unknown>;
    const text = kvString(fields, { order: 'sorted', exclude: SIGN_EXCLUDE, skipNullLiteral: true });
    if (typeof fields['sign'] !== 'string' || !rsaVerify('md5', this.#merchantKey, text, fields['sign'])) return this.#code('1001', '商户请求签名未通过', ctx);
    if (fields['oid_partner'] !== this.#o.oidPartner || (oidPartner !== undefined && fields['oid_partner'] !== oidPartner)) return this.#code('1001', '商户编号不一致', ctx);
    return fields;
  }

  async #late(reply: SimReply): Promise<SimReply> {
    await new Promise((r) => setTimeout(r, this.#o.lateReplyMs ?? 1500));
    return reply;
  }

  async #apply(req: SimRequest, ctx: RouteContext): Promise<SimReply> {
    const fields = this.#open(req, ctx);
    if ('body' in fields) return fields as SimReply;
    const f = decode(ApplyFields, fields);
    const fen = f ? yuanToFen(f.money_order) : undefined;
    if (!f || fen === undefined || fen <= 0) return this.#code('1005', '请求参数错误', ctx);
    const s = this.#scriptOf(f.no_order);
    if (this.orders.has(f.no_order)) return this.#code('4006', '商户订单号重复,请先查询', ctx, { no_order: f.no_order });
    if (s.reply === 'reject') return this.#code('4005', '商户未开通权限', ctx);
    // A transient refusal: only the first attempt meets it, as a resubmission after 8901 would.
    if (s.reply === 'query-first-untaken' && !this.#refusedOnce.has(f.no_order) && this.#refusedOnce.add(f.no_order)) return this.#code('2005', '系统处理中,请查询', ctx, { no_order: f.no_order });
    billCounter += 1;
    const order: SimPayoutOrder = {
      noOrder: f.no_order, amountFen: fen, moneyOrder: f.money_order, dtOrder: f.dt_order, infoOrder: f.info_order,
      notifyUrl: f.notify_url, oidPaybill: `2024${String(billCounter).padStart(12, '0')}`, status: 'APPLY',
    };
    this.orders.set(f.no_order, order);
    let reply: SimReply;
    if (s.hold !== undefined) {
      order.status = 'CHECK';
      order.confirmCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
      this.#after(this.#o.holdExpiryMs ?? 2000, () => {
        if (order.status === 'CHECK') this.#move(order, 'CLOSED');
      });
      reply = this.#code(s.hold, s.hold === '4003' ? '收款人姓名与卡号不一致' : s.hold === '4002' ? '疑似重复付款' : '疑似重复付款且姓名卡号不一致', ctx,
        { no_order: f.no_order, oid_paybill: order.oidPaybill, confirm_code: order.confirmCode });
    } else {
      this.#settle(order);
      reply = s.reply === 'query-first' ? this.#code('9999', '系统异常,请查询', ctx, { no_order: f.no_order })
        : s.reply === 'reject-but-taken' ? this.#code('4005', '商户未开通权限', ctx)
          : this.#code('0000', '交易成功', ctx, { no_order: f.no_order, oid_paybill: order.oidPaybill });
    }
    return s.reply === 'timeout' ? this.#late(reply) : reply;
  }

  async #confirm(req: SimRequest, ctx: RouteContext): Promise<SimReply> {
    const fields = this.#open(req, ctx);
    if ('body' in fields) return fields as SimReply;
    const f = decode(ConfirmFields, fields);
    if (!f) return this.#code('1005', '请求参数错误', ctx);
    const order = this.orders.get(f.no_order);
    if (!order) return this.#code('8901', '没有该订单记录', ctx, { no_order: f.no_order });
    const s = this.#scriptOf(f.no_order);
    let reply: SimReply;
    if (order.status === 'CHECK' && order.confirmCode === f.confirm_code) {
      order.status = 'APPLY';
      this.#settle(order);
      reply = this.#code('0000', '交易成功', ctx, { no_order: f.no_order, oid_paybill: order.oidPaybill });
    } else if (order.status !== 'CHECK' && order.status !== 'CLOSED' && order.confirmCode === f.confirm_code) {
      reply = this.#code('0000', '交易成功', ctx, { no_order: f.no_order, oid_paybill: order.oidPaybill }); // already confirmed
    } else {
      reply = this.#code('4008', '确认码错误或订单不可确认', ctx, { no_order: f.no_order });
    }
    return s.confirmReply === 'timeout' ? this.#late(reply) : reply;
  }

  #query(req: SimRequest, ctx: RouteContext): SimReply {
    let inner: unknown;
    try {
      inner = JSON.parse(req.body.toString('utf8'));
    } catch {
      return this.#code('1001', '请求报文格式错误', ctx);
    }
    const fields = this.#verified(inner, ctx);
    if ('body' in fields) return fields as SimReply;
    const f = decode(QueryFields, fields);
    if (!f) return this.#code('1005', '请求参数错误', ctx);
    const o = this.orders.get(f.no_order);
    if (!o) return this.#code('8901', '没有该订单记录', ctx);
    return this.#code('0000', '交易成功', ctx, {
      no_order: o.noOrder, dt_order: o.dtOrder, money_order: o.moneyOrder, oid_paybill: o.oidPaybill, result_pay: o.status,
      info_order: o.infoOrder, ...(o.settleDate !== undefined ? { settle_date: o.settleDate } : {}),
    });
  }

  #after(ms: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Walks an accepted order to PROCESSING and then its scripted end. */
  #settle(order: SimPayoutOrder): void {
    const ms = this.#o.settleAfterMs ?? 10;
    const s = this.#scriptOf(order.noOrder);
    this.#after(ms, () => {
      this.#move(order, 'PROCESSING');
      this.#after(ms, () => {
        if (s.outcome === 'failure') {
          this.#move(order, 'FAILURE');
          return;
        }
        this.#pay(order);
        this.#move(order, 'SUCCESS');
        if (s.outcome === 'success-then-cancel') this.#after(ms, () => this.cancel(order.noOrder));
      });
    });
  }

  #pay(order: SimPayoutOrder): void {
    const entry = this.ledger.get(order.noOrder);
    if (entry) entry.paidCount += 1;
    else this.ledger.set(order.noOrder, { noOrder: order.noOrder, amountFen: order.amountFen, paidCount: 1, returned: false });
  }

  /** A review hold runs out now instead of after `holdExpiryMs`: CHECK → CLOSED (tests that drive time themselves). */
  expireHold(noOrder: string): void {
    const order = this.orders.get(noOrder);
    if (order?.status === 'CHECK') this.#move(order, 'CLOSED');
  }

  /**
   * The settlement day's FKMX file as LianLian would publish it, from the simulator's orders (paid,
   * and returned) with its {@link statementFaults} applied.
   */
  statementFile(settleDate: string): { readonly name: string; readonly bytes: Uint8Array } {
    return simPayoutStatement(this.orders.values(), this.#o.oidPartner, settleDate, this.statementFaults);
  }

  /** The bank returns a paid order's money: SUCCESS → CANCEL. */
  cancel(noOrder: string): void {
    const order = this.orders.get(noOrder);
    const entry = this.ledger.get(noOrder);
    if (!order || order.status !== 'SUCCESS' || !entry) return;
    entry.returned = true;
    this.#move(order, 'CANCEL');
  }

  #move(order: SimPayoutOrder, status: ResultPay): void {
    order.status = status;
    if (['SUCCESS', 'FAILURE', 'CANCEL', 'CLOSED'].includes(status)) {
      order.settleDate = order.dtOrder.slice(0, 8);
      const s = this.#scriptOf(order.noOrder);
      if (s.notify !== false && status !== 'CLOSED') this.#after(s.notifyDelayMs ?? 0, () => void this.#notify(order, status));
    }
  }

  /** The notification body LianLian would post for an order in a status, signed. */
  notification(noOrder: string, resultPay?: string, bad = false): string {
    const o = this.orders.get(noOrder);
    if (!o) throw new Error(`no order ${noOrder}`);
    const status = resultPay ?? o.status;
    return JSON.stringify(this.sign({
      oid_partner: this.#o.oidPartner, sign_type: 'RSA', no_order: o.noOrder, dt_order: o.dtOrder, money_order: o.moneyOrder,
      oid_paybill: o.oidPaybill, info_order: status === 'FAILURE' ? '收款账户状态异常' : o.infoOrder, result_pay: status,
      settle_date: o.settleDate ?? o.dtOrder.slice(0, 8),
    }, bad));
  }

  async #notify(order: SimPayoutOrder, status: ResultPay): Promise<void> {
    let url: URL;
    try {
      url = new URL(order.notifyUrl);
    } catch {
      return;
    }
    if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return;
    const attempts = await deliver(order.notifyUrl, this.notification(order.noOrder, status), {
      attempts: 30, intervalMs: this.#o.notifyIntervalMs ?? 20, contentType: 'application/json;charset=utf-8',
      isAck: (st, body) => st === 200 && isAck(body),
    }).catch(() => []);
    this.deliveries.push({ noOrder: order.noOrder, resultPay: status, acknowledged: attempts.some((a) => a.acknowledged) });
  }

  /** Stops the server and every pending timer. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.server.close();
  }
}

/** Whether a body is LianLian's acknowledgement `{"ret_code":"0000",…}`. */
export function isAck(body: string): boolean {
  try {
    const j = JSON.parse(body) as { ret_code?: unknown };
    return j.ret_code === '0000';
  } catch {
    return false;
  }
}
