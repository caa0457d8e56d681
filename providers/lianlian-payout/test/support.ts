/** Test support: keys, a simulator, and paykit wired to it over loopback HTTP. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createPaykit, InMemoryStore, MemoryLogger, type Clock, type Paykit } from '@paykit/core';
import { createLianlianPayoutPlugin, type RandomSource } from '../src/index.js';
import { LoopbackTransport } from '@paykit/core/simulator';
import { LianlianPayoutSimulator, type LianlianPayoutSimulatorOptions } from '../src/simulator/index.js';

/** A test merchant number (18 digits, as in the spec samples). */
export const OID_PARTNER = '201606221000921503';

function pair(): { privateKey: KeyObject; publicKey: KeyObject; privatePem: string; publicB64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    privateKey, publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicB64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** The merchant's key pair and LianLian's key pair, generated once per run with node:crypto. */
export const merchantKeys = pair();
/** LianLian's key pair (the simulator's). */
export const lianlianKeys = pair();

/** A started simulator with paykit configured against it. */
export interface Rig {
  readonly sim: LianlianPayoutSimulator;
  readonly paykit: Paykit;
  readonly logger: MemoryLogger;
  readonly store: InMemoryStore;
  readonly plugin: ReturnType<typeof createLianlianPayoutPlugin>;
  readonly options: Record<string, unknown>;
  /** The URL notifications are posted to (a tiny receiver feeding paykit.notifications.handle). */
  readonly notifyUrl: string;
  close(): Promise<void>;
}

/** A `cardLedgerKey` for the tests (any 32+ characters). */
export const CARD_LEDGER_KEY = 'test-card-ledger-key-0123456789abcdef';

/** Starts a simulator and paykit; notifications from the simulator go through `paykit.notifications.handle`. */
export async function startRig(o: { sim?: Partial<LianlianPayoutSimulatorOptions>; options?: Record<string, unknown>; random?: RandomSource; clock?: Clock } = {}): Promise<Rig> {
  const sim = await LianlianPayoutSimulator.start({ oidPartner: OID_PARTNER, merchantPublicKey: merchantKeys.publicB64, keys: lianlianKeys, ...o.sim });
  const plugin = createLianlianPayoutPlugin(o.random ? { random: o.random } : {});
  const logger = new MemoryLogger();
  const store = new InMemoryStore();
  let paykitRef: Paykit | undefined;
  // The merchant's notification endpoint, on the simulator's own server (a route, loopback only).
  sim.server.route('POST', '/merchant/notify', async (req) => {
    const handled = await paykitRef!.notifications.handle('payouts', { method: req.method, url: req.path, headers: {}, body: req.body });
    const reply = handled.isOk() ? handled.value.reply : paykitRef!.notifications.rejection('payouts', handled.error);
    return { status: reply.status, headers: reply.headers, body: reply.body };
  });
  const notifyUrl = `${sim.server.url}/merchant/notify`;
  const options = {
    oidPartner: OID_PARTNER, privateKey: merchantKeys.privatePem, lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl,
    notifyUrl, timeoutMs: 1500, ...o.options,
  };
  const created = await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options } } },
    { plugins: [plugin], transport: new LoopbackTransport(), logger, store, ...(o.clock ? { clock: o.clock } : {}) });
  if (created.isErr()) {
    await sim.close();
    throw new Error(created.error.message);
  }
  paykitRef = created.value;
  return { sim, paykit: created.value, logger, store, plugin, options, notifyUrl, close: () => sim.close() };
}

/** A private-account payout input. */
export function payoutInput(payoutId: string, amountFen = 4965): Parameters<Paykit['payouts']['submit']>[0] {
  return {
    payoutId, amount: { amount: amountFen, currency: 'CNY' }, description: '提现 withdrawal',
    account: { type: 'private', accountNumber: '6216261234567890018', accountName: '张三' },
  };
}

/** Waits until a condition holds (polling), failing after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
