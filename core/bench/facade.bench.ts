/**
 * paykit's own overhead per `payments.create` and per `refunds.create`: the time an operation takes
 * minus the time spent in the provider (the plugin's capability call, with a zero-latency
 * in-process transport answering as Example Pay) and in the store (the in-memory store), measured
 * one operation at a time. What is left is the facade's own work: validation, routing, the record
 * logic, the result chains. Target: p99 under 1 ms, reported beside the total.
 *
 * The provider's and the store's time are each call's span from the call to the settling of what
 * it returned (nothing else runs meanwhile: one operation at a time); whatever the facade does
 * between them, however many commits it makes, is the overhead.
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { okAsync } from 'neverthrow';
import { createPaykit, InMemoryStore, type HttpTransport, type Money, type Paykit, type PaykitContext, type PayResultAsync } from '@paykit/core';
import { measure, percentile, type Figure } from '@paykit/conformance/bench';
import { examplePlugin } from '@paykit/provider-example';
import { simSign } from '@paykit/provider-example/testing';

const KEY = 'example-bench-merchant-key-0123456789';
const MERCHANT = 'M100200300';

/** Example Pay answering a refund at once, in process: no socket, no delay. */
const zeroLatency: HttpTransport = {
  send: (request) => {
    const f = JSON.parse(String(request.body)) as Record<string, string>;
    const reply: Record<string, string> = {
      code: '0000', message: 'ok', order_no: f.order_no ?? '', refund_no: f.refund_no ?? '', status: 'SUCCESS',
      refund_amount: f.refund_amount ?? '', currency: f.currency ?? '', refund_id: `R${f.refund_no ?? ''}`, sign_type: 'HMAC-SHA256',
    };
    return okAsync({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify({ ...reply, sign: simSign(reply, KEY) }), 'utf8') });
  },
};

/** Time spent in provider and store calls since the last reset. */
const spent = { provider: 0, store: 0 };

/** Calls `call`, adding its span (to the settling of a returned promise-like) to `spent[where]`. */
function timed(where: keyof typeof spent, call: () => unknown): unknown {
  const start = performance.now();
  const r = call();
  const then = (r as PromiseLike<unknown> | undefined)?.then;
  if (typeof then === 'function') {
    const done = (): void => {
      spent[where] += performance.now() - start;
    };
    then.call(r, done, done);
  } else {
    spent[where] += performance.now() - start;
  }
  return r;
}

/** `target` with every method call timed as `where`. */
function timedObject<T extends object>(target: T, where: keyof typeof spent): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, p) {
      const v: unknown = Reflect.get(t, p, t);
      if (typeof v !== 'function') return v;
      let w = wrapped.get(p);
      if (w === undefined) {
        w = (...args: unknown[]) => timed(where, () => (v as (...a: unknown[]) => unknown).apply(t, args));
        wrapped.set(p, w);
      }
      return w;
    },
  });
}

async function instrumentedPaykit(): Promise<Paykit> {
  const store = timedObject(new InMemoryStore(), 'store');
  const made = await createPaykit({
    instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' } } },
  }, { plugins: [examplePlugin], transport: zeroLatency, store });
  const paykit = made._unsafeUnwrap();
  // The facade reaches every provider capability through its context's `service`: the services it
  // hands out are timed as the provider's (their transport calls included).
  const service = paykit.service.bind(paykit);
  const services = new WeakMap<object, object>();
  (paykit as { service: PaykitContext['service'] }).service = ((capability, operation, instanceId) => service(capability, operation, instanceId).map((found) => {
    let s = services.get(found.service as object);
    if (s === undefined) {
      s = timedObject(found.service as object, 'provider');
      services.set(found.service as object, s);
    }
    return { ...found, service: s };
  })) as PaykitContext['service'];
  return paykit;
}

/** One operation's total and overhead (total − provider − store), in ms. */
async function once(op: () => PayResultAsync<unknown>): Promise<{ total: number; overhead: number }> {
  spent.provider = 0;
  spent.store = 0;
  const start = performance.now();
  const r = await op();
  const total = performance.now() - start;
  if (!r.isOk()) throw new Error('a benchmarked operation failed');
  return { total, overhead: total - spent.provider - spent.store };
}

/** The facade row of @paykit/core. */
export const rows = [
  measure({
    id: 'core.overhead',
    name: 'paykit\'s own time per payments.create and refunds.create (total − provider − store), Example Pay over a zero-latency in-process transport, in-memory store, one at a time',
    run: async (o) => {
      const perRound = o.quick ? 500 : 2000;
      const amount: Money = { amount: 4965, currency: 'CNY' };
      let n = 0;
      // A fresh paykit (and in-memory store) per round, so the heap does not grow from round to round.
      const operations = async (): Promise<{ create: () => PayResultAsync<unknown>; refund: () => Promise<{ total: number; overhead: number }> }> => {
        const paykit = await instrumentedPaykit();
        const paidOrder = async (): Promise<string> => {
          const orderId = `A${(n += 1)}`;
          (await paykit.payments.create({ orderId, amount, description: 'tea' }))._unsafeUnwrap();
          (await paykit.payments.apply({ orderId, status: 'succeeded', amount, providerPaymentId: `P${n}` }))._unsafeUnwrap();
          return orderId;
        };
        return {
          create: () => paykit.payments.create({ orderId: `A${(n += 1)}`, amount, description: 'tea' }),
          refund: async () => {
            const orderId = await paidOrder();
            return once(() => paykit.refunds.create({ refundId: `R${orderId}`, orderId, amount: { amount: 1000, currency: 'CNY' } as Money }));
          },
        };
      };
      const warm = await operations();
      for (let i = 0; i < perRound; i += 1) {
        await once(warm.create);
        await warm.refund();
      }
      const s: Record<string, number[]> = {};
      const add = (k: string, v: number): void => {
        (s[k] ??= []).push(v);
      };
      // Garbage collection pauses land in whichever span was running: shown beside the figures.
      let gcMax = 0;
      let gcCount = 0;
      const gc = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gcMax = Math.max(gcMax, e.duration);
          gcCount += 1;
        }
      });
      gc.observe({ entryTypes: ['gc'] });
      for (let round = 0; round < o.rounds; round += 1) {
        const ops = await operations();
        await new Promise((resolve) => setImmediate(resolve));
        gcMax = 0;
        gcCount = 0;
        const creates = [];
        const refunds = [];
        for (let i = 0; i < perRound; i += 1) creates.push(await once(ops.create));
        for (let i = 0; i < perRound; i += 1) refunds.push(await ops.refund());
        for (const [name, xs] of [['create', creates], ['refund', refunds]] as const) {
          add(`${name} total p50`, percentile(xs.map((x) => x.total), 50));
          add(`${name} total p99`, percentile(xs.map((x) => x.total), 99));
          add(`${name} overhead p50`, percentile(xs.map((x) => x.overhead), 50));
          add(`${name} overhead p99`, percentile(xs.map((x) => x.overhead), 99));
        }
        // The observer reports later (the round's operations never leave the microtask queue): let it.
        await new Promise((resolve) => setTimeout(resolve, 50));
        add('GC pauses in the round (all operations)', gcCount);
        add('longest GC pause in the round', gcMax);
      }
      gc.disconnect();
      const figure = (name: string, target?: boolean): Figure => ({ name, unit: 'ms', samples: s[name] ?? [], ...(target ? { target: { op: '<' as const, value: 1 } } : {}) });
      return [
        figure('create total p50'), figure('create total p99'), figure('create overhead p50'), figure('create overhead p99', true),
        figure('refund total p50'), figure('refund total p99'), figure('refund overhead p50'), figure('refund overhead p99', true),
        { name: 'GC pauses in the round (all operations)', unit: '', samples: s['GC pauses in the round (all operations)'] ?? [] },
        figure('longest GC pause in the round'),
      ];
    },
  }),
];
