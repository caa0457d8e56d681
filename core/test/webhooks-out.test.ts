import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ResultAsync } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, Secret, signPaykitWebhook, verifyPaykitWebhook, webhookHandler,
  type HttpTransport, type Paykit, type WebhookDelivery,
} from '../src/index.js';
import { ALL, defaultScript, fakeNotification, fakePlugin } from './support/fake-plugin.js';

const SECRET = 'whsec_test_5c1e0b';
const body = JSON.stringify({ id: 7, type: 'payment.succeeded', occurredAt: '2026-12-01T00:00:00.000Z' });
const at = new Date('2026-12-01T00:00:00Z');
const ts = Math.floor(at.getTime() / 1000);

/** A plain fetch transport, enough to reach a local endpoint. */
const fetchTransport: HttpTransport = {
  send: (req) => ResultAsync.fromPromise((async () => {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body as string });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
  })(), (e) => PaymentErrors.network(`fetch failed: ${(e as Error).message}`, true)),
};

describe('outgoing paykit webhooks', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answer = 204;
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/paykit-events`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  context('when the receiving side verifies a webhook', () => {
    it('returns the event for the exact body, header and secret', () => {
      const event = verifyPaykitWebhook(body, signPaykitWebhook(body, SECRET, ts), SECRET, { now: at })._unsafeUnwrap();
      expect(event).to.deep.include({ id: 7, type: 'payment.succeeded' });
      expect(event.occurredAt).to.deep.equal(at);
      expect(verifyPaykitWebhook(Buffer.from(body), signPaykitWebhook(body, SECRET, ts), SECRET, { now: at }).isOk()).to.equal(true);
    });

    it('refuses a tampered body, a wrong secret, a missing or malformed header', () => {
      const header = signPaykitWebhook(body, SECRET, ts);
      const kinds = [
        verifyPaykitWebhook(body.replace('succeeded', 'failed'), header, SECRET, { now: at }),
        verifyPaykitWebhook(body, header, 'whsec_other', { now: at }),
        verifyPaykitWebhook(body, '', SECRET, { now: at }),
        verifyPaykitWebhook(body, 'v1=abc', SECRET, { now: at }),
        verifyPaykitWebhook(body, header.replace(/v1=./, 'v1=0'), SECRET, { now: at }),
      ].map((r) => r._unsafeUnwrapErr().kind);
      expect(kinds).to.deep.equal(['Signature', 'Signature', 'Signature', 'Signature', 'Signature']);
    });

    it('refuses a replay outside the tolerance, either way, and accepts one inside it', () => {
      const header = signPaykitWebhook(body, SECRET, ts);
      expect(verifyPaykitWebhook(body, header, SECRET, { now: new Date(at.getTime() + 301_000) })._unsafeUnwrapErr().message).to.match(/outside the 300 s tolerance/);
      expect(verifyPaykitWebhook(body, header, SECRET, { now: new Date(at.getTime() - 301_000) }).isErr()).to.equal(true);
      expect(verifyPaykitWebhook(body, header, SECRET, { now: new Date(at.getTime() + 299_000) }).isOk()).to.equal(true);
      expect(verifyPaykitWebhook(body, header, SECRET, { now: new Date(at.getTime() + 50_000), toleranceSeconds: 30 }).isErr()).to.equal(true);
    });

    it('refuses a tolerance or a time that is not a number instead of accepting any timestamp', () => {
      const header = signPaykitWebhook(body, SECRET, ts);
      const far = new Date(at.getTime() + 86_400_000);
      for (const toleranceSeconds of [Number.NaN, -1, Number.POSITIVE_INFINITY, '300' as never]) {
        expect(verifyPaykitWebhook(body, header, SECRET, { now: far, toleranceSeconds })._unsafeUnwrapErr()).to.include({ kind: 'InvalidConfig', path: 'toleranceSeconds' });
      }
      expect(verifyPaykitWebhook(body, header, SECRET, { now: new Date(Number.NaN) })._unsafeUnwrapErr()).to.include({ kind: 'InvalidConfig', path: 'now' });
    });

    it('says the same for a signature wrong in its first character as for one wrong in its last (one constant-time comparison, no early answer)', () => {
      const header = signPaykitWebhook(body, SECRET, ts);
      const v1 = header.split('v1=')[1] as string;
      const flip = (c: string) => (c === '0' ? '1' : '0');
      const first = verifyPaykitWebhook(body, `t=${ts},v1=${flip(v1[0] as string)}${v1.slice(1)}`, SECRET, { now: at })._unsafeUnwrapErr();
      const last = verifyPaykitWebhook(body, `t=${ts},v1=${v1.slice(0, -1)}${flip(v1.at(-1) as string)}`, SECRET, { now: at })._unsafeUnwrapErr();
      expect(first).to.deep.equal(last);
    });

    it('accepts either signature during a secret rotation, and never throws on hostile input', () => {
      const both = `${signPaykitWebhook(body, SECRET, ts)},v1=${signPaykitWebhook(body, 'whsec_new', ts).split('v1=')[1]}`;
      expect(verifyPaykitWebhook(body, both, 'whsec_new', { now: at }).isOk()).to.equal(true);
      for (const bad of [undefined, 42, {}, null]) {
        expect(verifyPaykitWebhook(bad as never, bad as never, bad as never).isErr()).to.equal(true);
      }
    });

    it('takes the new and the old secret while the endpoint rotates, so either side may move first', () => {
      const oldSigned = signPaykitWebhook(body, SECRET, ts);
      const newSigned = signPaykitWebhook(body, 'whsec_new_secret_0123', ts);
      for (const header of [oldSigned, newSigned]) {
        expect(verifyPaykitWebhook(body, header, ['whsec_new_secret_0123', SECRET], { now: at }).isOk()).to.equal(true);
      }
      expect(verifyPaykitWebhook(body, oldSigned, ['whsec_new_secret_0123'], { now: at })._unsafeUnwrapErr().kind).to.equal('Signature');
      expect(verifyPaykitWebhook(body, oldSigned, [], { now: at })._unsafeUnwrapErr().kind).to.equal('InvalidConfig');
      expect(verifyPaykitWebhook(body, oldSigned, [SECRET, ''], { now: at })._unsafeUnwrapErr().kind).to.equal('InvalidConfig');
    });
  });

  context('when paykit delivers events to an endpoint', () => {

    async function shop(): Promise<{ paykit: Paykit; clock: FixedClock }> {
      const clock = new FixedClock(new Date());
      const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } } }, { plugins: [fakePlugin('fake', ALL, defaultScript())], store: new InMemoryStore(), clock });
      const paykit = r._unsafeUnwrap();
      (await paykit.payments.create({ orderId: 'W1', amount: { amount: 100, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
      (await paykit.notifications.handle('main', fakeNotification('k1', { type: 'payment', report: { orderId: 'W1', status: 'succeeded', amount: { amount: 100, currency: 'CNY' } } })))._unsafeUnwrap();
      return { paykit, clock };
    }

    it('posts each event signed, so that verifyPaykitWebhook accepts it, and logs the delivery', async () => {
      received.length = 0;
      answer = 204;
      const { paykit } = await shop();
      const handler = webhookHandler(paykit, fetchTransport, { name: 'orders', url, secret: new Secret(SECRET), types: ['payment.succeeded'] });
      (await paykit.events.deliver('webhook:orders', handler, { types: ['payment.succeeded'] }))._unsafeUnwrap();
      expect(received).to.have.length(1);
      const got = received[0]!;
      const event = verifyPaykitWebhook(got.body, String(got.headers['paykit-signature']), SECRET)._unsafeUnwrap();
      expect(event).to.deep.include({ type: 'payment.succeeded', record: { kind: 'payment', id: 'W1', version: 2 } });
      expect(got.headers['paykit-event-id']).to.equal(String(event.id));
      const log = (await paykit.store.get<WebhookDelivery>('delivery', `orders:${event.id}`))._unsafeUnwrap()?.value;
      expect(log).to.deep.include({ status: 'delivered', type: 'payment.succeeded' });
      expect(log?.attempts.map((a) => a.status)).to.deep.equal([204]);
    });

    it('retries an endpoint answering 500 with backoff, logging every attempt, then parks the event', async () => {
      received.length = 0;
      answer = 500;
      const { paykit, clock } = await shop();
      const handler = webhookHandler(paykit, fetchTransport, { name: 'down', url, secret: new Secret(SECRET) });
      const options = { types: ['payment.succeeded'], maxAttempts: 2, backoffMs: 1000 };
      const first = (await paykit.events.deliver('webhook:down', handler, options))._unsafeUnwrap();
      expect(first.waiting).to.not.equal(undefined);
      clock.advance(1000);
      expect((await paykit.events.deliver('webhook:down', handler, options))._unsafeUnwrap().parked).to.equal(1);
      expect(received).to.have.length(2);
      const parked = (await paykit.events.parked('webhook:down'))._unsafeUnwrap();
      expect(parked[0]?.lastError).to.match(/answered HTTP 500/);
      const log = (await paykit.store.get<WebhookDelivery>('delivery', `down:${parked[0]!.event.id}`))._unsafeUnwrap()?.value;
      expect(log?.attempts.map((a) => a.status)).to.deep.equal([500, 500]);
      expect(log?.status).to.equal('failing');
    });
  });

  context('when endpoints are configured in the webhooks section', () => {
    const base = { instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } } };
    const build = (webhooks: unknown, env: Record<string, string> = { HOOK_SECRET: SECRET }) => createPaykit({ ...base, webhooks },
      { plugins: [fakePlugin('fake', ALL, defaultScript())], store: new InMemoryStore(), transport: fetchTransport, env });

    it('refuses a plain-http URL off loopback, a short secret and an unset secret variable, naming the entry', async () => {
      const cases: [unknown, Record<string, string> | undefined, string][] = [
        [{ endpoints: { orders: { url: 'http://orders.example/hook', secret: 'env:HOOK_SECRET' } } }, undefined, 'config.webhooks.endpoints.orders.url'],
        [{ endpoints: { orders: { url: 'https://orders.example/hook', secret: 'short' } } }, undefined, 'config.webhooks.endpoints.orders.secret'],
        [{ endpoints: { orders: { url: 'https://orders.example/hook', secret: 'env:NOT_SET' } } }, {}, 'config.webhooks.endpoints.orders.secret'],
        [{ endpoint: {} }, undefined, 'config.webhooks'],
      ];
      for (const [webhooks, env, path] of cases) {
        const e = (await build(webhooks, env))._unsafeUnwrapErr();
        expect(e.kind, path).to.equal('InvalidConfig');
        expect(e.path ?? e.message, path).to.contain(path);
        expect(e.message).not.to.contain(SECRET);
      }
    });

    it('refuses what would make every delivery fail or match nothing: a misspelt event type, a timeout of 0, a URL with a password', async () => {
      const cases: [unknown, string][] = [
        [{ endpoints: { orders: { url, secret: 'env:HOOK_SECRET', types: ['payment.success'] } } }, 'config.webhooks.endpoints.orders.types'],
        [{ endpoints: { orders: { url, secret: 'env:HOOK_SECRET', timeoutMs: 0 } } }, 'config.webhooks.endpoints.orders.timeoutMs'],
        [{ endpoints: { orders: { url: 'https://shop:pw@orders.example/hook', secret: 'env:HOOK_SECRET' } } }, 'config.webhooks.endpoints.orders.url'],
      ];
      for (const [webhooks, path] of cases) {
        const e = (await build(webhooks))._unsafeUnwrapErr();
        expect(e.kind, path).to.equal('InvalidConfig');
        expect(`${e.path ?? ''} ${e.message}`, path).to.contain(path);
        expect(e.message).not.to.contain('pw@');
      }
    });

    it('delivers events to each endpoint once started, signed with its secret, only of its types', async () => {
      received.length = 0;
      answer = 200;
      const paykit = (await build({ endpoints: { orders: { url, secret: 'env:HOOK_SECRET', types: ['payment.succeeded'] } } }))._unsafeUnwrap();
      expect(paykit.webhooks.endpoints()).to.deep.equal([{ name: 'orders', url, types: ['payment.succeeded'] }]);
      const subs = paykit.webhooks.start({ pollIntervalMs: 20 })._unsafeUnwrap();
      (await paykit.payments.create({ orderId: 'W9', amount: { amount: 100, currency: 'CNY' }, description: 'Tea' }))._unsafeUnwrap();
      (await paykit.notifications.handle('main', fakeNotification('k1', { type: 'payment', report: { orderId: 'W9', status: 'succeeded', amount: { amount: 100, currency: 'CNY' } } })))._unsafeUnwrap();
      for (let i = 0; i < 100 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
      await Promise.all(subs.map((s) => s.stop()));
      expect(received).to.have.length(1);
      const event = verifyPaykitWebhook(received[0]!.body, String(received[0]!.headers['paykit-signature']), SECRET)._unsafeUnwrap();
      expect(event).to.deep.include({ type: 'payment.succeeded' });
      expect((await paykit.webhooks.delivery('orders', event.id))._unsafeUnwrap()?.status).to.equal('delivered');
    });
  });
});
