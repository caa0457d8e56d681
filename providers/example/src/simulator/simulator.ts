import { deliver, postOnce, SimulatorServer, type DeliveryAttempt, type Fault, type SimReply, type SimRequest } from '@paykit/core/simulator';
import type { PaymentAction } from '@paykit/core';
import { simCstDay, simCstTimestamp, simDecimal, simFee, simMinorUnits, simSign, simVerify } from './protocol.js';

/** How the simulator is set up. */
export interface ExampleSimulatorOptions {
  /** The merchant it serves. */
  readonly merchantId: string;
  /** The merchant's HMAC key. */
  readonly key: string;
  /** Deliver the notification as soon as an order is paid (default true). */
  readonly autoNotify?: boolean;
  /** Delivery attempts (default 5) and pause between them in ms (default 50). */
  readonly delivery?: { readonly attempts?: number; readonly intervalMs?: number };
}

/** An order as the simulator records it. */
export interface SimOrder {
  /** `order_no`. */
  readonly orderNo: string;
  /** Amount in minor units, as the simulator decoded it from the wire. */
  readonly amountMinor: number;
  /** Currency. */
  readonly currency: string;
  /** `PAID` or `FAILED`. */
  status: 'PAID' | 'FAILED';
  /** `payment_id`. */
  readonly paymentId: string;
  /** When it was paid. */
  readonly paidAt: Date;
  /** Where notifications go. */
  readonly notifyUrl: string;
  /** Where the payer's browser is sent back (`return_url`), when the form named one. */
  readonly returnUrl?: string;
  /** Minor units refunded so far. */
  refundedMinor: number;
}

/** A refund as the simulator records it. */
export interface SimRefund {
  /** `refund_no`. */
  readonly refundNo: string;
  /** The order. */
  readonly orderNo: string;
  /** Amount in minor units. */
  readonly amountMinor: number;
  /** Currency. */
  readonly currency: string;
  /** `refund_id`. */
  readonly refundId: string;
  /** When it was made. */
  readonly at: Date;
  /** Made in Example Pay's merchant console, not through the API (the merchant's system never heard of it). */
  readonly portal?: boolean;
}

/**
 * A provider answer the shared faults cannot give, scripted for the next call(s) to an API path:
 * a definite refusal (`refuse`: the result code is answered and nothing is done), a gateway error
 * after the work was done (`statusAfterWork`: the refund is made, the reply is an HTTP error), or
 * a slow provider (`workAfterMs`: the call waits this long before anything is done, then is
 * answered normally; the shared `delayMs` fault waits after the work instead).
 */
export type ExampleAnswer =
  | { readonly path: string; readonly refuse: string; readonly times?: number }
  | { readonly path: string; readonly statusAfterWork: number; readonly times?: number }
  | { readonly path: string; readonly workAfterMs: number; readonly times?: number };

/**
 * A difference the simulator puts into its statement, on top of what its traffic gives (a lost
 * notification, a refund made in the console and a payment retried after a failure come from
 * traffic).
 */
export type SimStatementFault =
  /** The order's line shows another amount. */
  | { readonly kind: 'amount'; readonly orderNo: string; readonly amountMinor: number }
  /** The order's line charges another fee. */
  | { readonly kind: 'fee'; readonly orderNo: string; readonly feeMinor: number }
  /** The order's line is listed twice. */
  | { readonly kind: 'duplicate'; readonly orderNo: string }
  /** The order's line is left out. */
  | { readonly kind: 'omit'; readonly orderNo: string }
  /** A payment line for an order the merchant never made. */
  | { readonly kind: 'extra'; readonly orderNo: string; readonly amountMinor: number; readonly currency: string; readonly at: Date }
  /** A fee charged on its own, tied to no order. */
  | { readonly kind: 'charge'; readonly reference: string; readonly feeMinor: number; readonly currency: string; readonly at: Date }
  /** A line of the day that is not a statement line at all. */
  | { readonly kind: 'garbage'; readonly date: string; readonly text: string }
  /** Every page of the day states this many more (or fewer) lines than it holds. */
  | { readonly kind: 'miscount'; readonly date: string; readonly by: number };

/** The decoded result of the payer paying at the cashier. */
export interface SimPayment {
  /** The order paid. */
  readonly orderId: string;
  /** Amount in minor units, decoded by the simulator. */
  readonly wireAmountMinor: number;
  /** The signed URL the cashier sends the payer's browser back to, when the form named a `return_url`. */
  readonly returnTo?: string;
}

function json(fields: Record<string, string>, status = 200): SimReply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(fields) };
}

function fieldsOf(req: SimRequest): Record<string, string> | undefined {
  try {
    const v: unknown = JSON.parse(req.body.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) return undefined;
    return v as Record<string, string>;
  } catch {
    return undefined;
  }
}

/**
 * Example Pay on 127.0.0.1: a cashier (`/pay`, naming the signed redirect back to `return_url`),
 * the signed JSON API (`/query`, `/refund`, `/refund-query`), notifications delivered with
 * retries, a test control (`/control/notify`) and the shared fault injection.
 *
 * @example
 * ```ts
 * const sim = await ExampleSimulator.start({ merchantId: 'M100', key: 'k' });
 * const paid = await sim.pay(created.action, 'succeeded');
 * await sim.close();
 * ```
 */
export class ExampleSimulator {
  /** The HTTP server (its journal holds every request received). */
  readonly server: SimulatorServer;
  /** Orders paid or failed at the cashier. */
  readonly orders = new Map<string, SimOrder>();
  /** Refunds made. */
  readonly refunds = new Map<string, SimRefund>();
  /** Every notification delivery, in order. */
  readonly deliveries: { readonly orderNo: string; readonly attempts: readonly DeliveryAttempt[] }[] = [];
  /** Differences to put into the statement (see {@link SimStatementFault}). */
  readonly statementFaults: SimStatementFault[] = [];
  readonly #o: ExampleSimulatorOptions;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #answers: { answer: ExampleAnswer; remaining: number }[] = [];
  #seq = 0;

  private constructor(server: SimulatorServer, options: ExampleSimulatorOptions) {
    this.server = server;
    this.#o = options;
  }

  /** Starts a simulator on an ephemeral loopback port. */
  static async start(options: ExampleSimulatorOptions): Promise<ExampleSimulator> {
    const sim = new ExampleSimulator(await SimulatorServer.start(), options);
    sim.#routes();
    return sim;
  }

  /** Base URL (the plugin's `baseUrl`). */
  get url(): string {
    return this.server.url;
  }

  /** Queues a fault for the next request(s). */
  inject(fault: Fault): void {
    this.server.inject(fault);
  }

  /** Scripts the answer of the next call(s) to a path (see {@link ExampleAnswer}); shared faults still apply. */
  answer(answer: ExampleAnswer): void {
    this.#answers.push({ answer, remaining: answer.times ?? 1 });
  }

  /** Drops every scripted answer and queued fault. */
  clearFaults(): void {
    this.#answers.length = 0;
    this.server.clearFaults();
  }

  /** Plays the payer: posts the cashier form and pays (or fails) the order. */
  async pay(action: PaymentAction, outcome: 'succeeded' | 'failed'): Promise<SimPayment> {
    if (action.kind !== 'redirect') throw new Error('Example Pay payments are redirects');
    const url = `${action.url}?outcome=${outcome}`;
    const reply = await postOnce(url, new URLSearchParams(action.fields as Record<string, string>).toString(), 'application/x-www-form-urlencoded');
    if (reply === undefined) throw new Error('the cashier did not answer');
    const body = JSON.parse(reply.body) as { order_no?: string; amount_minor?: string; return_to?: string; code?: string; message?: string };
    if (reply.status !== 200 || body.order_no === undefined || body.amount_minor === undefined) {
      throw new Error(`the cashier refused the form: ${body.code ?? reply.status} ${body.message ?? ''}`);
    }
    return { orderId: body.order_no, wireAmountMinor: Number(body.amount_minor), ...(body.return_to !== undefined ? { returnTo: body.return_to } : {}) };
  }

  /**
   * The signed URL the cashier redirects the payer's browser to after paying (or failing): the
   * order's `return_url` with Example Pay's result added to its query, signed over every query
   * parameter but `sign` (the merchant's own included). `outcome` overrides the recorded one.
   */
  returnRedirect(orderNo: string, outcome?: 'succeeded' | 'failed'): string {
    const order = this.orders.get(orderNo);
    if (!order) throw new Error(`the simulator has no order ${orderNo}`);
    if (order.returnUrl === undefined) throw new Error(`order ${orderNo} was paid without a return_url`);
    const status = outcome === undefined ? order.status : outcome === 'succeeded' ? 'PAID' : 'FAILED';
    const url = new URL(order.returnUrl);
    const fields: Record<string, string> = {
      ...Object.fromEntries(url.searchParams), merchant_id: this.#o.merchantId, order_no: order.orderNo, status,
      amount: simDecimal(order.amountMinor, order.currency), currency: order.currency, payment_id: order.paymentId,
      ...(status === 'PAID' ? { paid_at: simCstTimestamp(order.paidAt) } : { fail_reason: 'card declined' }),
      sign_type: 'HMAC-SHA256',
    };
    url.search = new URLSearchParams({ ...fields, sign: simSign(fields, this.#o.key) }).toString();
    return url.toString();
  }

  /** The signed notification body for an order (the recorded outcome unless another is given). */
  notificationBody(orderNo: string, outcome?: 'succeeded' | 'failed'): string {
    const order = this.orders.get(orderNo);
    if (!order) throw new Error(`the simulator has no order ${orderNo}`);
    const status = outcome === undefined ? order.status : outcome === 'succeeded' ? 'PAID' : 'FAILED';
    this.#seq += 1;
    const fields: Record<string, string> = {
      merchant_id: this.#o.merchantId, notify_id: `N${String(this.#seq).padStart(8, '0')}`, order_no: order.orderNo, status,
      amount: simDecimal(order.amountMinor, order.currency), currency: order.currency, payment_id: order.paymentId,
      ...(status === 'PAID' ? { paid_at: simCstTimestamp(order.paidAt) } : { fail_reason: 'card declined' }),
      sign_type: 'HMAC-SHA256',
    };
    return JSON.stringify({ ...fields, sign: simSign(fields, this.#o.key) });
  }

  /** Delivers an order's notification to its `notify_url` with Example Pay's retry policy. */
  async deliverNotification(orderNo: string): Promise<readonly DeliveryAttempt[]> {
    const order = this.orders.get(orderNo);
    if (!order) throw new Error(`the simulator has no order ${orderNo}`);
    const attempts = await deliver(order.notifyUrl, this.notificationBody(orderNo), {
      attempts: this.#o.delivery?.attempts ?? 5, intervalMs: this.#o.delivery?.intervalMs ?? 50,
      isAck: (status, body) => status === 200 && body === 'SUCCESS', contentType: 'application/json; charset=utf-8',
    });
    this.deliveries.push({ orderNo, attempts });
    return attempts;
  }

  /** Waits for background deliveries, then stops the server. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    await this.server.close();
  }

  #reply(fields: Record<string, string>, badSignature: boolean): SimReply {
    const signed = { ...fields, sign_type: 'HMAC-SHA256' };
    // A bad-signature fault signs with another key: the reply is well-formed but not genuine.
    return json({ ...signed, sign: simSign(signed, badSignature ? `${this.#o.key}-wrong` : this.#o.key) });
  }

  #error(code: string, message: string, badSignature = false): SimReply {
    return this.#reply({ code, message }, badSignature);
  }

  #routes(): void {
    const s = this.server;
    s.route('POST', '/pay', (req) => this.#cashier(req));
    s.route('POST', '/query', (req, ctx) => this.#api(req, ctx.badSignature, (f) => {
      const order = this.orders.get(f.order_no ?? '');
      if (!order) return this.#error('1003', 'order not found', ctx.badSignature);
      return this.#reply({
        code: '0000', message: 'ok', merchant_id: this.#o.merchantId, order_no: order.orderNo, status: order.status,
        amount: simDecimal(order.amountMinor, order.currency), currency: order.currency, payment_id: order.paymentId,
        ...(order.status === 'PAID' ? { paid_at: simCstTimestamp(order.paidAt) } : { fail_reason: 'card declined' }),
      }, ctx.badSignature);
    }));
    s.route('POST', '/refund', (req, ctx) => this.#api(req, ctx.badSignature, (f) => this.#refund(f, ctx.badSignature)));
    s.route('POST', '/refund-query', (req, ctx) => this.#api(req, ctx.badSignature, (f) => {
      const r = this.refunds.get(f.refund_no ?? '');
      return r ? this.#refundReply(r, ctx.badSignature) : this.#error('1003', 'refund not found', ctx.badSignature);
    }));
    s.route('POST', '/statement', (req, ctx) => this.#api(req, ctx.badSignature, (f) => this.#statement(f, ctx.badSignature)));
    s.route('POST', '/control/notify', async (req) => {
      const orderNo = req.query.get('order_no') ?? '';
      if (!this.orders.has(orderNo)) return json({ error: `no order ${orderNo}` }, 404);
      return json({ attempts: JSON.stringify(await this.deliverNotification(orderNo)) });
    });
  }

  #api(req: SimRequest, badSignature: boolean, handle: (fields: Record<string, string>) => SimReply): SimReply | Promise<SimReply> {
    const f = fieldsOf(req);
    if (!f) return this.#error('1002', 'body must be a JSON object of strings', badSignature);
    if (!simVerify(f, this.#o.key)) return this.#error('1001', 'signature does not verify', badSignature);
    if (f.merchant_id !== this.#o.merchantId) return this.#error('1005', 'unknown merchant', badSignature);
    const scripted = this.#takeAnswer(req.path);
    if (scripted === undefined) return handle(f);
    if ('refuse' in scripted) return this.#error(scripted.refuse, 'refused as scripted', badSignature);
    if ('workAfterMs' in scripted) return new Promise((resolve) => setTimeout(() => resolve(handle(f)), scripted.workAfterMs));
    handle(f);
    return { status: scripted.statusAfterWork, headers: { 'content-type': 'text/plain' }, body: `simulated ${scripted.statusAfterWork} after the work was done` };
  }

  #takeAnswer(path: string): ExampleAnswer | undefined {
    const i = this.#answers.findIndex((a) => a.answer.path === path);
    if (i < 0) return undefined;
    const slot = this.#answers[i] as { answer: ExampleAnswer; remaining: number };
    slot.remaining -= 1;
    if (slot.remaining <= 0) this.#answers.splice(i, 1);
    return slot.answer;
  }

  #cashier(req: SimRequest): SimReply {
    const form = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    if (!simVerify(form, this.#o.key)) return json({ code: '1001', message: 'signature does not verify' }, 400);
    const amountMinor = simMinorUnits(form.amount, form.currency);
    if (amountMinor === undefined || amountMinor <= 0 || !form.order_no || !form.notify_url) {
      return json({ code: '1002', message: 'order_no, amount, currency and notify_url are required' }, 400);
    }
    const existing = this.orders.get(form.order_no);
    if (existing?.status === 'PAID') return json({ code: '1004', message: 'order already paid' }, 409);
    const status = req.query.get('outcome') === 'failed' ? 'FAILED' : 'PAID';
    this.#seq += 1;
    const order: SimOrder = {
      orderNo: form.order_no, amountMinor, currency: form.currency ?? '', status, paymentId: `P${String(this.#seq).padStart(10, '0')}`,
      paidAt: new Date(), notifyUrl: form.notify_url, refundedMinor: 0, ...(form.return_url ? { returnUrl: form.return_url } : {}),
    };
    this.orders.set(order.orderNo, order);
    if (this.#o.autoNotify !== false) {
      const p = this.deliverNotification(order.orderNo).catch(() => undefined);
      this.#pending.add(p);
      void p.finally(() => this.#pending.delete(p));
    }
    // A real cashier answers the browser with a redirect to return_url; the simulator names it.
    return json({ order_no: order.orderNo, status, amount_minor: String(amountMinor), ...(order.returnUrl !== undefined ? { return_to: this.returnRedirect(order.orderNo) } : {}) });
  }

  #refund(f: Record<string, string>, badSignature: boolean): SimReply {
    const order = this.orders.get(f.order_no ?? '');
    if (!order) return this.#error('1003', 'order not found', badSignature);
    if (order.status !== 'PAID') return this.#error('2003', 'order is not paid', badSignature);
    if (this.refunds.has(f.refund_no ?? '')) return this.#error('1004', 'refund_no already used', badSignature);
    const minor = simMinorUnits(f.refund_amount, f.currency);
    if (minor === undefined || minor <= 0 || f.currency !== order.currency || !f.refund_no) return this.#error('1002', 'refund_amount, currency and refund_no are required', badSignature);
    if (order.refundedMinor + minor > order.amountMinor) return this.#error('2002', 'refund exceeds the refundable amount', badSignature);
    order.refundedMinor += minor;
    this.#seq += 1;
    const refund: SimRefund = { refundNo: f.refund_no, orderNo: order.orderNo, amountMinor: minor, currency: order.currency, refundId: `R${String(this.#seq).padStart(10, '0')}`, at: new Date() };
    this.refunds.set(refund.refundNo, refund);
    return this.#refundReply(refund, badSignature);
  }

  /**
   * Refunds part of a paid order in Example Pay's merchant console: the money goes back and the
   * statement shows it, but the merchant's system was never asked (no API call, no paykit record).
   */
  refundInConsole(orderNo: string, refundNo: string, amountMinor: number): SimRefund {
    const order = this.orders.get(orderNo);
    if (!order || order.status !== 'PAID') throw new Error(`order ${orderNo} is not paid`);
    if (order.refundedMinor + amountMinor > order.amountMinor) throw new Error('refund exceeds the refundable amount');
    order.refundedMinor += amountMinor;
    this.#seq += 1;
    const refund: SimRefund = { refundNo, orderNo, amountMinor, currency: order.currency, refundId: `R${String(this.#seq).padStart(10, '0')}`, at: new Date(), portal: true };
    this.refunds.set(refundNo, refund);
    return refund;
  }

  /**
   * The statement lines of a day (`YYYYMMDD`, China Standard Time), in Example Pay's line format,
   * built from the simulator's own traffic (orders paid that day, refunds made that day) with the
   * {@link SimStatementFault}s applied.
   */
  statementLines(date: string): string[] {
    const faults = this.statementFaults;
    const find = <K extends SimStatementFault['kind']>(kind: K, orderNo: string) =>
      faults.find((f): f is Extract<SimStatementFault, { kind: K }> => f.kind === kind && 'orderNo' in f && f.orderNo === orderNo);
    const out: string[] = [];
    for (const o of this.orders.values()) {
      if (o.status !== 'PAID' || simCstDay(o.paidAt) !== date || find('omit', o.orderNo)) continue;
      const amount = find('amount', o.orderNo)?.amountMinor ?? o.amountMinor;
      const fee = find('fee', o.orderNo)?.feeMinor ?? simFee(o.amountMinor);
      const line = ['PAYMENT', o.orderNo, '', o.paymentId, simDecimal(amount, o.currency), o.currency, simDecimal(fee, o.currency), simCstTimestamp(o.paidAt)].join('|');
      out.push(line);
      if (find('duplicate', o.orderNo)) out.push(line);
    }
    for (const r of this.refunds.values()) {
      if (simCstDay(r.at) !== date) continue;
      out.push(['REFUND', r.orderNo, r.refundNo, r.refundId, `-${simDecimal(r.amountMinor, r.currency)}`, r.currency, `-${simDecimal(simFee(r.amountMinor), r.currency)}`, simCstTimestamp(r.at)].join('|'));
    }
    for (const f of faults) {
      if (f.kind === 'extra' && simCstDay(f.at) === date) {
        out.push(['PAYMENT', f.orderNo, '', `P9${String(out.length).padStart(9, '0')}`, simDecimal(f.amountMinor, f.currency), f.currency, simDecimal(simFee(f.amountMinor), f.currency), simCstTimestamp(f.at)].join('|'));
      }
      if (f.kind === 'charge' && simCstDay(f.at) === date) {
        out.push(['FEE', f.reference, '', '', simDecimal(0, f.currency), f.currency, simDecimal(f.feeMinor, f.currency), simCstTimestamp(f.at)].join('|'));
      }
      if (f.kind === 'garbage' && f.date === date) out.push(f.text);
    }
    return out;
  }

  #statement(f: Record<string, string>, badSignature: boolean): SimReply {
    const date = f.date ?? '';
    const page = Number(f.page);
    if (!/^\d{8}$/.test(date) || !Number.isInteger(page) || page < 1) return this.#error('1002', 'date (YYYYMMDD) and page are required', badSignature);
    const lines = this.statementLines(date);
    const size = 500;
    const slice = lines.slice((page - 1) * size, page * size);
    return this.#reply({
      code: '0000', message: 'ok', merchant_id: this.#o.merchantId, date, page: String(page), has_more: page * size < lines.length ? 'Y' : 'N',
      count: String(slice.length + this.statementFaults.reduce((n, x) => n + (x.kind === 'miscount' && x.date === date ? x.by : 0), 0)), lines: slice.join('\n'),
    }, badSignature);
  }

  #refundReply(r: SimRefund, badSignature: boolean): SimReply {
    return this.#reply({
      code: '0000', message: 'ok', order_no: r.orderNo, refund_no: r.refundNo, status: 'SUCCESS',
      refund_amount: simDecimal(r.amountMinor, r.currency), currency: r.currency, refund_id: r.refundId,
    }, badSignature);
  }
}
