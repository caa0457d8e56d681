/**
 * `paykit demo` for LianLian payouts: a payout, a review hold confirmed, an unknown outcome resolved
 * by query, then the day's FKMX reconciled against the payouts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createPaykit, formatPaymentError, reconciliationDigest, type DemoContext, type DemoReporter, type Paykit, type PayoutStatus, type ProviderDemo } from '@paykit/core';
import { estimateArrival } from './arrival.js';
import { lianlianPayoutPlugin } from './plugin.js';
import { LoopbackTransport } from '@paykit/core/simulator';
import { LianlianPayoutSimulator } from './simulator/index.js';

const OID_PARTNER = '201606221000921503';
const account = { type: 'private' as const, accountNumber: '6216261234567890018', accountName: '张三' };

async function waitFor(paykit: Paykit, payoutId: string, statuses: readonly PayoutStatus[]): Promise<PayoutStatus | undefined> {
  // A deadline, not a count of polls: a busy machine delays the notification, it does not lose it.
  for (const end = Date.now() + 10_000; Date.now() < end;) {
    const p = await paykit.payouts.get(payoutId);
    if (p.isOk() && statuses.includes(p.value.status)) return p.value.status;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

async function waitForSim(sim: LianlianPayoutSimulator, noOrder: string): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end && sim.orders.get(noOrder)?.status !== 'SUCCESS';) await new Promise((r) => setTimeout(r, 10));
}

async function run(reporter: DemoReporter, context?: DemoContext): Promise<void> {
  reporter.section('LianLian payout (simulator on 127.0.0.1)');
  const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const sim = await LianlianPayoutSimulator.start({ oidPartner: OID_PARTNER, merchantPublicKey: merchant.publicKey });
  try {
    let paykitRef: Paykit | undefined;
    sim.server.route('POST', '/merchant/notify', async (req) => {
      if (!paykitRef) return { status: 503, body: 'not ready' };
      const h = await paykitRef.notifications.handle('payouts', { method: req.method, url: req.path, headers: {}, body: req.body });
      const reply = h.isOk() ? h.value.reply : paykitRef.notifications.rejection('payouts', h.error);
      return { status: reply.status, headers: reply.headers, body: reply.body };
    });
    const built = await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options: {
      oidPartner: OID_PARTNER, privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl, notifyUrl: `${sim.server.url}/merchant/notify`, timeoutMs: 10_000,
    } } } }, { plugins: [lianlianPayoutPlugin], transport: new LoopbackTransport(), store: context?.store });
    if (built.isErr()) throw new Error(built.error.message);
    const paykit = built.value;
    paykitRef = paykit;

    const first = await paykit.payouts.submit({ payoutId: 'DEMO-PAYOUT-1', amount: { amount: 4965, currency: 'CNY' }, account, description: '提现', memo: '提现' });
    reporter.step('submitted payout DEMO-PAYOUT-1 (¥49.65); the body is {"oid_partner","pay_load":"lianpay1_0_1$A$B$C$D$E"}', first.isOk() ? first.value : formatPaymentError(first.error));
    reporter.step('estimated arrival from the 10:30 / 14:00 batches', estimateArrival(new Date()));
    reporter.step('after the result notification', { status: await waitFor(paykit, 'DEMO-PAYOUT-1', ['succeeded', 'failed']), notifications: sim.deliveries });

    sim.script('DEMO-PAYOUT-2', { hold: '4003' });
    const held = await paykit.payouts.submit({ payoutId: 'DEMO-PAYOUT-2', amount: { amount: 10000, currency: 'CNY' }, account, description: '提现' });
    reporter.step('LianLian held DEMO-PAYOUT-2 for review (4003: name and card do not match)', held.isOk() ? held.value : formatPaymentError(held.error));
    const confirmed = await paykit.payouts.confirm('DEMO-PAYOUT-2');
    reporter.step('the merchant confirmed it with the confirm code (confirmPayment.htm)', confirmed.isOk() ? confirmed.value : formatPaymentError(confirmed.error));
    reporter.step('after the result notification', { status: await waitFor(paykit, 'DEMO-PAYOUT-2', ['succeeded', 'failed']) });

    sim.script('DEMO-PAYOUT-3', { notify: false });
    sim.server.inject({ path: '/paymentapi/payment.htm', dropReply: true });
    const lost = await paykit.payouts.submit({ payoutId: 'DEMO-PAYOUT-3', amount: { amount: 2000, currency: 'CNY' }, account, description: '提现' });
    reporter.step('the reply to DEMO-PAYOUT-3 was lost after LianLian took it', lost.isOk() ? lost.value : formatPaymentError(lost.error));
    await new Promise((r) => setTimeout(r, 50));
    const resolved = await paykit.payouts.resolve('DEMO-PAYOUT-3');
    reporter.step('payouts.resolve queried queryPayment.htm (no resubmission: the order exists)', resolved.isOk() ? resolved.value : formatPaymentError(resolved.error));
    reporter.step("the simulator's ledger: money paid per order", [...sim.ledger.values()]);

    // The day's FKMX against the payouts: a lost notification, a payout returned, a fee off the contract.
    sim.script('DEMO-PAYOUT-4', { notify: false });
    (await paykit.payouts.submit({ payoutId: 'DEMO-PAYOUT-4', amount: { amount: 3000, currency: 'CNY' }, account, description: '提现' }))._unsafeUnwrap();
    await waitForSim(sim, 'DEMO-PAYOUT-4');
    reporter.step('DEMO-PAYOUT-4 was paid out, but no notification came: paykit has it in flight');
    sim.script('DEMO-PAYOUT-1', { notify: false });
    sim.cancel('DEMO-PAYOUT-1');
    reporter.step("the beneficiary's bank returned DEMO-PAYOUT-1's money (CANCEL), and that notification was lost too");
    sim.statementFaults.push({ kind: 'fee', noOrder: 'DEMO-PAYOUT-2', feeFen: 500 });
    const fkmx = sim.statementFile(sim.orders.get('DEMO-PAYOUT-1')?.settleDate ?? '');
    const day = fkmx.name.slice(-12, -4);
    const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
    reporter.step(`LianLian's ${fkmx.name} charges DEMO-PAYOUT-2 5.00 (the contract says 1.00 per payout)`);
    const report = await paykit.reconcile({ instance: 'payouts', date }, {
      files: [{ name: fkmx.name, content: (async function* () { yield fkmx.bytes; })() }], repair: true, fees: { basisPoints: 0, fixed: 100 },
    });
    if (report.isErr()) throw new Error(report.error.message);
    reporter.step(`reconciled ${date} from the day's FKMX, repairing by verified payout queries (paykit reconcile --file FKMX… --repair)`, reconciliationDigest(report.value));
    reporter.step('DEMO-PAYOUT-1 after the repair', (await paykit.payouts.get('DEMO-PAYOUT-1'))._unsafeUnwrap().status);
    context?.reconciled?.(report.value);
  } finally {
    await sim.close();
  }
}

/**
 * The demo `paykit demo` runs for LianLian payouts, ending with the day's FKMX file reconciled
 * against the payouts (a lost notification, a returned payout, a fee off the contract put into it).
 * Records go to `context.store` when given (payout ids `DEMO-PAYOUT-1` to `-4`), else to an
 * in-memory store.
 *
 * @example
 * ```ts
 * await lianlianPayoutDemo.run(reporter);
 * ```
 */
export const lianlianPayoutDemo: ProviderDemo = { title: 'LianLian payout', run };
