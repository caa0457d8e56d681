/** Example Pay in the model-based tests: its simulator, a paykit per process, and its reply faults. */
import { createPaykit, type Paykit, type PaymentAction, type RawHttpRequest, type Store } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { LoopbackTransport } from '@paykit/core/simulator';
import { Machine } from './machine.js';
import { sharedFault, startClock, type ReplyFault, type Scenario } from './runner.js';

/** The merchant and key of the simulated Example Pay account. */
export const MERCHANT = 'M8080';
const KEY = 'model-key-5e1f0c';
/** The instance id. */
export const SHOP = 'shop';

/**
 * How long a call waits for its reply: long enough that a reply the simulator sends at once always
 * arrives on a busy 2-core machine (late replies are injected by the machine's network).
 */
export const TIMEOUT_MS = 2000;

/** A scenario against Example Pay. */
export interface ExampleScenario extends Scenario {
  /** The simulator. */
  readonly sim: ExampleSimulator;
  /** The scenario's id prefix. */
  readonly tag: string;
}

/** Starts Example Pay's simulator and a machine whose processes run paykit against it. */
export async function startExample(store: Store, tag: string): Promise<{ readonly sim: ExampleSimulator; readonly machine: Machine; readonly tag: string }> {
  const sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
  const transport = new LoopbackTransport(TIMEOUT_MS);
  const machine = new Machine({
    base: store, clock: startClock(), transport,
    build: async (ports) => {
      const built = await createPaykit(
        { instances: { [SHOP]: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify/example', timeoutMs: TIMEOUT_MS } } } },
        { plugins: [examplePlugin], ...ports },
      );
      if (built.isErr()) throw new Error(built.error.message);
      return built.value;
    },
  });
  return { sim, machine, tag };
}

/** Makes the next call to `path` meet `fault`: the shared faults, and Example Pay's own answers. */
export function exampleFault(s: { readonly sim: ExampleSimulator; readonly machine: Machine }, path: string, fault: ReplyFault, refusal: string): void {
  switch (fault) {
    case 'refuse': s.sim.answer({ path, refuse: refusal }); return;
    case 'http500-after': s.sim.answer({ path, statusAfterWork: 500 }); return;
    case 'slow': s.sim.answer({ path, workAfterMs: 40 }); return;
    default: sharedFault(s, path, fault);
  }
}

/** A notification as Example Pay posts it. */
export function notificationRequest(body: string): RawHttpRequest {
  return { method: 'POST', url: '/notify/example', headers: { 'content-type': 'application/json; charset=utf-8' }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

/** The same notification with its signature spoiled (one hex digit changed). */
export function spoiled(body: string): string {
  const fields = JSON.parse(body) as Record<string, string>;
  const sign = fields.sign ?? '';
  return JSON.stringify({ ...fields, sign: `${sign[0] === '0' ? '1' : '0'}${sign.slice(1)}` });
}

/** Creates and pays an order with no fault on the way, and records its success from the notification. */
export async function paidOrder(paykit: Paykit, sim: ExampleSimulator, orderId: string, amount: number): Promise<string> {
  const created = await paykit.payments.create({ orderId, amount: { amount, currency: 'CNY' }, description: 'model tea' });
  if (created.isErr()) throw new Error(`setup: ${created.error.message}`);
  await sim.pay(created.value.action as PaymentAction, 'succeeded');
  const body = sim.notificationBody(orderId);
  const handled = await paykit.notifications.handle(SHOP, notificationRequest(body));
  if (handled.isErr()) throw new Error(`setup: ${handled.error.message}`);
  return body;
}
