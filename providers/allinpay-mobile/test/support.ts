import { createPaykit, FixedClock, MemoryLogger, type Paykit } from '@paykit/core';
import { allinpayMobilePlugin } from '../src/index.js';
import { LoopbackTransport } from '@paykit/core/simulator';
import { AllinpaySimulator, type AllinpaySimulatorOptions } from '../src/simulator/index.js';

/** The MD5 key every test instance uses. */
export const MD5_KEY = 'test-md5-KEY-4711';

/** A running simulator and a paykit instance `app` configured against it. */
export interface World {
  readonly sim: AllinpaySimulator;
  readonly paykit: Paykit;
  readonly transport: LoopbackTransport;
  readonly logger: MemoryLogger;
  readonly clock: FixedClock;
}

/** Starts a simulator and builds paykit against it. */
export async function world(options: Record<string, unknown> = {}, simOptions: AllinpaySimulatorOptions = {}, timeoutMs?: number): Promise<World> {
  return worldOn(await AllinpaySimulator.start({ md5Key: MD5_KEY, ...simOptions }), options, timeoutMs);
}

/** A paykit instance `app` (with its own store, clock and logger) against a running simulator. */
export async function worldOn(sim: AllinpaySimulator, options: Record<string, unknown> = {}, timeoutMs?: number): Promise<World> {
  const transport = new LoopbackTransport(timeoutMs);
  const logger = new MemoryLogger();
  const clock = new FixedClock(new Date());
  const built = await createPaykit({
    instances: { app: { plugin: 'allinpay-mobile', options: {
      merchantId: sim.merchantId, md5Key: 'env:ALLINPAY_MD5_KEY', signType: '1', certificate: sim.certificatePem,
      environment: 'test', baseUrl: sim.url, receiveUrl: 'http://127.0.0.1:9/notify', ...options,
    } } },
  }, { plugins: [allinpayMobilePlugin], transport, logger, clock, env: { ALLINPAY_MD5_KEY: MD5_KEY } });
  if (built.isErr()) throw new Error(built.error.message);
  return { sim, paykit: built.value, transport, logger, clock };
}

/** The form fields of the last request sent to the simulator. */
export function lastForm(w: World): Record<string, string> {
  const req = w.sim.server.received[w.sim.server.received.length - 1];
  if (!req) throw new Error('nothing was sent');
  return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
}

/** A raw notification request with a form body. */
export function formRequest(body: string): { method: string; url: string; headers: Record<string, string>; body: Uint8Array } {
  return { method: 'POST', url: '/notify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

/** Creates and pays a CNY order through the simulator (no notification delivery). */
export async function paidOrder(w: World, orderId: string, amount = 1000, currency: 'CNY' | 'USD' | 'JPY' = 'CNY', extra?: Record<string, unknown>, options: { readonly preauth?: boolean } = {}): Promise<void> {
  const created = await w.paykit.payments.create({ orderId, amount: { amount, currency }, description: 'tea', ...(extra ? { extra } : {}), ...(options.preauth ? { preauth: true } : {}) });
  if (created.isErr()) throw new Error(created.error.message);
  if (created.value.action.kind !== 'sdk') throw new Error('not sdk');
  w.sim.pay(created.value.action.payload, 'succeeded', false);
  const q = await w.paykit.payments.query(orderId);
  if (q.isErr() || q.value.status !== 'succeeded') throw new Error(`order ${orderId} not paid: ${q.isErr() ? q.error.message : q.value.status}`);
}
