/**
 * Model-based test of refunds through the money protocol, against Example Pay's simulator: random
 * interleavings of refunds (repeated, concurrent, over the limit), provider replies that refuse,
 * get lost, come late, fail with HTTP 500 before or after the work, are garbled or wrongly signed,
 * refund queries, redelivered payment notifications, crashes and store errors at any commit, a
 * throwing logger and concurrent resolvers; then, everything resolved, paykit's records must say
 * what the provider did.
 */
import type { StoredPayment, StoredRefund } from '@paykit/core';
import fc from 'fast-check';
import { exampleFault, notificationRequest, paidOrder, SHOP, spoiled, startExample, type ExampleScenario } from './support/example.js';
import { checkReachable, command, describeModel, everFailed, replyFault, type ReplyFault } from './support/runner.js';

interface RefundScenario extends ExampleScenario {
  /** The paid orders: id, amount and the notification of its payment. */
  readonly orders: readonly { readonly id: string; readonly amount: number; readonly notification: string }[];
  /** The refund numbers the scenario may use. */
  readonly refundIds: readonly string[];
}

const REFUND_FAULTS: readonly ReplyFault[] = ['refuse', 'lost', 'late', 'http500', 'http500-after', 'garbled', 'bad-signature', 'slow', 'slow'];
const QUERY_FAULTS: readonly ReplyFault[] = ['refuse', 'lost', 'late', 'http500', 'garbled', 'bad-signature', 'slow'];
/** Example Pay refusals: 2001 the merchant's balance cannot cover it; 9999 system busy. */
const REFUND_REFUSAL = '2001';
const QUERY_REFUSAL = '9999';
const AMOUNTS = [1000, 600] as const;

const refund = fc.record({
  r: fc.nat(3), order: fc.nat(1), amount: fc.constantFrom(100, 250, 600, 1000), fault: replyFault(REFUND_FAULTS), background: fc.boolean(),
}).map(({ r, order, amount, fault, background }) => command<RefundScenario>(
  `refund R${r} of order ${order} for ${amount} (${fault}${background ? ', background' : ''})`,
  async (s) => {
    const refundId = s.refundIds[r] as string;
    const orderId = (s.orders[order] as { id: string }).id;
    exampleFault(s, '/refund', fault, REFUND_REFUSAL);
    const done = await s.machine.call(`refunds.create ${refundId}`, (pk) => pk.refunds.create({ refundId, orderId, amount: { amount, currency: 'CNY' } }), { background });
    // What the merchant is told is what happened: a refund answered succeeded was made.
    const r1 = done.result;
    if (r1?.isOk() && r1.value.status === 'succeeded') {
      const made = s.sim.refunds.get(refundId);
      if (!made || made.amountMinor !== r1.value.amount.amount || made.orderNo !== r1.value.orderId) {
        throw new Error(`refund ${refundId} was answered succeeded, but Example Pay has ${made ? `${made.amountMinor} for ${made.orderNo}` : 'no such refund'}`);
      }
    }
  },
));

const query = fc.record({ r: fc.nat(3), fault: replyFault(QUERY_FAULTS) }).map(({ r, fault }) => command<RefundScenario>(
  `refunds.query R${r} (${fault})`,
  async (s) => {
    exampleFault(s, '/refund-query', fault, QUERY_REFUSAL);
    await s.machine.call(`refunds.query ${s.refundIds[r] as string}`, (pk) => pk.refunds.query(s.refundIds[r] as string));
  },
));

const redeliver = fc.record({ order: fc.nat(1), how: fc.constantFrom('again', 'twice at once', 'badly signed') }).map(({ order, how }) => command<RefundScenario>(
  `payment notification of order ${order} delivered ${how}`,
  async (s) => {
    const body = (s.orders[order] as { notification: string }).notification;
    const once = () => s.machine.call('notifications.handle', (pk) => pk.notifications.handle(SHOP, notificationRequest(how === 'badly signed' ? spoiled(body) : body)));
    const results = await Promise.all(how === 'twice at once' ? [once(), once()] : [once()]);
    if (how === 'badly signed' && results.some((r) => r.result?.isOk())) throw new Error('a wrongly signed notification was accepted');
  },
));

describe('the money protocol, model-based: refunds', () => {
  describeModel<RefundScenario>({
    title: 'refund',
    commands: [refund, refund, query, redeliver],
    queryFaults: QUERY_FAULTS,
    kinds: ['payments', 'refunds'],
    async start(store, tag) {
      const base = await startExample(store, tag);
      const paykit = (await base.machine.main()).paykit;
      const orders = [];
      for (const [i, amount] of AMOUNTS.entries()) {
        const id = `${tag}-O${i}`;
        orders.push({ id, amount, notification: await paidOrder(paykit, base.sim, id, amount) });
      }
      return {
        ...base, orders, refundIds: [0, 1, 2, 3].map((i) => `${tag}-R${i}`),
        queryFault: (f) => exampleFault(base, '/refund-query', f, QUERY_REFUSAL),
        clearFaults: () => {
          base.sim.clearFaults();
          base.machine.network.clear();
        },
        quiesce: async () => undefined,
      };
    },
    async check(s) {
      const problems: string[] = [];
      const store = s.machine.base;
      await checkReachable(store, 'payment', problems);
      await checkReachable(store, 'refund', problems);
      const refunds: StoredRefund[] = [];
      for (const id of s.refundIds) {
        const r = (await store.get<StoredRefund>('refund', id))._unsafeUnwrap()?.value;
        const made = s.sim.refunds.get(id);
        if (r) refunds.push(r);
        // A refund is sent by the claim that recorded it, and never again (resolvers only ask).
        const sent = s.sim.server.received.filter((q) => q.path === '/refund' && (JSON.parse(q.body.toString('utf8')) as { refund_no?: string }).refund_no === id).length;
        if (sent > 1) problems.push(`refund ${id} was sent to Example Pay ${sent} times`);
        // At most one provider refund per refund number, and only one paykit knows about.
        if (made && !r) problems.push(`Example Pay refunded ${made.amountMinor} under ${id}, which paykit has no record of`);
        if (!r) continue;
        if (made && (made.amountMinor !== r.amount.amount || made.orderNo !== r.orderId)) problems.push(`refund ${id}: Example Pay refunded ${made.amountMinor} of ${made.orderNo}, paykit recorded ${r.amount.amount} of ${r.orderId}`);
        if (r.status === 'succeeded' && !made) problems.push(`refund ${id} is recorded succeeded, but Example Pay made no such refund`);
        if (r.status === 'failed' && made) problems.push(`refund ${id} is recorded failed, but Example Pay refunded ${made.amountMinor}`);
        else if (made && await everFailed(store, 'refund', id)) problems.push(`refund ${id} was recorded failed for a while, but Example Pay refunded it`);
        if (r.status !== 'succeeded' && r.status !== 'failed' && r.status !== 'needs_attention') problems.push(`refund ${id} is still ${r.status} after everything was resolved`);
      }
      for (const o of s.orders) {
        const p = (await store.get<StoredPayment>('payment', o.id))._unsafeUnwrap()?.value;
        const simOrder = s.sim.orders.get(o.id);
        if (!p || !simOrder) {
          problems.push(`order ${o.id} is missing (paykit: ${p ? 'yes' : 'no'}, Example Pay: ${simOrder ? 'yes' : 'no'})`);
          continue;
        }
        const mine = refunds.filter((r) => r.orderId === o.id);
        const sum = (rs: readonly StoredRefund[]) => rs.reduce((t, r) => t + r.amount.amount, 0);
        const succeeded = sum(mine.filter((r) => r.status === 'succeeded'));
        const reserving = sum(mine.filter((r) => r.status !== 'failed'));
        const unsure = mine.some((r) => r.status === 'needs_attention');
        // paykit's refunded total is the provider's, and the sum of the refunds it recorded succeeded.
        if (!unsure && p.refunded.amount !== simOrder.refundedMinor) problems.push(`order ${o.id}: paykit says ${p.refunded.amount} refunded, Example Pay refunded ${simOrder.refundedMinor}`);
        if (p.refunded.amount !== succeeded) problems.push(`order ${o.id}: refunded total ${p.refunded.amount}, but its succeeded refunds add up to ${succeeded}`);
        if (p.refundReserved.amount !== reserving) problems.push(`order ${o.id}: ${p.refundReserved.amount} reserved, but its refunds not failed add up to ${reserving}`);
        if (p.refunded.amount > p.amount.amount || p.refundReserved.amount > p.amount.amount) problems.push(`order ${o.id}: refunded ${p.refunded.amount} / reserved ${p.refundReserved.amount} of ${p.amount.amount}`);
        const status = p.refunded.amount === 0 ? 'succeeded' : p.refunded.amount === p.amount.amount ? 'refunded' : 'partially_refunded';
        if (p.status !== status) problems.push(`order ${o.id} is ${p.status} with ${p.refunded.amount} of ${p.amount.amount} refunded`);
      }
      return problems;
    },
    stop: (s) => s.sim.close(),
  });
});

