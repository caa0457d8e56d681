/** `paykit demo` for LianLian payouts: a payout, a review hold confirmed, an unknown outcome resolved by query. */
import { generateKeyPairSync } from 'node:crypto';
import { createPaykit, formatPaymentError, type DemoContext, type DemoReporter, type Paykit, type PayoutStatus, type ProviderDemo } from '@paykit/core';
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
  } finally {
    await sim.close();
  }
}

/**
 * The demo `paykit demo` runs for LianLian payouts. Records go to `context.store` when given
 * (payout ids `DEMO-PAYOUT-1` to `-3`), else to an in-memory store.
 *
 * @example
 * ```ts
 * await lianlianPayoutDemo.run(reporter);
 * ```
 */
export const lianlianPayoutDemo: ProviderDemo = { title: 'LianLian payout', run };
