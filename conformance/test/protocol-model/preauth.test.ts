/**
 * Model-based test of pre-authorisations through the money protocol, against Allinpay's
 * simulator (international-card confirm v1.9 and cancel v1.8): random interleavings of captures
 * (partial, full, above the hold), voids, refunds of captured and uncaptured holds and of an
 * ordinary sale, refund queries, Allinpay's review of refunds, the issuer releasing a hold,
 * redelivered payment notifications, every network fault, crashes and store errors at any
 * commit, a throwing logger and concurrent resolvers; then, everything resolved, paykit must say
 * what Allinpay captured, voided and refunded, and never refund more than was captured.
 *
 * Allinpay has no pre-authorisation query: a capture or void whose reply was lost can only end
 * in `needs_attention`, and the check then asks that paykit show the operation it sent.
 */
import {
  createPaykit, type PaymentAction, type RawHttpRequest, type Store, type StoredPayment, type StoredPreAuth, type StoredRefund,
} from '@paykit/core';
import { LoopbackTransport } from '@paykit/core/simulator';
import { allinpayMobilePlugin } from '@paykit/provider-allinpay-mobile';
import { AllinpaySimulator } from '@paykit/provider-allinpay-mobile/testing';
import fc from 'fast-check';
import { Machine } from './support/machine.js';
import { checkReachable, command, describeModel, everFailed, replyFault, SHARED_FAULTS, sharedFault, startClock, type Scenario } from './support/runner.js';

const MD5_KEY = 'model-md5-KEY-allinpay';
const APP = 'app';
const GATEWAY = '/gateway/index.do';
const REFUND_QUERY = '/mchtoq/refundQuery';
const INTL = {
  payType: '30', issuerId: 'visa', tradeNature: 'SERVICES', international: {
    ship_to_country: 'US', ship_to_state: 'IL', ship_to_city: 'Chicago', ship_to_street1: '1 Main', ship_to_phonenumber: '312',
    ship_to_postalcode: '60601', ship_to_firstname: 'Ada', ship_to_lastname: 'L',
  },
};
/** Two holds and an ordinary sale. */
const ORDERS = [{ amount: 5000, preauth: true }, { amount: 3000, preauth: true }, { amount: 2000, preauth: false }] as const;
/** Allinpay's review statuses of a refund (spec 3.8). */
const UNDER_REVIEW = 'TKSUCC0002';
const REFUNDED = 'TKSUCC0006';
const REVIEW_REFUSED = 'TKSUCC0008';

interface PreAuthScenario extends Scenario {
  readonly sim: AllinpaySimulator;
  readonly orders: readonly { readonly id: string; readonly amount: number; readonly preauth: boolean }[];
  readonly refundIds: readonly string[];
  /** Orders whose hold the issuer released on its own. */
  readonly released: Set<string>;
}


const usd = (amount: number) => ({ amount, currency: 'USD' as const });

const capture = fc.record({ o: fc.nat(2), amount: fc.constantFrom(1000, 3000, 5000, 6000), fault: replyFault(SHARED_FAULTS), background: fc.boolean() }).map(({ o, amount, fault: f, background }) => command<PreAuthScenario>(
  `capture ${amount} of order ${o} (${f}${background ? ', background' : ''})`,
  async (s) => {
    sharedFault(s, GATEWAY, f);
    await s.machine.call(`preauth.capture ${(s.orders[o] as { id: string }).id}`, (pk) => pk.preauth.capture({ orderId: (s.orders[o] as { id: string }).id, amount: usd(amount) }), { background });
  },
));

const voidHold = fc.record({ o: fc.nat(2), fault: replyFault(SHARED_FAULTS), background: fc.boolean() }).map(({ o, fault: f, background }) => command<PreAuthScenario>(
  `void order ${o} (${f}${background ? ', background' : ''})`,
  async (s) => {
    sharedFault(s, GATEWAY, f);
    await s.machine.call(`preauth.void ${(s.orders[o] as { id: string }).id}`, (pk) => pk.preauth.void((s.orders[o] as { id: string }).id), { background });
  },
));

const refund = fc.record({ r: fc.nat(3), o: fc.nat(2), amount: fc.constantFrom(500, 1000, 3000), fault: replyFault(SHARED_FAULTS), background: fc.boolean() }).map(({ r, o, amount, fault: f, background }) => command<PreAuthScenario>(
  `refund R${r} of order ${o} for ${amount} (${f}${background ? ', background' : ''})`,
  async (s) => {
    sharedFault(s, GATEWAY, f);
    const refundId = s.refundIds[r] as string;
    await s.machine.call(`refunds.create ${refundId}`, (pk) => pk.refunds.create({ refundId, orderId: (s.orders[o] as { id: string }).id, amount: usd(amount) }), { background });
  },
));

const refundQuery = fc.record({ r: fc.nat(3), fault: replyFault(SHARED_FAULTS) }).map(({ r, fault: f }) => command<PreAuthScenario>(
  `refunds.query R${r} (${f})`,
  async (s) => {
    sharedFault(s, REFUND_QUERY, f);
    await s.machine.call(`refunds.query ${s.refundIds[r] as string}`, (pk) => pk.refunds.query(s.refundIds[r] as string));
  },
));

const provider = fc.record({ r: fc.nat(3), o: fc.nat(2), what: fc.constantFrom('approves refund', 'refuses refund', 'issuer releases hold') }).map(({ r, o, what }) => command<PreAuthScenario>(
  what === 'issuer releases hold' ? `the issuer releases the hold of order ${o}` : `Allinpay's review ${what === 'approves refund' ? 'approves' : 'refuses'} refund R${r}`,
  async (s) => {
    if (what === 'issuer releases hold') {
      const order = s.sim.orders.get((s.orders[o] as { id: string }).id);
      if ((s.orders[o] as { preauth: boolean }).preauth && order?.preauth === 'authorised') {
        order.preauth = 'cancelled';
        s.released.add((s.orders[o] as { id: string }).id);
      }
      return;
    }
    review(s, s.refundIds[r] as string, what === 'approves refund' ? REFUNDED : REVIEW_REFUSED);
  },
));

/** Ends Allinpay's review of a refund still under review. */
function review(s: PreAuthScenario, refundId: string, status: string): void {
  for (const o of s.orders) {
    if (s.sim.orders.get(o.id)?.refunds.get(refundId)?.status === UNDER_REVIEW) s.sim.setRefundStatus(o.id, refundId, status);
  }
}

const notify = fc.record({ o: fc.nat(2), how: fc.constantFrom('again', 'badly signed') }).map(({ o, how }) => command<PreAuthScenario>(
  `payment notification of order ${o} delivered ${how}`,
  async (s) => {
    const id = (s.orders[o] as { id: string }).id;
    const fields = s.sim.paymentResult(id, 'succeeded', how === 'badly signed');
    const body: RawHttpRequest = { method: 'POST', url: '/allinpay/notify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array(Buffer.from(new URLSearchParams(fields).toString(), 'utf8')) };
    const r = await s.machine.call('notifications.handle', (pk) => pk.notifications.handle(APP, body));
    if (how === 'badly signed' && r.result?.isOk()) throw new Error('a wrongly signed notification was accepted');
  },
));

async function startPreAuth(store: Store, tag: string): Promise<PreAuthScenario> {
  const sim = await AllinpaySimulator.start({ md5Key: MD5_KEY, refundStatus: UNDER_REVIEW });
  const options = {
    merchantId: sim.merchantId, md5Key: 'env:ALLINPAY_MD5_KEY', signType: '1', certificate: sim.certificatePem,
    baseUrl: sim.url, receiveUrl: 'http://127.0.0.1:9/allinpay/notify', timeoutMs: 2000,
    // Allinpay's payment result names no currency: the plugin reads it in the instance's currency.
    currency: 'USD',
  };
  const machine = new Machine({
    base: store, clock: startClock(), transport: new LoopbackTransport(2000),
    build: async (ports) => {
      const built = await createPaykit({ instances: { [APP]: { plugin: 'allinpay-mobile', options } } }, { plugins: [allinpayMobilePlugin], env: { ALLINPAY_MD5_KEY: MD5_KEY }, ...ports });
      if (built.isErr()) throw new Error(built.error.message);
      return built.value;
    },
  });
  const paykit = (await machine.main()).paykit;
  const orders = ORDERS.map((o, i) => ({ ...o, id: `${tag}-${o.preauth ? 'H' : 'S'}${i}` }));
  for (const o of orders) {
    const created = await paykit.payments.create({ orderId: o.id, amount: usd(o.amount), description: 'model stay', extra: INTL, ...(o.preauth ? { preauth: true } : {}) });
    if (created.isErr()) throw new Error(`setup: ${created.error.message}`);
    sim.pay((created.value.action as PaymentAction & { kind: 'sdk' }).payload, 'succeeded', false);
    const paid = await paykit.payments.query(o.id);
    if (paid.isErr() || paid.value.status !== 'succeeded') throw new Error(`setup: order ${o.id} not paid`);
  }
  const s: PreAuthScenario = {
    sim, machine, orders, refundIds: [0, 1, 2, 3].map((i) => `${tag}-R${i}`), released: new Set(),
    queryFault: (f) => sharedFault({ sim, machine }, REFUND_QUERY, f),
    clearFaults: () => {
      sim.server.clearFaults();
      machine.network.clear();
    },
    // Allinpay's review of every refund ends while the operator waits.
    quiesce: async () => {
      for (const id of s.refundIds) review(s, id, REFUNDED);
    },
  };
  return s;
}

describe('the money protocol, model-based: pre-authorisations', () => {
  describeModel<PreAuthScenario>({
    title: 'pre-authorisation',
    commands: [capture, capture, voidHold, refund, refund, refundQuery, provider, notify],
    queryFaults: SHARED_FAULTS,
    kinds: ['refunds', 'preauths'],
    start: startPreAuth,
    async check(s) {
      const problems: string[] = [];
      const store = s.machine.base;
      await checkReachable(store, 'preauth', problems);
      await checkReachable(store, 'refund', problems);
      await checkReachable(store, 'payment', problems);
      const refunds: StoredRefund[] = [];
      for (const id of s.refundIds) {
        const r = (await store.get<StoredRefund>('refund', id))._unsafeUnwrap()?.value;
        const made = s.orders.map((o) => ({ o, rec: s.sim.orders.get(o.id)?.refunds.get(id) })).find((x) => x.rec !== undefined);
        if (r) refunds.push(r);
        // A refund is sent by the claim that recorded it, and never again (resolvers only ask).
        const sent = s.sim.server.received.filter((q) => {
          const f = new URLSearchParams(q.body.toString('utf8'));
          return q.path === GATEWAY && f.get('version') === 'v2.3' && f.get('mchtRefundOrderNo') === id;
        }).length;
        if (sent > 1) problems.push(`refund ${id} was sent to Allinpay ${sent} times`);
        if (made && !r) problems.push(`Allinpay has refund ${id} of ${made.o.id}, which paykit has no record of`);
        if (!r || r.status === 'needs_attention') continue;
        const simStatus = made?.rec?.status;
        const expected = simStatus === REFUNDED ? 'succeeded' : 'failed';
        if (made && (made.rec?.amount !== r.amount.amount || made.o.id !== r.orderId)) problems.push(`refund ${id}: Allinpay has ${made.rec?.amount ?? '?'} of ${made.o.id}, paykit recorded ${r.amount.amount} of ${r.orderId}`);
        if (r.status !== expected) problems.push(`refund ${id} is recorded ${r.status}, but Allinpay's refund is ${simStatus ?? 'absent'}`);
        else if (simStatus === REFUNDED && await everFailed(store, 'refund', id)) problems.push(`refund ${id} was recorded failed for a while, but Allinpay refunded it`);
      }
      for (const o of s.orders) {
        const simOrder = s.sim.orders.get(o.id);
        const p = (await store.get<StoredPayment>('payment', o.id))._unsafeUnwrap()?.value;
        const a = (await store.get<StoredPreAuth>('preauth', o.id))._unsafeUnwrap()?.value;
        if (!simOrder || !p) {
          problems.push(`order ${o.id} is missing`);
          continue;
        }
        const simRefunded = [...simOrder.refunds.values()].filter((r) => r.status === REFUNDED).reduce((t, r) => t + r.amount, 0);
        const simCaptured = simOrder.preauth === 'confirmed' ? simOrder.confirmedAmount ?? 0 : 0;
        if (!o.preauth) {
          // An ordinary sale is never captured or voided.
          if (simOrder.preauth !== 'authorised') problems.push(`a ${simOrder.preauth === 'confirmed' ? 'capture' : 'void'} of the ordinary sale ${o.id} reached Allinpay`);
          if (a) problems.push(`the ordinary sale ${o.id} has a pre-authorisation record (${a.status})`);
          if (simRefunded > o.amount) problems.push(`Allinpay refunded ${simRefunded} of the sale ${o.id} of ${o.amount}`);
        } else {
          // Refunded ≤ captured ≤ authorised, at Allinpay as in paykit.
          if (simRefunded > simCaptured) problems.push(`Allinpay refunded ${simRefunded} of hold ${o.id}, of which ${simCaptured} was captured`);
          if (simCaptured > o.amount) problems.push(`Allinpay captured ${simCaptured} of the hold ${o.id} of ${o.amount}`);
          const status = a?.status ?? 'authorised';
          if (status === 'captured' && (simOrder.preauth !== 'confirmed' || a?.captured?.amount !== simCaptured)) problems.push(`hold ${o.id} is recorded captured ${a?.captured?.amount ?? '?'}, Allinpay has it ${simOrder.preauth} ${simCaptured}`);
          if (status === 'voided' && simOrder.preauth !== 'cancelled') problems.push(`hold ${o.id} is recorded voided, Allinpay has it ${simOrder.preauth}`);
          if (status === 'authorised' && a?.inFlight === undefined && (simOrder.preauth === 'confirmed' || (simOrder.preauth === 'cancelled' && !s.released.has(o.id)))) {
            problems.push(`hold ${o.id} is recorded authorised with nothing in flight, but Allinpay has it ${simOrder.preauth}`);
          }
          if (status === 'needs_attention') {
            // What was sent and never answered is shown to the operator, and explains Allinpay's state.
            const op = a?.inFlight?.operation;
            const explained = simOrder.preauth === 'authorised' || (simOrder.preauth === 'confirmed' && op === 'preauth.capture' && a?.inFlight?.amount?.amount === simCaptured)
              || (simOrder.preauth === 'cancelled' && (op === 'preauth.void' || s.released.has(o.id)));
            if (!explained) problems.push(`hold ${o.id} needs attention with ${op ?? 'nothing'} in flight, which does not explain Allinpay's ${simOrder.preauth} ${simCaptured}`);
          }
          if (a?.captured && a.captured.amount > o.amount) problems.push(`hold ${o.id}: captured ${a.captured.amount} of ${o.amount}`);
        }
        const mine = refunds.filter((r) => r.orderId === o.id);
        const succeeded = mine.filter((r) => r.status === 'succeeded').reduce((t, r) => t + r.amount.amount, 0);
        const reserving = mine.filter((r) => r.status !== 'failed').reduce((t, r) => t + r.amount.amount, 0);
        const base = o.preauth ? (a?.status === 'captured' ? a.captured?.amount ?? 0 : 0) : o.amount;
        if (p.refunded.amount !== succeeded) problems.push(`order ${o.id}: refunded total ${p.refunded.amount}, its succeeded refunds add up to ${succeeded}`);
        if (p.refundReserved.amount !== reserving) problems.push(`order ${o.id}: ${p.refundReserved.amount} reserved, its refunds not failed add up to ${reserving}`);
        if (reserving > base) problems.push(`order ${o.id}: refunds of ${reserving} reserved against ${base} ${o.preauth ? 'captured' : 'paid'}`);
        if (!mine.some((r) => r.status === 'needs_attention') && p.refunded.amount !== simRefunded) problems.push(`order ${o.id}: paykit says ${p.refunded.amount} refunded, Allinpay refunded ${simRefunded}`);
      }
      return problems;
    },
    stop: (s) => s.sim.close(),
  });
});
