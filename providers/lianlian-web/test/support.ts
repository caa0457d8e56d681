import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoopbackTransport } from '@paykit/core/simulator';
import { createPaykit, FixedClock, InMemoryStore, MemoryLogger, type Paykit, type PayResult } from '@paykit/core';
import { lianlianWebPlugin } from '../src/index.js';
import { testKeys, TEST_MD5_KEY, TEST_OID_PARTNER } from '../src/harness.js';
import { LianlianWebSimulator, type LianlianWebSimulatorOptions } from '../src/simulator/index.js';

export { testKeys, TEST_MD5_KEY, TEST_OID_PARTNER };

/** Unwraps an Ok or throws with the error. */
export function must<T>(r: PayResult<T>): T {
  if (r.isErr()) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** A simulator, a merchant notify endpoint and paykit wired together on 127.0.0.1. */
export interface World {
  readonly sim: LianlianWebSimulator;
  readonly paykit: Paykit;
  readonly transport: LoopbackTransport;
  readonly store: InMemoryStore;
  readonly logger: MemoryLogger;
  readonly clock: FixedClock;
  readonly notifyUrl: string;
  /** What the merchant endpoint answered, in order. */
  readonly replies: string[];
  /** While true, the merchant endpoint answers 500 without looking (a merchant outage). */
  outage: boolean;
  close(): Promise<void>;
}

/** Starts a world; `signType` for requests, `notifySignType` for notifications. */
export async function startWorld(o: {
  signType: 'MD5' | 'RSA'; notifySignType: 'MD5' | 'RSA'; charset?: string; clock?: FixedClock; extra?: Record<string, unknown>;
  sim?: Partial<LianlianWebSimulatorOptions>;
  /** A running simulator to share (another paykit of the same merchant); the world leaves it open. */
  on?: LianlianWebSimulator;
}): Promise<World> {
  const clock = o.clock ?? new FixedClock(new Date());
  const sim = o.on ?? await LianlianWebSimulator.start({
    oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: o.notifySignType, now: () => clock.now(),
    lianlianPrivateKey: testKeys.lianlianPrivate, merchantPublicKey: testKeys.merchantPublic, delivery: { intervalMs: 2 }, bindListPageSize: 2,
    ...(o.sim ?? {}),
  });
  let paykit: Paykit | undefined;
  const world = { outage: false } as World;
  const replies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (world.outage) return void res.writeHead(500).end('down');
      const pk = paykit as Paykit;
      void pk.notifications.handle('shop', { method: 'POST', url: req.url ?? '/', headers: req.headers as Record<string, string>, body: new Uint8Array(Buffer.concat(chunks)) })
        .then((r) => {
          const reply = r.isOk() ? r.value.reply : pk.notifications.rejection('shop', r.error);
          replies.push(reply.body);
          res.writeHead(reply.status, reply.headers).end(reply.body);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ll/notify`;
  const transport = new LoopbackTransport();
  const store = new InMemoryStore();
  const logger = new MemoryLogger();
  paykit = must(await createPaykit({
    instances: { shop: { plugin: 'lianlian-web', options: {
      oidPartner: TEST_OID_PARTNER, signType: o.signType, notifySignType: o.notifySignType, md5Key: TEST_MD5_KEY,
      privateKey: testKeys.merchantPrivate, lianlianPublicKey: testKeys.lianlianPublic, cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url,
      notifyUrl, returnUrl: 'https://shop.example/return', goodsCategory: '1002', ...(o.charset ? { charset: o.charset } : {}), ...(o.extra ?? {}),
    } } },
  }, { plugins: [lianlianWebPlugin], transport, store, logger, clock }));
  Object.assign(world, {
    sim, paykit, transport, store, logger, clock, notifyUrl, replies,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (o.on === undefined) await sim.close();
    },
  });
  return world;
}

/** A valid payment input. */
export function paymentInput(orderId: string, amount = 4965): Parameters<Paykit['payments']['create']>[0] {
  return {
    orderId, amount: { amount, currency: 'CNY' }, description: '羽毛球', details: '用户13958069593购买了3桶羽毛球',
    payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
  };
}

