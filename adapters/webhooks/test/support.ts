/**
 * Test world for the webhook adapters: a LianLian web simulator (JSON, MD5-signed notifications)
 * and an Allinpay mobile simulator (form-encoded, certificate-signed) on 127.0.0.1, one paykit with
 * an instance for each, a store whose writes can be made to fail, and a paykit view that records
 * the exact bytes the adapter handed to `notifications.handle`.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { ResultAsync, errAsync } from 'neverthrow';
import {
  createPaykit, InMemoryStore, MemoryLogger, PaymentErrors, type Paykit, type PayResult, type StoredPayment, type Store, type Versioned,
} from '@paykit/core';
import { LoopbackTransport, postOnce } from '@paykit/core/simulator';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { LianlianWebSimulator } from '@paykit/provider-lianlian-web/testing';
import { allinpayMobilePlugin } from '@paykit/provider-allinpay-mobile';
import { AllinpaySimulator } from '@paykit/provider-allinpay-mobile/testing';
import type { WebhookPaykit } from '../src/index.js';

/** LianLian's exact acknowledgement (spec 4.3), written out here rather than imported. */
export const LIANLIAN_ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';
/** Allinpay's acknowledgement: any 2xx stops its retries; paykit answers `success` (spec 2.2.1). */
export const ALLINPAY_ACK = 'success';

const OID_PARTNER = '201408071000001543';
/** The MD5 keys the instances use (must never reach a log line). */
export const LL_MD5_KEY = 'webhooks-test-md5-key-2014';
/** See {@link LL_MD5_KEY}. */
export const ALLINPAY_MD5_KEY = 'webhooks-test-allinpay-key';

/** Unwraps an Ok or throws with the error. */
export function must<T>(r: PayResult<T>): T {
  if (r.isErr()) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** How the recording paykit view behaves when an adapter calls `notifications.handle`. */
export type HandleMode = 'real' | 'throw' | 'hang';

/** Everything a test needs. */
export interface World {
  /** The real paykit. */
  readonly paykit: Paykit;
  /** What the adapters get: the real paykit, with every body handed to `handle` recorded. */
  readonly view: WebhookPaykit;
  /** Bodies `handle` received, in order. */
  readonly handled: Uint8Array[];
  /** Switches `handle` to throw or never settle. */
  handleMode: HandleMode;
  /** While true, every store write fails. */
  storeFails: boolean;
  readonly store: Store;
  readonly logger: MemoryLogger;
  readonly lianlian: LianlianWebSimulator;
  readonly allinpay: AllinpaySimulator;
  close(): Promise<void>;
}

const WRITES = new Set<PropertyKey>(['insert', 'update', 'commit', 'recordNotification']);

/**
 * Wraps a store so every method is delegated (including ones added to the port later), except
 * that the write methods fail while `fails()` is true.
 */
function failingStore(base: Store, fails: () => boolean): Store {
  return new Proxy(base, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (WRITES.has(prop)) {
        return (...args: unknown[]) => (fails()
          ? errAsync(PaymentErrors.network('store unavailable (test)', true, { retryable: true }))
          : (value as (...a: unknown[]) => unknown).apply(target, args));
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Starts both simulators and one paykit with instances `shop` (LianLian web) and `app` (Allinpay). */
export async function startWorld(): Promise<World> {
  const lianlian = await LianlianWebSimulator.start({ oidPartner: OID_PARTNER, md5Key: LL_MD5_KEY, notifySignType: 'MD5' });
  const allinpay = await AllinpaySimulator.start({ md5Key: ALLINPAY_MD5_KEY });
  const world = { handleMode: 'real', storeFails: false, handled: [] as Uint8Array[] } as unknown as World & { handled: Uint8Array[] };
  const store = failingStore(new InMemoryStore(), () => world.storeFails);
  const logger = new MemoryLogger();
  const paykit = must(await createPaykit({
    instances: {
      shop: { plugin: 'lianlian-web', options: {
        oidPartner: OID_PARTNER, signType: 'MD5', notifySignType: 'MD5', md5Key: LL_MD5_KEY, cashierUrl: lianlian.cashierUrl,
        apiBaseUrl: lianlian.url, notifyUrl: 'http://127.0.0.1:9/ll/notify', goodsCategory: '1002',
      } },
      app: { plugin: 'allinpay-mobile', options: {
        merchantId: allinpay.merchantId, md5Key: 'env:ALLINPAY_MD5_KEY', signType: '1', certificate: allinpay.certificatePem,
        baseUrl: allinpay.url, receiveUrl: 'http://127.0.0.1:9/allinpay/notify',
      } },
    },
  }, { plugins: [lianlianWebPlugin, allinpayMobilePlugin], transport: new LoopbackTransport(), store, logger, env: { ALLINPAY_MD5_KEY: ALLINPAY_MD5_KEY } }));
  const view: WebhookPaykit = {
    notifications: {
      handle: (instanceId, raw) => {
        world.handled.push(new Uint8Array(raw.body));
        if (world.handleMode === 'throw') throw new Error('boom (test)');
        if (world.handleMode === 'hang') return new ResultAsync(new Promise(() => undefined));
        return paykit.notifications.handle(instanceId, raw);
      },
      rejection: (instanceId, error) => paykit.notifications.rejection(instanceId, error),
    },
    capabilities: (id) => paykit.capabilities(id),
    logger,
  };
  Object.assign(world, {
    paykit, view, store, logger, lianlian, allinpay,
    async close() {
      await lianlian.close();
      await allinpay.close();
    },
  });
  return world;
}

let sequence = 0;
/** A fresh order id. */
export function nextOrderId(prefix: string): string {
  sequence += 1;
  return `${prefix}${Date.now() % 1_000_000}${sequence}`;
}

/** A LianLian order paid at the simulator's cashier; resolves with its signed notification body (JSON text). */
export async function lianlianPaidNotification(w: World, orderId: string): Promise<string> {
  const created = must(await w.paykit.payments.create({
    orderId, amount: { amount: 4965, currency: 'CNY' }, description: '羽毛球',
    payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
  }, { instance: 'shop' }));
  if (created.action.kind !== 'redirect') throw new Error('LianLian web should answer a redirect');
  const posted = await postOnce(created.action.url, new URLSearchParams(created.action.fields).toString(), 'application/x-www-form-urlencoded; charset=UTF-8');
  if (posted?.status !== 200) throw new Error(`the cashier refused the form: ${posted?.body ?? 'no reply'}`);
  await w.lianlian.complete(orderId, 'succeeded', { notify: false });
  return w.lianlian.notificationBody(orderId);
}

/** An Allinpay order paid in the simulator; resolves with its signed payment-result fields. */
export async function allinpayPaidFields(w: World, orderId: string): Promise<Record<string, string>> {
  const created = must(await w.paykit.payments.create({ orderId, amount: { amount: 1000, currency: 'CNY' }, description: 'tea' }, { instance: 'app' }));
  if (created.action.kind !== 'sdk') throw new Error('Allinpay mobile should answer an SDK action');
  w.allinpay.pay(created.action.payload, 'succeeded', false);
  return w.allinpay.paymentResult(orderId);
}

/** The stored payment record of an order (undefined when none). */
export async function paymentRecord(w: World, orderId: string): Promise<Versioned<StoredPayment> | undefined> {
  return must(await w.store.get<StoredPayment>('payment', orderId));
}

/** A reply as the client saw it. */
export interface ClientReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of {@link send}. */
export interface SendOptions {
  readonly method?: string;
  readonly contentType?: string;
  /** Send the body in chunks without a content-length. */
  readonly chunked?: boolean;
}

/** Sends one request over real HTTP to 127.0.0.1; rejects after 5 s (a hang fails the test). */
export function send(url: string, body: string | Uint8Array, o: SendOptions = {}): Promise<ClientReply> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const headers: Record<string, string> = { ...(o.contentType !== undefined ? { 'content-type': o.contentType } : {}) };
  if (!o.chunked && bytes.length > 0) headers['content-length'] = String(bytes.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'POST', headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no reply from ${url} within 5 s`)));
    req.on('error', reject);
    if (o.chunked) {
      for (let i = 0; i < bytes.length; i += 16 * 1024) req.write(bytes.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(bytes);
    }
  });
}

/**
 * Opens a raw connection, sends a request head announcing `declared` bytes and only `sent` of them,
 * then destroys the socket (a provider that goes away mid-body).
 */
export function abortMidBody(url: string, declared: number, sent: string): Promise<void> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n${sent}`);
      setTimeout(() => { socket.destroy(); resolve(); }, 30);
    });
    socket.on('error', () => resolve());
  });
}

/**
 * Opens a raw connection, sends a request head announcing `declared` bytes and only `sent` of them,
 * then waits without sending more (a client that trickles or stalls): resolves with how long the
 * server took to close the connection, or `undefined` if it was still open after `waitMs`.
 */
export function stallMidBody(url: string, declared: number, sent: string, waitMs: number): Promise<number | undefined> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const began = Date.now();
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n${sent}`);
    });
    const giveUp = setTimeout(() => { socket.destroy(); resolve(undefined); }, waitMs);
    socket.on('close', () => { clearTimeout(giveUp); resolve(Date.now() - began); });
    socket.on('error', () => undefined);
    socket.resume();
  });
}
