// Regression tests for what the model-based tests of the money protocol
// (conformance/test/protocol-model) found: each case is the smallest interleaving that broke a rule.
import { expect } from 'chai';
import {
  createPaykit, FixedClock, InMemoryStore, type CreatePaymentInput, type Paykit, type StoredPayment,
} from '../src/index.js';
import { ALL, defaultScript, fakePlugin, okAsync, type FakeScript } from './support/fake-plugin.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;

interface World { readonly paykit: Paykit; readonly script: FakeScript; readonly store: InMemoryStore; readonly clock: FixedClock }

async function world(): Promise<World> {
  const script = defaultScript();
  const clock = new FixedClock(start);
  const store = new InMemoryStore();
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } } },
    { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}

describe('the money protocol (model-based findings)', () => {
  context('when two creates of a new order overlap while time passes', () => {
    it('gives out cashier forms that all name the order time paykit recorded', async () => {
      const w = await world();
      // The form carries the order time it was built with (LianLian's dt_order, Example Pay's created_at).
      w.script.create = (input: CreatePaymentInput) => okAsync({
        action: { kind: 'redirect', method: 'POST', url: 'https://fake.example/pay', fields: { order: input.orderId, created_at: String(input.createdAt?.getTime()) }, charset: 'UTF-8' },
        report: { orderId: input.orderId, status: 'pending', amount: input.amount },
      });
      w.script.delayMs = 5;
      const input = { orderId: 'A1', amount: cny(4965), description: 'Tea' };
      // A double click: the first create has read "no such order" and is building its form when
      // the second one starts, a few minutes later by the clock, before the first has committed.
      const first = w.paykit.payments.create(input);
      await new Promise((r) => setImmediate(r));
      w.clock.advance(6 * MINUTE);
      const second = w.paykit.payments.create(input);
      const forms = [(await first)._unsafeUnwrap(), (await second)._unsafeUnwrap()].map((c) => (c.action.kind === 'redirect' ? c.action.fields.created_at : undefined));
      const recorded = (await w.store.get<StoredPayment>('payment', 'A1'))._unsafeUnwrap()?.value.createdAt;
      expect(forms).to.deep.equal([String(recorded?.getTime()), String(recorded?.getTime())]);
      expect(w.script.calls.filter((c) => c.op === 'payments.create').map((c) => (c.request as CreatePaymentInput).createdAt?.getTime()).at(-1)).to.equal(recorded?.getTime());
    });
  });
});
