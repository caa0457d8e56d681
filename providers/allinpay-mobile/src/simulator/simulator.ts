import { deliver, SimulatorServer, type DeliveryAttempt, type RouteContext, type SimReply, type SimRequest } from '@paykit/core/simulator';
import { simulatorIdentity, type SimulatorIdentity } from './keys.js';
import { simMd5, simRsa, simSource, SIM_INTERNATIONAL_ORDER, SIM_ORDERS, spoil } from './wire.js';

/** How the simulator is set up. */
export interface AllinpaySimulatorOptions {
  /** Merchant number it accepts (default `100020091218001`). */
  readonly merchantId?: string;
  /** The merchant's MD5 key (default `1234567890`). */
  readonly md5Key?: string;
  /** Pause between notification retries, ms (Allinpay: minutes; default 50). */
  readonly retryIntervalMs?: number;
  /** Detail lines per batch query page (Allinpay: 500). */
  readonly pageSize?: number;
  /** Refund status a newly accepted refund gets (default `TKSUCC0006`, refunded). */
  readonly refundStatus?: string;
}

/** An order the simulator knows, from the payData it received. */
export interface SimOrder {
  /** payData fields as received. */
  readonly payData: Readonly<Record<string, string>>;
  /** `paid`, `failed` or `unpaid`. */
  status: 'paid' | 'failed' | 'unpaid';
  /** Allinpay order id. */
  readonly paymentOrderId: string;
  /** Payment time `YYYYMMDDHHmmss`. */
  payDatetime: string;
  /** Refunds by merchant refund number. */
  readonly refunds: Map<string, { amount: number; refundDatetime: string; status: string; reply: string }>;
  /** Pre-authorisation state. */
  preauth: 'authorised' | 'confirmed' | 'cancelled';
  /** The amount a confirm captured (minor units), once confirmed. */
  confirmedAmount?: number;
}

/** What `pay` decoded from the payData. */
export interface SimPayment {
  /** Order number. */
  readonly orderNo: string;
  /** `orderAmount` in minor units as the simulator decoded it. */
  readonly orderAmount: number;
  /** Notification deliveries (when requested). */
  readonly delivery?: Promise<readonly DeliveryAttempt[]>;
}

/**
 * A difference the simulator puts into its batch query answers, on top of what its traffic gives
 * (a lost notification, a refund the merchant never heard the end of come from traffic).
 */
export type SimBatchFault =
  /** The order's detail line shows another amount (minor units). */
  | { readonly kind: 'amount'; readonly orderNo: string; readonly amount: number }
  /** The order's detail line is listed twice. */
  | { readonly kind: 'duplicate'; readonly orderNo: string }
  /** The order's detail line is left out. */
  | { readonly kind: 'omit'; readonly orderNo: string }
  /** The order's detail line ends with this 处理结果 instead of 1 (spec 3.4: 0 is not paid); listed even when the order was not paid. */
  | { readonly kind: 'payResult'; readonly orderNo: string; readonly payResult: string }
  /** A paid order the merchant never made, paid on `day` (`YYYYMMDD`). */
  | { readonly kind: 'extra'; readonly orderNo: string; readonly amount: number; readonly day: string }
  /** Every header of the day states this many more lines than the page holds. */
  | { readonly kind: 'count'; readonly by: number }
  /** A detail line that is not one (the signed page holds it: the page cannot be read). */
  | { readonly kind: 'garbage'; readonly text: string };

/** Refund states that give the amount back to the order (spec 3.8: reversed, failed, refused). */
const FAILED_REFUND = new Set(['TKSUCC0004', 'TKSUCC0007', 'TKSUCC0008']);

const now14 = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);

/**
 * An Allinpay stand-in on 127.0.0.1: verifies `signMsg`, "pays" orders as a test asks, posts the
 * notification to receiveUrl (1 + 3 retries), and answers the single and batch queries, refunds,
 * refund queries and pre-auth confirm/cancel in their exact reply formats, with either sign type.
 *
 * @example
 * ```ts
 * const sim = await AllinpaySimulator.start();
 * // configure the instance with baseUrl: sim.url, certificate: sim.certificatePem, md5Key: sim.md5Key
 * await sim.pay(action.payload, 'succeeded');
 * await sim.close();
 * ```
 */
export class AllinpaySimulator {
  /** Orders by number. */
  readonly orders = new Map<string, SimOrder>();
  /** Merchant number. */
  readonly merchantId: string;
  /** MD5 key. */
  readonly md5Key: string;
  /** Differences to put into batch query answers (see {@link SimBatchFault}). */
  readonly batchFaults: SimBatchFault[] = [];
  /**
   * When set, the next pre-authorisation confirm or cancel is carried out and then answered, signed,
   * with this code and message instead of 0000 (a code the merchant's copy of the spec may not list).
   */
  nextPreAuthAnswer: { readonly retCode: string; readonly retMsg: string } | undefined;
  readonly #identity: SimulatorIdentity;
  readonly #o: AllinpaySimulatorOptions;
  #seq = 0;

  private constructor(readonly server: SimulatorServer, o: AllinpaySimulatorOptions) {
    this.#o = o;
    this.merchantId = o.merchantId ?? '100020091218001';
    this.md5Key = o.md5Key ?? '1234567890';
    this.#identity = simulatorIdentity();
  }

  /** Starts the simulator on an ephemeral loopback port. */
  static async start(o: AllinpaySimulatorOptions = {}): Promise<AllinpaySimulator> {
    const sim = new AllinpaySimulator(await SimulatorServer.start(), o);
    sim.server.route('POST', '/gateway/index.do', (req, ctx) => sim.#gateway(req, ctx));
    sim.server.route('POST', '/mchtoq/index.do', (req, ctx) => sim.#batch(req, ctx));
    sim.server.route('POST', '/mchtoq/refundQuery', (req, ctx) => sim.#refundQuery(req, ctx));
    sim.server.route('POST', '/sim/pay', async (req) => {
      const { payData, outcome } = JSON.parse(req.body.toString('utf8')) as { payData: string; outcome: 'succeeded' | 'failed' };
      const paid = sim.pay(payData, outcome, false);
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderNo: paid.orderNo, orderAmount: paid.orderAmount }) };
    });
    return sim;
  }

  /** Base URL (`baseUrl` of the instance). */
  get url(): string {
    return this.server.url;
  }

  /** The simulator's certificate (PEM): the instance's `certificate`. */
  get certificatePem(): string {
    return this.#identity.certificatePem;
  }

  /** The simulator's certificate as DER bytes. */
  get certificateDer(): Uint8Array {
    return this.#identity.certificateDer;
  }

  /**
   * Plays the payer in the control: verifies the payData's signMsg, records the order with the
   * outcome and, when `notify` is set, posts the notification to receiveUrl (successes only, as
   * Allinpay does: spec 2.2.3). Throws on a bad payData (simulators are test code).
   */
  pay(payDataJson: string, outcome: 'succeeded' | 'failed', notify = true): SimPayment {
    const fields = JSON.parse(payDataJson) as Record<string, string>;
    // Spec 5.1 c: the payData is signed in its inputCharset (1 UTF-8, 2 GBK, 3 GB2312 ⊂ GBK).
    const expected = simMd5(`${simSource(fields, SIM_ORDERS.payData)}&key=${this.md5Key}`, fields.inputCharset === '2' || fields.inputCharset === '3' ? 'gbk' : 'utf8');
    if (fields.signMsg !== expected) throw new Error('payData signMsg does not verify (ZF10020)');
    if (fields.merchantId !== this.merchantId) throw new Error('unknown merchant (ZF30005)');
    if (!/^\d{1,10}$/.test(fields.orderAmount ?? '')) throw new Error('orderAmount is not an integer (ZF10014)');
    // Spec 5.4: an international-card payData's ext1 is the MD5 of its extra fields (a masked CVV2 does not match).
    if (fields.ship_to_country !== undefined && fields.ext1 !== simMd5(SIM_INTERNATIONAL_ORDER.map((n) => fields[n] ?? '').join(''))) {
      throw new Error('ext1 does not match the international-card fields (ZF10008)');
    }
    const orderNo = fields.orderNo as string;
    this.#seq += 1;
    const order: SimOrder = {
      payData: fields, status: outcome === 'succeeded' ? 'paid' : 'failed', paymentOrderId: `${Date.now()}${String(this.#seq).padStart(4, '0')}`,
      payDatetime: now14(), refunds: new Map(), preauth: 'authorised',
    };
    this.orders.set(orderNo, order);
    const orderAmount = Number(fields.orderAmount);
    if (!notify || outcome !== 'succeeded') return { orderNo, orderAmount };
    const delivery = deliver(fields.receiveUrl as string, this.notificationBody(orderNo), {
      attempts: 4, intervalMs: this.#o.retryIntervalMs ?? 50, contentType: 'application/x-www-form-urlencoded',
      isAck: (status) => status >= 200 && status < 300,
    }).catch(() => []);
    return { orderNo, orderAmount, delivery };
  }

  /** The payment-result fields of an order, signed per its signType (optionally forced to an outcome). */
  paymentResult(orderNo: string, outcome?: 'succeeded' | 'failed', badSignature = false): Record<string, string> {
    const order = this.orders.get(orderNo);
    if (!order) throw new Error(`simulator has no order ${orderNo}`);
    const paid = (outcome ?? (order.status === 'paid' ? 'succeeded' : 'failed')) === 'succeeded';
    const p = order.payData;
    const fields: Record<string, string> = {
      merchantId: this.merchantId, version: 'v1.0', language: '1', signType: p.signType as string, payType: p.payType ?? '0',
      paymentOrderId: order.paymentOrderId, orderNo, orderDatetime: p.orderDatetime as string, orderAmount: p.orderAmount as string,
      payDatetime: order.payDatetime, payAmount: p.orderAmount as string, ext1: p.ext1 ?? '', payResult: paid ? '1' : '0',
      errorCode: paid ? '' : 'P00002_100003', returnDatetime: now14(),
    };
    const source = simSource(fields, SIM_ORDERS.paymentResult);
    const sig = p.signType === '1' ? simRsa(this.#identity.privateKey, source) : simMd5(`${source}&key=${this.md5Key}`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== '') out[k] = v;
    return { ...out, signMsg: badSignature ? spoil(sig) : sig };
  }

  /** The notification form body of an order, as posted to receiveUrl. */
  notificationBody(orderNo: string, outcome?: 'succeeded' | 'failed'): string {
    return new URLSearchParams(this.paymentResult(orderNo, outcome)).toString();
  }

  /**
   * The JSON string the payment control hands the app when it closes after `pay` (spec 2.2.2): the
   * iOS form (`payResult` 0 accepted, 1 failed; `payAmount` a number) or the Android one
   * (`allinpay_pay_res`; `payAmount` a string). Neither names the order nor is signed.
   */
  controlResult(orderNo: string, platform: 'ios' | 'android'): string {
    const order = this.orders.get(orderNo);
    if (!order) throw new Error(`simulator has no order ${orderNo}`);
    const accepted = order.status === 'paid';
    const common = { payTime: order.payDatetime, payOrderId: order.paymentOrderId };
    return platform === 'ios'
      ? JSON.stringify({ payResult: accepted ? 0 : 1, payAmount: Number(order.payData.orderAmount), ...common })
      : JSON.stringify({ allinpay_pay_res: accepted ? 'allinpay_pay_success' : 'allinpay_pay_fail', payAmount: order.payData.orderAmount, ...common });
  }

  /** Sets a refund's TKSUCC status (tests). */
  setRefundStatus(orderNo: string, refundNo: string, status: string): void {
    const r = this.orders.get(orderNo)?.refunds.get(refundNo);
    if (r) r.status = status;
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  #form(req: SimRequest, order: readonly string[]): { fields: Record<string, string>; error?: string } {
    const fields: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) fields[k] = v;
    if (fields.merchantId !== this.merchantId) return { fields, error: 'ERRORCODE=ZF30005&ERRORMSG=商户号不存在或配置错误' };
    if (fields.signMsg !== simMd5(`${simSource(fields, order)}&key=${this.md5Key}`)) return { fields, error: 'ERRORCODE=ZF10020&ERRORMSG=签名错误' };
    return { fields };
  }

  #gateway(req: SimRequest, ctx: RouteContext): SimReply {
    const version = new URLSearchParams(req.body.toString('utf8')).get('version');
    const order = version === 'v1.5' ? SIM_ORDERS.orderQuery : version === 'v2.3' ? SIM_ORDERS.refund
      : version === 'v1.8' ? SIM_ORDERS.preAuthCancel : version === 'v1.9' ? SIM_ORDERS.preAuthConfirm : undefined;
    if (!order) return { body: 'ERRORCODE=ZF10019&ERRORMSG=参数报文版本号不正确' };
    const { fields, error } = this.#form(req, order);
    if (error) return { body: error };
    const o = this.orders.get(fields.orderNo ?? '');
    if (version === 'v1.5') {
      if (!o || o.status !== 'paid') return { body: 'ERRORCODE=ZF10027&ERRORMSG=该笔订单不存在' };
      const result = this.paymentResult(fields.orderNo as string, 'succeeded', ctx.badSignature);
      return { body: Object.entries(result).map(([k, v]) => `${k}=${v}`).join('&') };
    }
    if (version === 'v2.3') return { body: this.#refund(fields, o, ctx) };
    return { body: this.#preauth(version === 'v1.9' ? 'confirm' : 'cancel', fields, o, ctx) };
  }

  #refund(f: Record<string, string>, o: SimOrder | undefined, ctx: RouteContext): string {
    if (!o || o.status !== 'paid' || o.payData.orderDatetime !== f.orderDatetime) return 'ERRORCODE=ZF10027&ERRORMSG=该笔订单不存在';
    const refundNo = f.mchtRefundOrderNo ?? `R${o.refunds.size + 1}`;
    const previous = o.refunds.get(refundNo);
    if (previous) return previous.reply; // the same refund number again: the same answer, nothing refunded twice
    const amount = Number(f.refundAmount);
    const refunded = [...o.refunds.values()].filter((r) => !FAILED_REFUND.has(r.status)).reduce((s, r) => s + r.amount, 0);
    if (!/^\d{1,10}$/.test(f.refundAmount ?? '') || amount <= 0 || refunded + amount > Number(o.payData.orderAmount)) {
      return 'ERRORCODE=ZF10028&ERRORMSG=该笔订单不符合退款条件';
    }
    const refundDatetime = now14();
    const fields: Record<string, string> = {
      merchantId: this.merchantId, version: 'v2.3', signType: f.signType as string, orderNo: f.orderNo as string,
      orderAmount: o.payData.orderAmount as string, orderDatetime: f.orderDatetime as string, refundAmount: f.refundAmount as string,
      refundDatetime, refundResult: '20', mchtRefundOrderNo: refundNo, returnDatetime: now14(),
    };
    const sig = simMd5(`${simSource(fields, SIM_ORDERS.refundReply)}&key=${this.md5Key}`);
    const reply = `${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('&')}&signMsg=${ctx.badSignature ? spoil(sig) : sig}`;
    o.refunds.set(refundNo, { amount, refundDatetime, status: this.#o.refundStatus ?? 'TKSUCC0006', reply });
    return reply;
  }

  #linesReply(lines: readonly string[], signType: string, badSignature: boolean): string {
    const text = lines.join('\r\n');
    const sig = signType === '0' ? simMd5(`${text}|${this.md5Key}`) : simRsa(this.#identity.privateKey, simMd5(text));
    return `${text}\r\n${badSignature ? spoil(sig) : sig}`;
  }

  #refundQuery(req: SimRequest, ctx: RouteContext): SimReply {
    const { fields: f, error } = this.#form(req, SIM_ORDERS.refundQuery);
    if (error) return { body: error.replace('ZF10020', '010').replace('ZF30005', '003') };
    const o = this.orders.get(f.orderNo ?? '');
    if (!o) return { body: 'ERRORCODE=005&ERRORMSG=订单号不存在' };
    const found = [...o.refunds.entries()].filter(([no, r]) => (f.mchtRefundOrderNo ? no === f.mchtRefundOrderNo : String(r.amount) === f.refundAmount));
    if (found.length === 0) return { body: 'ERRORCODE=011&ERRORMSG=退款订单不存在' };
    const lines = found.map(([no, r]) => ['v2.4', f.signType, this.merchantId, f.orderNo, String(r.amount), r.refundDatetime, no, r.status, now14()].join('|'));
    return { body: this.#linesReply(lines, f.signType as string, ctx.badSignature) };
  }

  #preauth(op: 'confirm' | 'cancel', f: Record<string, string>, o: SimOrder | undefined, ctx: RouteContext): string {
    let retCode = '0000';
    let retMsg = op === 'confirm' ? '预授权确认成功' : '预授权撤销成功';
    if (!o || o.status !== 'paid' || o.preauth !== 'authorised' || f.orderAmount !== o.payData.orderAmount
      || (op === 'confirm' && Number(f.confirmAmount) > Number(f.orderAmount))) {
      retCode = op === 'cancel' ? 'FC0003_000008' : 'FC0004_000001';
      retMsg = op === 'cancel' ? '预授权撤销失败' : '预授权确认失败';
    } else {
      o.preauth = op === 'confirm' ? 'confirmed' : 'cancelled';
      if (op === 'confirm') o.confirmedAmount = Number(f.confirmAmount);
      if (this.nextPreAuthAnswer !== undefined) ({ retCode, retMsg } = this.nextPreAuthAnswer);
      this.nextPreAuthAnswer = undefined;
    }
    const line = [retCode, retMsg, op === 'confirm' ? 'v1.9' : 'v1.8', f.signType, this.merchantId, f.orderNo, f.orderDatetime,
      f.orderAmount, f.currency, o?.paymentOrderId ?? '0', now14()].join('|');
    return this.#linesReply([line], f.signType as string, ctx.badSignature);
  }

  #batch(req: SimRequest, ctx: RouteContext): SimReply {
    const { fields: f, error } = this.#form(req, SIM_ORDERS.batchQuery);
    if (error) return { body: Buffer.from(error, 'utf8').toString('base64') };
    const day = (f.beginDateTime ?? '').slice(0, 8);
    const fault = <K extends SimBatchFault['kind']>(kind: K, orderNo: string) =>
      this.batchFaults.find((x): x is Extract<SimBatchFault, { kind: K }> => x.kind === kind && 'orderNo' in x && x.orderNo === orderNo);
    const lines: string[] = [];
    for (const [no, o] of this.orders) {
      const payResult = fault('payResult', no)?.payResult;
      if ((o.status !== 'paid' && payResult === undefined) || !o.payDatetime.startsWith(day) || fault('omit', no)) continue;
      const amount = String(fault('amount', no)?.amount ?? o.payData.orderAmount);
      const line = [this.merchantId, o.paymentOrderId, no, o.payData.orderDatetime, amount, o.payDatetime, amount, o.payData.ext1 ?? '', '', payResult ?? '1'].join('|');
      lines.push(line);
      if (fault('duplicate', no)) lines.push(line);
    }
    for (const x of this.batchFaults) {
      if (x.kind === 'extra' && x.day === day) lines.push([this.merchantId, `9${Date.now()}`, x.orderNo, `${day}080000`, String(x.amount), `${day}090000`, String(x.amount), '', '', '1'].join('|'));
      if (x.kind === 'garbage') lines.push(x.text);
    }
    const size = this.#o.pageSize ?? 500;
    const pageNo = Number(f.pageNo);
    const details = lines.slice((pageNo - 1) * size, pageNo * size);
    const hasNext = pageNo * size < lines.length ? 'Y' : 'N';
    const stated = details.length + this.batchFaults.reduce((n, x) => n + (x.kind === 'count' ? x.by : 0), 0);
    const header = details.length === 0 ? `${this.merchantId}|0|0|N` : `${this.merchantId}|${stated}|${pageNo}|${hasNext}`;
    const signed = [header, ...details].map((l) => `${l}\r\n`).join('');
    const sig = simRsa(this.#identity.privateKey, simMd5(signed));
    return { body: Buffer.from(`${signed}\r\n${ctx.badSignature ? spoil(sig) : sig}\r\n`, 'utf8').toString('base64') };
  }
}
