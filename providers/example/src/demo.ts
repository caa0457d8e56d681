/** The Example Pay demo: one order walked through the simulator, step by step. */
import { createPaykit, MemoryLogger, reconciliationDigest, type DemoReporter, type Paykit, type PayResult, type ProviderDemo } from '@paykit/core';
import { LoopbackTransport, SimulatorServer, trafficDay } from '@paykit/core/simulator';
import { examplePlugin } from './plugin.js';
import { ExampleSimulator } from './simulator/index.js';

const MERCHANT = 'M100200';
const DEMO_KEY = 'example-demo-key-not-secret';

function must<T>(r: PayResult<T>, what: string): T {
  if (r.isErr()) throw new Error(`${what} failed: ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/**
 * The merchant's notification endpoint, on core's loopback server: hands the raw request to
 * paykit and answers exactly what it says.
 */
async function startMerchant(paykit: () => Paykit | undefined, reporter: DemoReporter): Promise<{ server: SimulatorServer; url: string }> {
  const server = await SimulatorServer.start();
  server.route('POST', '/notify/example', async (req) => {
    const pk = paykit();
    if (!pk) return { status: 503, body: '' };
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const r = await pk.notifications.handle('shop', { method: req.method, url: req.path, headers, body: new Uint8Array(req.body) });
    const reply = r.isOk() ? r.value.reply : pk.notifications.rejection('shop', r.error);
    reporter.step(r.isOk() ? `merchant handled the notification${r.value.duplicate ? ' (a redelivery: nothing applied again)' : ''}` : `merchant refused the notification: ${r.error.message}`, { reply: reply.body });
    return { status: reply.status, headers: reply.headers, body: reply.body };
  });
  return { server, url: `${server.url}/notify/example` };
}

/**
 * Starts the Example Pay simulator in-process and walks one order: create, pay at the cashier,
 * the notification delivered twice, a query, a partial refund, then the day's statement reconciled
 * against the records (a lost notification, a duplicated line, an unknown order and a fee charged
 * on its own put into it) with repair. Records go to `context.store`
 * when given (order ids start with `DEMO`, refund ids with `RDEMO`), else to an in-memory store.
 *
 * @example
 * ```ts
 * await exampleDemo.run({ section: console.log, step: (what, detail) => console.log(what, detail) });
 * ```
 */
export const exampleDemo: ProviderDemo = {
  title: 'Example Pay: pay, notification delivered twice, query, partial refund, the day reconciled',
  async run(reporter, context) {
    reporter.section(this.title);
    const sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: DEMO_KEY, autoNotify: false });
    let paykit: Paykit | undefined;
    const merchant = await startMerchant(() => paykit, reporter);
    try {
      paykit = must(await createPaykit(
        { instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: DEMO_KEY, baseUrl: sim.url, notifyUrl: merchant.url } } } },
        { plugins: [examplePlugin], transport: new LoopbackTransport(), logger: new MemoryLogger(), store: context?.store },
      ), 'createPaykit');
      // The day the simulated traffic lands on (China Standard Time), taken before it starts: the
      // statement reconciled at the end is that day's, even when the demo runs across midnight CST.
      const day = (await trafficDay()).dashed;
      const orderId = `DEMO${Date.now()}`;
      const created = must(await paykit.payments.create({ orderId, amount: { amount: 4965, currency: 'CNY' }, description: 'Green tea, 250 g' }), 'payments.create');
      reporter.step('created the payment: the browser posts this form to the cashier', created.action);
      const paid = await sim.pay(created.action, 'succeeded');
      reporter.step('the payer paid at the cashier', paid);
      reporter.step('Example Pay delivers the notification', await sim.deliverNotification(orderId));
      reporter.step('Example Pay delivers it again (a redelivery)', await sim.deliverNotification(orderId));
      reporter.step('queried the payment', must(await paykit.payments.query(orderId), 'payments.query'));
      const refund = must(await paykit.refunds.create({ refundId: `R${orderId}`, orderId, amount: { amount: 1000, currency: 'CNY' } }), 'refunds.create');
      reporter.step('refunded 10.00 of 49.65', refund);
      reporter.step('the payment now', must(await paykit.payments.get(orderId), 'payments.get'));

      // The day's statement against the records, with what goes wrong in real life put into it.
      const lost = `DEMOLOST${Date.now()}`;
      const lostPayment = must(await paykit.payments.create({ orderId: lost, amount: { amount: 2500, currency: 'CNY' }, description: 'Oolong, 100 g' }), 'payments.create');
      await sim.pay(lostPayment.action, 'succeeded');
      reporter.step(`order ${lost} was paid, but its notification never arrived: paykit has it pending`);
      sim.statementFaults.push(
        { kind: 'duplicate', orderNo: orderId },
        { kind: 'extra', orderNo: `DEMOGHOST${Date.now()}`, amountMinor: 1200, currency: 'CNY', at: new Date() },
        { kind: 'charge', reference: 'DEMO-MONTHLY-FEE', feeMinor: 300, currency: 'CNY', at: new Date() },
      );
      reporter.step("Example Pay's statement of the day lists the first order twice, an order this shop never made, and a fee of 3.00 on its own");
      const report = must(await paykit.reconcile({ instance: 'shop', date: day }, { repair: true, fees: { basisPoints: 60 } }), 'reconcile');
      reporter.step(`reconciled ${day} against the records, repairing by verified queries (paykit reconcile --repair)`, reconciliationDigest(report));
      reporter.step(`order ${lost} after the repair`, must(await paykit.payments.get(lost), 'payments.get'));
      context?.reconciled?.(report);
    } finally {
      await merchant.server.close();
      await sim.close();
    }
  },
};
