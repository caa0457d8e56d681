import { createHmac } from 'node:crypto';
import { LoopbackTransport } from '@paykit/core/simulator';
import { createPaykit, InMemoryStore, MemoryLogger, type Paykit } from '@paykit/core';
import { examplePlugin } from '../src/index.js';
import { ExampleSimulator } from '../src/simulator/index.js';

export const MERCHANT = 'M777';
export const KEY = 'test-key-9f8e7d6c';

/** The expected signature, computed here with node:crypto from the documented rule (not the plugin's signer). */
export function expectedSign(fields: Record<string, string>, key = KEY): string {
  const text = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
  return createHmac('sha256', key).update(text).digest('hex');
}

/** A simulator and paykit configured against it. */
export interface Rig {
  readonly sim: ExampleSimulator;
  readonly paykit: Paykit;
  readonly transport: LoopbackTransport;
  readonly logger: MemoryLogger;
}

export async function startRig(): Promise<Rig> {
  const sim = await ExampleSimulator.start({ merchantId: MERCHANT, key: KEY, autoNotify: false });
  const transport = new LoopbackTransport();
  const logger = new MemoryLogger();
  const built = await createPaykit(
    { instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify' } } } },
    { plugins: [examplePlugin], transport, store: new InMemoryStore(), logger },
  );
  if (built.isErr()) throw new Error(built.error.message);
  return { sim, paykit: built.value, transport, logger };
}

/** The JSON body of the last request the simulator received on a path. */
export function lastBody(sim: ExampleSimulator, path: string): Record<string, string> {
  const req = [...sim.server.received].reverse().find((r) => r.path === path);
  if (!req) throw new Error(`no request to ${path}`);
  return JSON.parse(req.body.toString('utf8')) as Record<string, string>;
}
