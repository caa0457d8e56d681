/**
 * Model-based test of payments, against Example Pay's simulator: random interleavings of payment
 * creates (a retry, a fresh cashier form), the payer paying or failing (and paying after a
 * failure), the provider's notifications delivered again, at once, out of order or wrongly
 * signed, queries meeting every reply fault, crashes and store errors at any commit, a throwing
 * logger and concurrent resolvers; then, everything resolved, paykit's payments must say what
 * Example Pay was paid.
 */
import type { PaymentAction, StoredPayment } from '@paykit/core';
import fc from 'fast-check';
import { exampleFault, notificationRequest, SHOP, spoiled, startExample, type ExampleScenario } from './support/example.js';
import { deliverCommand, Outbox } from './support/outbox.js';
import { checkReachable, command, describeModel, replyFault, type ReplyFault } from './support/runner.js';

interface PaymentScenario extends ExampleScenario {
  /** The orders the scenario may pay, with their amounts. */
  readonly orders: readonly { readonly id: string; readonly amount: number }[];
  /** The cashier forms paykit gave out, per order (the payer may use any of them). */
  readonly forms: Map<string, PaymentAction[]>;
  /** Every notification Example Pay sent. */
  readonly outbox: Outbox;
}

const QUERY_FAULTS: readonly ReplyFault[] = ['refuse', 'lost', 'late', 'http500', 'garbled', 'bad-signature', 'slow'];
const QUERY_REFUSAL = '9999';
const AMOUNTS = [1000, 2500] as const;

const create = fc.record({ o: fc.nat(1), background: fc.boolean() }).map(({ o, background }) => command<PaymentScenario>(
  `create the payment of order ${o}${background ? ' (background)' : ''}`,
  async (s) => {
    const { id, amount } = s.orders[o] as { id: string; amount: number };
    await s.machine.call(`payments.create ${id}`, (pk) => pk.payments.create({ orderId: id, amount: { amount, currency: 'CNY' }, description: 'model tea' }), {
      background,
      then(r) {
        if (r.isErr()) return;
        const forms = s.forms.get(id) ?? [];
        // Every form of an order names the same order time: the provider knows the order by it.
        const first = forms[0]?.kind === 'redirect' ? forms[0].fields.created_at : undefined;
        const now = r.value.action.kind === 'redirect' ? r.value.action.fields.created_at : undefined;
        if (first !== undefined && now !== first) s.machine.violations.push(`order ${id}: a new cashier form says created_at ${String(now)}, the first said ${first}`);
        s.forms.set(id, [...forms, r.value.action]);
      },
    });
  },
));

const pay = fc.record({ o: fc.nat(1), outcome: fc.constantFrom<'succeeded' | 'failed'>('succeeded', 'succeeded', 'failed'), form: fc.nat(3) }).map(({ o, outcome, form }) => command<PaymentScenario>(
  `the payer ${outcome === 'succeeded' ? 'pays' : 'fails to pay'} order ${o} (form ${form})`,
  async (s) => {
    const id = (s.orders[o] as { id: string }).id;
    const forms = s.forms.get(id) ?? [];
    if (forms.length === 0) return;
    try {
      await s.sim.pay(forms[form % forms.length] as PaymentAction, outcome);
    } catch {
      return; // the cashier refuses an order already paid
    }
    s.machine.trace(`Example Pay: order ${id} ${s.sim.orders.get(id)?.status ?? '?'}`);
    s.outbox.post(s.sim.notificationBody(id));
  },
));

const query = fc.record({ o: fc.nat(1), fault: replyFault(QUERY_FAULTS) }).map(({ o, fault }) => command<PaymentScenario>(
  `payments.query order ${o} (${fault})`,
  async (s) => {
    exampleFault(s, '/query', fault, QUERY_REFUSAL);
    await s.machine.call(`payments.query ${(s.orders[o] as { id: string }).id}`, (pk) => pk.payments.query((s.orders[o] as { id: string }).id));
  },
));

describe('the money protocol, model-based: payments', () => {
  describeModel<PaymentScenario>({
    title: 'payment',
    commands: [create, create, create, pay, pay, pay, deliverCommand(), deliverCommand(), query],
    queryFaults: QUERY_FAULTS,
    kinds: ['payments'],
    // An order whose payer never reached the cashier is closed by the scan that ends the scenario.
    resolveOptions: { closeNotFoundAfter: 0 },
    async start(store, tag) {
      const base = await startExample(store, tag);
      // Example Pay delivers a notification until it is acknowledged.
      const outbox = new Outbox(base.machine, SHOP, notificationRequest, spoiled);
      return {
        ...base, outbox, forms: new Map(), orders: AMOUNTS.map((amount, i) => ({ id: `${tag}-O${i}`, amount })),
        queryFault: (f) => exampleFault(base, '/query', f, QUERY_REFUSAL),
        clearFaults: () => {
          base.sim.clearFaults();
          base.machine.network.clear();
        },
        quiesce: async () => undefined,
        redeliver: () => outbox.redeliver(),
      };
    },
    async check(s) {
      const problems: string[] = [];
      const store = s.machine.base;
      await checkReachable(store, 'payment', problems);
      let recordedPaid = 0;
      let providerPaid = 0;
      for (const o of s.orders) {
        const p = (await store.get<StoredPayment>('payment', o.id))._unsafeUnwrap()?.value;
        const order = s.sim.orders.get(o.id);
        if (order?.status === 'PAID') providerPaid += order.amountMinor;
        if (p?.status === 'succeeded') recordedPaid += p.amount.amount;
        if (order && !p) {
          problems.push(`Example Pay has order ${o.id} (${order.status}), which paykit has no record of`);
          continue;
        }
        if (!p) continue;
        if (order && order.amountMinor !== p.amount.amount) problems.push(`order ${o.id}: Example Pay took ${order.amountMinor}, paykit recorded ${p.amount.amount}`);
        const allowed = order?.status === 'PAID' ? ['succeeded'] : order?.status === 'FAILED' ? ['failed', 'closed'] : ['closed'];
        if (!allowed.includes(p.status)) problems.push(`order ${o.id} is recorded ${p.status}, but Example Pay's order is ${order?.status ?? 'absent'}`);
        // A success overturning a close paykit decided on its own is kept in the history as a correction.
        const history = (await store.history('payment', o.id))._unsafeUnwrap();
        for (const [i, v] of history.entries()) {
          const before = history[i - 1];
          if (before?.status === 'closed' && v.status !== 'closed' && v.cause?.correction !== true) problems.push(`order ${o.id}: closed → ${v.status ?? '?'} is not marked as a correction in its history`);
        }
      }
      if (recordedPaid !== providerPaid) problems.push(`paykit records ${recordedPaid} paid, Example Pay was paid ${providerPaid}`);
      return problems;
    },
    stop: (s) => s.sim.close(),
  });
});
