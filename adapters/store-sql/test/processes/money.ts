// The merchant of the money-protocol process tests: paykit with an Example Pay instance (payments
// and refunds) and a LianLian payout instance, configured against simulators that run in the
// test's own process on 127.0.0.1, so that a merchant process that dies and the one started after
// it talk to the same provider, whose ledger the test reads at the end.
import { generateKeyPairSync } from 'node:crypto';
import { LoopbackTransport } from '@paykit/core/simulator';
import { createPaykit, JsonLogger, type Clock, type LogLevel, type Paykit, type Store } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { ExampleSimulator } from '@paykit/provider-example/testing';
import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
import { LianlianPayoutSimulator, type PayoutScript } from '@paykit/provider-lianlian-payout/testing';

const MERCHANT = 'MPROCESS';
const KEY = 'money-process-test-key';
const OID_PARTNER = '201606221000921503';

/** The beneficiary of every payout. */
export const ACCOUNT = { type: 'private', accountNumber: '6216261234567890018', accountName: '张三' } as const;

/** Where the providers are: what a merchant process needs to reach them (passed to workers as JSON). */
export interface MoneyRig {
  readonly exampleUrl: string;
  readonly payoutBaseUrl: string;
  readonly lianlianPublicKey: string;
  readonly merchantPrivateKey: string;
}

/** The two simulators, in the test's process. */
export interface MoneySimulators {
  readonly example: ExampleSimulator;
  readonly payout: LianlianPayoutSimulator;
  readonly rig: MoneyRig;
  close(): Promise<void>;
}

/**
 * Starts both simulators. Payout orders are scripted by `script` (default: accepted, paid); no
 * payout notifications are sent, so only replies and queries settle records; a review hold lasts
 * ten minutes, longer than any test.
 */
export async function startMoneySimulators(script: (noOrder: string) => PayoutScript = () => ({})): Promise<MoneySimulators> {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const example = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
  const payout = await LianlianPayoutSimulator.start({
    oidPartner: OID_PARTNER, merchantPublicKey: merchant.publicKey, holdExpiryMs: 600_000, lateReplyMs: 2_500,
    defaultScript: (noOrder) => ({ notify: false, ...script(noOrder) }),
  });
  return {
    example, payout,
    rig: {
      exampleUrl: example.url, payoutBaseUrl: payout.baseUrl, lianlianPublicKey: payout.publicKey,
      merchantPrivateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    close: async () => {
      await example.close();
      await payout.close();
    },
  };
}

/**
 * paykit for the merchant: `shop` (Example Pay) takes payments and refunds, `payouts` (LianLian)
 * pays out. Silent, unless PAYKIT_LOG_LEVEL names a level to write to stderr (for debugging).
 */
export async function moneyPaykit(rig: MoneyRig, store: Store, clock?: Clock): Promise<Paykit> {
  const created = await createPaykit({
    instances: {
      shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: rig.exampleUrl, notifyUrl: 'http://127.0.0.1:9/notify/shop', timeoutMs: 2_000 } },
      payouts: {
        plugin: 'lianlian-payout',
        options: { oidPartner: OID_PARTNER, privateKey: rig.merchantPrivateKey, lianlianPublicKey: rig.lianlianPublicKey, baseUrl: rig.payoutBaseUrl, notifyUrl: 'http://127.0.0.1:9/notify/payout', timeoutMs: 2_000 },
      },
    },
  }, { plugins: [examplePlugin, lianlianPayoutPlugin], transport: new LoopbackTransport(), store, ...(clock ? { clock } : {}),
    ...(process.env.PAYKIT_LOG_LEVEL ? { logger: new JsonLogger(process.env.PAYKIT_LOG_LEVEL as LogLevel) } : {}) });
  if (created.isErr()) throw new Error(created.error.message);
  return created.value;
}

/** A payment paid at the Example Pay cashier and recorded `succeeded`. */
export async function paidOrder(paykit: Paykit, sims: MoneySimulators, orderId: string, minor: number): Promise<void> {
  const created = await paykit.payments.create({ orderId, amount: { amount: minor, currency: 'CNY' }, description: 'money process test' });
  if (created.isErr()) throw new Error(created.error.message);
  await sims.example.pay(created.value.action, 'succeeded');
  const queried = await paykit.payments.query(orderId);
  if (queried.isErr() || queried.value.status !== 'succeeded') throw new Error(`order ${orderId} was not recorded paid`);
}

/** One thing a merchant process does. */
export type MoneyTask =
  | { readonly op: 'refund'; readonly refundId: string; readonly orderId: string; readonly minor: number }
  | { readonly op: 'payout'; readonly payoutId: string; readonly minor: number }
  | { readonly op: 'confirm'; readonly payoutId: string }
  /**
   * `rounds` runs of `resolvePending(options)`, `pauseMs` apart; before each the process's clock
   * moves `stepMs` further ahead (a cron that runs every `stepMs`).
   */
  | { readonly op: 'resolve'; readonly rounds: number; readonly stepMs: number; readonly pauseMs: number; readonly options?: Record<string, unknown> };

/** What one task ended with: the record's status, or the error. */
export type MoneyTaskResult =
  | { readonly task: MoneyTask; readonly ok: true; readonly status: string }
  | { readonly task: MoneyTask; readonly ok: false; readonly kind: string; readonly message: string }
  | { readonly task: MoneyTask; readonly ok: true; readonly rounds: readonly { readonly id: string; readonly outcome: string; readonly before: string; readonly after?: string }[][] };

/** Runs one task on a merchant's paykit. */
export async function runMoneyTask(paykit: Paykit, task: MoneyTask, advance: (ms: number) => void): Promise<MoneyTaskResult> {
  const done = (r: Awaited<ReturnType<Paykit['refunds']['create']>> | Awaited<ReturnType<Paykit['payouts']['submit']>>): MoneyTaskResult =>
    (r.isOk() ? { task, ok: true, status: r.value.status } : { task, ok: false, kind: r.error.kind, message: r.error.message });
  switch (task.op) {
    case 'refund':
      return done(await paykit.refunds.create({ refundId: task.refundId, orderId: task.orderId, amount: { amount: task.minor, currency: 'CNY' } }));
    case 'payout':
      return done(await paykit.payouts.submit({ payoutId: task.payoutId, amount: { amount: task.minor, currency: 'CNY' }, account: ACCOUNT, description: 'money process test' }));
    case 'confirm':
      return done(await paykit.payouts.confirm(task.payoutId));
    case 'resolve': {
      const rounds: { id: string; outcome: string; before: string; after?: string }[][] = [];
      for (let i = 0; i < task.rounds; i += 1) {
        if (i > 0) await new Promise((r) => setTimeout(r, task.pauseMs));
        advance(task.stepMs);
        const report = await paykit.resolvePending(task.options ?? {});
        if (report.isErr()) return { task, ok: false, kind: report.error.kind, message: report.error.message };
        rounds.push(report.value.entries.map((e) => ({ id: e.id, outcome: e.outcome, before: e.before, ...(e.after !== undefined ? { after: e.after } : {}) })));
      }
      return { task, ok: true, rounds };
    }
  }
}
