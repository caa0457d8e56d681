import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { describeWebhookAdapter, type Mount, type Mounted } from './contract.js';
import { listenForNotifications, nodeWebhookHandler, processNodeWebhook, type WebhookOptions } from '../src/index.js';
import { ALLINPAY_ACK, allinpayPaidFields, LIANLIAN_ACK, lianlianPaidNotification, nextOrderId, paymentRecord, send, startWorld, type World } from './support.js';

async function listen(server: Server): Promise<Mounted> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const mountNode: Mount = (paykit, options) => listen(createServer(nodeWebhookHandler(paykit, options)));

describeWebhookAdapter('node:http', mountNode);

describe('node:http webhook handler', function () {
  let w: World;
  before(async function () { w = await startWorld(); });
  after(async function () { await w.close(); });

  async function withHandler(options: WebhookOptions, run: (url: string) => Promise<void>): Promise<void> {
    const app = await mountNode(w.view, options);
    try {
      await run(app.url);
    } finally {
      await app.close();
    }
  }

  context('when the handler serves one fixed instance', function () {
    it('hands every path to that instance', async function () {
      await withHandler({ instanceId: 'app' }, async (url) => {
        const orderId = nextOrderId('NF');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        const reply = await send(`${url}/allinpay/receive`, body, { contentType: 'application/x-www-form-urlencoded' });
        expect(reply.body).to.equal(ALLINPAY_ACK);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });
    });

    it('answers 404 when that instance is not configured, and logs why', async function () {
      await withHandler({ instanceId: 'typo' }, async (url) => {
        const reply = await send(`${url}/ll/notify`, '{}', { contentType: 'application/json' });
        expect(reply.status).to.equal(404);
        expect(w.logger.lines.at(-1)?.message).to.contain('no paykit instance "typo"');
      });
    });
  });

  context('when other code set a text encoding on the request stream', function () {
    it('refuses to verify re-encoded text (the provider delivers again) and says why, instead of a signature mismatch', async function () {
      const handler = nodeWebhookHandler(w.view, { instanceFromPath: true });
      const app = await listen(createServer((req, res) => { req.setEncoding('utf8'); handler(req, res); }));
      try {
        const orderId = nextOrderId('NE');
        const reply = await send(`${app.url}/paykit/notify/shop`, await lianlianPaidNotification(w, orderId), { contentType: 'application/json' });
        expect(reply.body).to.not.equal(LIANLIAN_ACK);
        expect(w.logger.lines.map((l) => l.message).join('\n')).to.contain('req.setEncoding');
        expect((await paymentRecord(w, orderId))?.value.status).to.not.equal('succeeded');
      } finally {
        await app.close();
      }
    });
  });

  context('when the instance comes from a resolver function', function () {
    it('uses what it returns for the request', async function () {
      await withHandler({ resolveInstance: (r) => (r.url.startsWith('/lianlian/') ? 'shop' : undefined) }, async (url) => {
        const reply = await send(`${url}/lianlian/notify`, await lianlianPaidNotification(w, nextOrderId('NR')), { contentType: 'application/json' });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        const unknown = await send(`${url}/other/notify`, '{}', { contentType: 'application/json' });
        expect(unknown.status).to.equal(404);
      });
    });

    it('answers 500 without crashing when the resolver throws', async function () {
      await withHandler({ resolveInstance: () => { throw new Error('resolver bug'); } }, async (url) => {
        const reply = await send(`${url}/x`, '{}', { contentType: 'application/json' });
        expect(reply.status).to.equal(500);
        const again = await send(`${url}/x`, '{}', { contentType: 'application/json' });
        expect(again.status).to.equal(500);
      });
    });
  });

  context('when the instance segment of the path is percent-encoded', function () {
    it('decodes it (sh%6Fp is shop), and a malformed escape is a 404', async function () {
      await withHandler({ instanceFromPath: true }, async (url) => {
        const reply = await send(`${url}/notify/sh%6Fp`, await lianlianPaidNotification(w, nextOrderId('NP')), { contentType: 'application/json' });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        expect((await send(`${url}/notify/%E0%A4%A`, '{}', { contentType: 'application/json' })).status).to.equal(404);
      });
    });
  });

  context('when a merchant server calls processNodeWebhook and writes the reply itself', function () {
    it('resolves Ok with the event and the acknowledgement, then Err with the reason for a tampered body', async function () {
      const outcomes: unknown[] = [];
      const server = createServer((req, res) => {
        void processNodeWebhook(w.view, req, { instanceId: 'shop' }).then((r) => {
          outcomes.push(r.isOk() ? { ok: r.value.event.type, duplicate: r.value.duplicate } : { err: r.error.reason, kind: r.error.error.kind });
          const reply = r.isOk() ? r.value.reply : r.error.reply;
          res.writeHead(reply.status, reply.headers).end(reply.body);
        });
      });
      const app = await listen(server);
      try {
        const body = await lianlianPaidNotification(w, nextOrderId('NM'));
        expect((await send(app.url, body, { contentType: 'application/json' })).body).to.equal(LIANLIAN_ACK);
        await send(app.url, body.replace('"money_order":"49.65"', '"money_order":"49.66"'), { contentType: 'application/json' });
        expect(outcomes).to.deep.equal([{ ok: 'payment', duplicate: false }, { err: 'not-accepted', kind: 'Signature' }]);
      } finally {
        await app.close();
      }
    });
  });

  context('when the quick start listenForNotifications is used', function () {
    it('serves notifications on 127.0.0.1 and closes cleanly', async function () {
      const started = await listenForNotifications(w.view, { instanceFromPath: true });
      if (started.isErr()) throw new Error(started.error.message);
      const server = started.value;
      try {
        expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        const reply = await send(`${server.url}/paykit/notify/shop`, await lianlianPaidNotification(w, nextOrderId('NQ')), { contentType: 'application/json' });
        expect(reply.body).to.equal(LIANLIAN_ACK);
      } finally {
        await server.close();
      }
    });

    it('returns InvalidConfig instead of throwing when the port is taken', async function () {
      const first = (await listenForNotifications(w.view, { instanceId: 'shop' }))._unsafeUnwrap();
      try {
        const port = Number(new URL(first.url).port);
        const second = await listenForNotifications(w.view, { instanceId: 'shop', port });
        expect(second.isErr() && second.error.kind).to.equal('InvalidConfig');
        expect(second.isErr() && second.error.message).to.contain('choose a free port');
      } finally {
        await first.close();
      }
    });
  });
});

describe('listenForNotifications given options of the wrong shape (rule 3)', function () {
  it('answers with an InvalidConfig error, listening on nothing, rather than throwing', async function () {
    const paykit = { notifications: { handle: () => undefined, rejection: () => undefined }, logger: undefined } as never;
    for (const options of [undefined, null, 'shop', 5]) {
      let r: Awaited<ReturnType<typeof listenForNotifications>> | undefined;
      try {
        r = await listenForNotifications(paykit, options as never);
      } catch (e) {
        expect.fail(`listenForNotifications threw ${String((e as Error)?.message ?? e)}`);
      }
      expect(r?._unsafeUnwrapErr()).to.deep.include({ kind: 'InvalidConfig', path: 'options' });
    }
  });

  it('refuses to start a server that could only answer 500 or would ignore its health path', async function () {
    const paykit = { notifications: { handle: () => undefined, rejection: () => undefined }, logger: undefined } as never;
    const cases: [unknown, string][] = [
      [{ port: 0 }, 'instanceId'],
      [{ instanceFromPath: true, maxBodyBytes: Number.NaN }, 'maxBodyBytes'],
      [{ instanceFromPath: true, port: 70000 }, 'options.port'],
      [{ instanceFromPath: true, healthPath: '/healthz' }, 'health()'],
    ];
    for (const [options, says] of cases) {
      const r = await listenForNotifications(paykit, options as never);
      expect(r.isErr(), JSON.stringify(options)).to.equal(true);
      if (r.isOk()) await r.value.close();
      else expect(r.error.kind).to.equal('InvalidConfig');
      expect(r.isErr() && r.error.message).to.contain(says);
    }
  });
});
