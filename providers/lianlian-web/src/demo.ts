/** The LianLian web demo: one order through the simulator, step by step. */
import { createPaykit, MemoryLogger, reconciliationDigest, type DemoReporter, type Paykit, type PayResult, type ProviderDemo } from '@paykit/core';
import { LoopbackTransport, SimulatorServer } from '@paykit/core/simulator';
import { LianlianWebTokens } from './cards.js';
import { renderCashierPage } from './form.js';
import { submitForm, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER } from './harness.js';
import { lianlianWebPlugin } from './plugin.js';
import { demoStatement } from './statements/demo.js';
import { LianlianWebSimulator, simStatementFile } from './simulator/index.js';

// Not `shop`, which the Example Pay demo uses: `paykit demo` records every demo in one store.
const INSTANCE = 'llweb';

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
  server.route('POST', '/ll/notify', async (req) => {
    const pk = paykit();
    if (!pk) return { status: 503, body: '' };
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const r = await pk.notifications.handle(INSTANCE, { method: req.method, url: req.path, headers, body: new Uint8Array(req.body) });
    const reply = r.isOk() ? r.value.reply : pk.notifications.rejection(INSTANCE, r.error);
    reporter.step(r.isOk() ? `merchant accepted the notification${r.value.duplicate ? ' (a redelivery: nothing applied again)' : ''}` : `merchant refused the notification: ${r.error.message}`, { reply: reply.body });
    return { status: reply.status, headers: reply.headers, body: reply.body };
  });
  return { server, url: `${server.url}/ll/notify` };
}

/**
 * Starts the LianLian web simulator in-process and walks one order: the signed cashier form, the
 * payment, the notification delivered twice (signed with RSA while requests use MD5), the order
 * query, the card BIN query and the day's statement file, then the day reconciled from LianLian's
 * files (a lost notification, a refund made on the merchant site, a fee off the contract and a
 * duplicated line put into them) with repair. Records go to `context.store` when given
 * (instance `llweb`, order ids starting with `LLDEMO`), else to an in-memory store.
 *
 * @example
 * ```ts
 * await lianlianWebDemo.run({ section: console.log, step: (what, detail) => console.log(what, detail) });
 * ```
 */
export const lianlianWebDemo: ProviderDemo = {
  title: 'LianLian web: cashier form, payment, repeated notifications, order query, card BIN, statement, the day reconciled',
  async run(reporter, context) {
    reporter.section(this.title);
    const sim = await LianlianWebSimulator.start({
      oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: 'RSA',
      lianlianPrivateKey: testKeys.lianlianPrivate, merchantPublicKey: testKeys.merchantPublic,
    });
    let paykit: Paykit | undefined;
    const merchant = await startMerchant(() => paykit, reporter);
    try {
      paykit = must(await createPaykit({
        instances: { llweb: { plugin: 'lianlian-web', options: {
          oidPartner: TEST_OID_PARTNER, signType: 'MD5', notifySignType: 'RSA', md5Key: TEST_MD5_KEY, lianlianPublicKey: testKeys.lianlianPublic,
          cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url, notifyUrl: merchant.url, goodsCategory: '1002',
        } } },
      }, { plugins: [lianlianWebPlugin], transport: new LoopbackTransport(), logger: new MemoryLogger(), store: context?.store }), 'createPaykit');
      const orderId = `LLDEMO${Date.now()}`;
      const created = must(await paykit.payments.create({
        orderId, amount: { amount: 4965, currency: 'CNY' }, description: '羽毛球', details: '用户购买了3桶羽毛球',
        payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
      }), 'payments.create');
      if (created.action.kind !== 'redirect') throw new Error('expected a redirect');
      reporter.step('built the signed cashier form (money_order in yuan, userreq_ip with underscores)', created.action.fields);
      reporter.step('the auto-submitting page the browser gets', renderCashierPage(created.action).split('\n').slice(0, 3).join('\n'));
      reporter.step('the payer posted the form to the cashier', JSON.parse((await submitForm(created.action)).body) as unknown);
      reporter.step('LianLian delivers the notification (stops at the exact acknowledgement)', await sim.complete(orderId, 'succeeded'));
      reporter.step('LianLian delivers it again', await sim.notify(orderId));
      reporter.step('a late FAILURE notification arrives after the success', await sim.notify(orderId, 'FAILURE'));
      reporter.step('the payment as recorded: still succeeded', must(await paykit.payments.get(orderId), 'payments.get'));
      reporter.step('order query (query_version 1.1)', must(await paykit.payments.query(orderId), 'payments.query'));
      const cards = must(paykit.extension(INSTANCE, LianlianWebTokens.Cards), 'extension(Cards)');
      reporter.step('card BIN query', must(await cards.cardBin('6222020200112233445'), 'cards.cardBin'));
      const statement = must(await demoStatement(sim.ledger.orders()), 'statement');
      reporter.step(`the day's statement ${statement.fileName} (GBK, comma layout), parsed back and checked against JYMXSUM`, {
        text: statement.text, entries: statement.entries, discrepancies: statement.discrepancies,
      });

      // Reconciliation of the day: what goes wrong in real life, found in LianLian's files.
      const stamp = Date.now();
      const pk = paykit;
      const order = async (id: string, amount: number): Promise<void> => {
        const c = must(await pk.payments.create({
          orderId: id, amount: { amount, currency: 'CNY' }, description: '羽毛球',
          payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
        }), 'payments.create');
        if (c.action.kind === 'redirect') await submitForm(c.action);
      };
      const lost = `LLDEMOLOST${stamp}`;
      await order(lost, 2000);
      await sim.complete(lost, 'succeeded', { notify: false });
      reporter.step(`order ${lost} was paid, but all 30 notifications failed to arrive: paykit has it pending`);
      const portal = `LLDEMOPORTAL${stamp}`;
      await order(portal, 3000);
      await sim.complete(portal, 'succeeded');
      sim.refund(portal, `MS${stamp}`, 3000);
      reporter.step(`order ${portal} was refunded in full on LianLian's merchant site: paykit was never asked`);
      const day = sim.ledger.get(portal)?.settleDate ?? '';
      sim.statementFaults.push({ kind: 'fee', orderId, feeMinor: 99 }, { kind: 'duplicate', orderId: portal });
      const files = must(sim.statementDay(day), 'statementDay');
      reporter.step(`LianLian's ${files.transactions.name} charges ${orderId} a fee of 0.99 (the contract says 0.5 %: 0.24) and lists ${portal} twice`);
      const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
      const report = must(await pk.reconcile({ instance: INSTANCE, date }, {
        files: [simStatementFile(files.transactions), simStatementFile(files.summary), simStatementFile(files.payouts)],
        repair: true, fees: { basisPoints: 50, rounding: 'down' },
      }), 'reconcile');
      reporter.step(`reconciled ${date} from the day's JYMX and JYMXSUM, repairing by verified order queries (paykit reconcile --file DIR --repair)`, reconciliationDigest(report));
      reporter.step(`order ${portal} after the repair: LianLian's query said REFUND`, must(await pk.payments.get(portal), 'payments.get'));
      context?.reconciled?.(report);
    } finally {
      await merchant.server.close();
      await sim.close();
    }
  },
};
