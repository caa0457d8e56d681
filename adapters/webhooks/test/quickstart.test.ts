/**
 * The README's quick start (docs/examples/express-quickstart.ts), run as a merchant would run it:
 * its Express app on 127.0.0.1 with an embedded PGlite store in a temp folder, the LianLian web
 * simulator as LianLian, and real HTTP between them. Also pins the README's code block to the file.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { MemoryLogger, type StoredPayment } from '@paykit/core';
import { postOnce } from '@paykit/core/simulator';
import { LianlianWebSimulator } from '@paykit/provider-lianlian-web/testing';
import { openStore, type DurableStore } from '@paykit/store-sql';
import { buildApp, type Shop } from '../../../docs/examples/express-quickstart.js';
import { LIANLIAN_ACK, must, nextOrderId, send, type ClientReply } from './support.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLE = join(ROOT, 'docs/examples/express-quickstart.ts');
const OID_PARTNER = '201408071000001543';
const MD5_KEY = 'quickstart-test-md5-key';

interface CreatedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly cashier: { readonly kind: string; readonly method: string; readonly url: string; readonly fields: Record<string, string> };
}

function json<T>(reply: ClientReply): T {
  return JSON.parse(reply.body) as T;
}

describe('the README quick start (Express + embedded PGlite store)', function () {
  let sim: LianlianWebSimulator;
  let server: Server;
  let base: string;
  let baseDir: string;
  let shop: Shop;
  const logger = new MemoryLogger();

  before(async function () {
    sim = await LianlianWebSimulator.start({ oidPartner: OID_PARTNER, md5Key: MD5_KEY, notifySignType: 'MD5' });
    // Listen first: the notify URL LianLian is given must name the app's real port.
    server = createServer();
    await new Promise<void>((done) => { server.listen(0, '127.0.0.1', done); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    baseDir = mkdtempSync(join(tmpdir(), 'paykit-quickstart-'));
    shop = must(await buildApp({
      env: {
        LL_OID_PARTNER: OID_PARTNER, LL_MD5_KEY: MD5_KEY, LL_NOTIFY_URL: `${base}/paykit/notify/shop`,
        LL_CASHIER_URL: sim.cashierUrl, LL_API_BASE_URL: sim.url,
      },
      baseDir,
      logger,
    }));
    server.on('request', shop.app);
  });

  after(async function () {
    await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
    await shop?.paykit.close();
    await sim?.close();
    rmSync(baseDir, { recursive: true, force: true });
  });

  const createOrder = (orderId: string, amountFen: unknown): Promise<ClientReply> => send(`${base}/orders`, JSON.stringify({
    orderId, amountFen, description: 'Green tea', userId: 'U1001', userRegisteredAt: '2024-01-01T00:00:00Z',
  }), { contentType: 'application/json' });
  const stateOf = (orderId: string): Promise<ClientReply> => send(`${base}/orders/${orderId}`, '', { method: 'GET' });

  context('when a payer pays an order and LianLian notifies the shop', function () {
    const orderId = nextOrderId('QS');
    let created: CreatedOrder;
    let firstDelivery: Awaited<ReturnType<LianlianWebSimulator['complete']>>;

    before(async function () {
      const reply = await createOrder(orderId, 4965);
      expect(reply.status, reply.body).to.equal(201);
      created = json<CreatedOrder>(reply);
      // The payer's browser posts the form to the cashier, which records a waiting order.
      const posted = await postOnce(created.cashier.url, new URLSearchParams(created.cashier.fields).toString(), 'application/x-www-form-urlencoded; charset=UTF-8');
      expect(posted?.status, posted?.body).to.equal(200);
      firstDelivery = await sim.complete(orderId, 'succeeded');
    });

    it('returned a signed cashier form for ¥49.65 that names the shop\'s notify URL', function () {
      expect(created).to.include({ orderId, status: 'pending' });
      expect(created.cashier).to.include({ kind: 'redirect', method: 'POST', url: sim.cashierUrl });
      expect(created.cashier.fields).to.include({
        no_order: orderId, money_order: '49.65', oid_partner: OID_PARTNER, notify_url: `${base}/paykit/notify/shop`,
        busi_partner: '109001', sign_type: 'MD5', userreq_ip: '127_0_0_1',
      });
      expect(created.cashier.fields.sign).to.match(/^[0-9a-f]{32}$/);
    });

    it('answered the first delivery with LianLian\'s exact acknowledgement', function () {
      expect(firstDelivery).to.have.length(1);
      expect(firstDelivery[0]).to.include({ status: 200, body: LIANLIAN_ACK, acknowledged: true });
    });

    it('shows the payment as succeeded, for the amount ordered', async function () {
      const reply = await stateOf(orderId);
      expect(reply.status).to.equal(200);
      expect(json<Record<string, unknown>>(reply)).to.deep.include({
        orderId, instanceId: 'shop', status: 'succeeded', amount: { amount: 4965, currency: 'CNY' },
      });
    });

    it('acknowledges a redelivery the same way and changes nothing', async function () {
      const before = (await stateOf(orderId)).body;
      const history = must(await shop.paykit.store.history('payment', orderId));
      const again = await sim.notify(orderId);
      expect(again).to.have.length(1);
      expect(again[0]).to.include({ status: 200, body: LIANLIAN_ACK, acknowledged: true });
      expect((await stateOf(orderId)).body).to.equal(before);
      expect(must(await shop.paykit.store.history('payment', orderId))).to.deep.equal(history);
    });

    it('recorded one transition to succeeded, written by the notification', async function () {
      const history = must(await shop.paykit.store.history('payment', orderId));
      expect(history.map((v) => v.status)).to.deep.equal(['pending', 'succeeded']);
      expect(history[0]?.eventKey).to.equal(null);
      expect(history[1]?.eventKey).to.be.a('string').and.contain(orderId);
    });

    it('keeps a late FAILURE notification from undoing the success, and acknowledges it', async function () {
      const late = await sim.notify(orderId, 'FAILURE');
      expect(late[0]).to.include({ body: LIANLIAN_ACK, acknowledged: true });
      expect(json<{ status: string }>(await stateOf(orderId)).status).to.equal('succeeded');
    });

    it('never logged the MD5 key', function () {
      expect(logger.lines.length).to.be.greaterThan(0);
      expect(JSON.stringify(logger.lines)).not.to.contain(MD5_KEY);
    });
  });

  context('when an order is sent with a decimal amount', function () {
    it('answers 400 InvalidRequest and records nothing', async function () {
      const orderId = nextOrderId('QD');
      const reply = await createOrder(orderId, 49.65);
      expect(reply.status).to.equal(400);
      expect(json<{ error: { kind: string } }>(reply).error.kind).to.equal('InvalidRequest');
      expect((await stateOf(orderId)).status).to.equal(404);
    });
  });

  context('when the shop is closed and its data folder opened again', function () {
    it('finds the paid order on disk in ./paykit-data under the base folder', async function () {
      const orderId = nextOrderId('QP');
      const created = json<CreatedOrder>(await createOrder(orderId, 1200));
      await postOnce(created.cashier.url, new URLSearchParams(created.cashier.fields).toString(), 'application/x-www-form-urlencoded; charset=UTF-8');
      await sim.complete(orderId, 'succeeded');
      expect((await shop.paykit.close()).isOk()).to.equal(true);
      const dataDir = join(baseDir, 'paykit-data');
      expect(existsSync(dataDir)).to.equal(true);
      const store = must(await openStore({ kind: 'pglite', dataDir })) as DurableStore;
      try {
        const rec = must(await store.get<StoredPayment>('payment', orderId));
        expect(rec?.value.status).to.equal('succeeded');
        expect(rec?.value.amount).to.deep.equal({ amount: 1200, currency: 'CNY' });
      } finally {
        await store.close();
      }
    });
  });
});

describe('the README quick start code block', function () {
  it('is exactly the #region quickstart part of docs/examples/express-quickstart.ts', function () {
    const file = readFileSync(EXAMPLE, 'utf8');
    const start = '// #region quickstart\n';
    const end = '// #endregion quickstart\n';
    expect(file).to.contain(start);
    expect(file).to.contain(end);
    const region = file.slice(file.indexOf(start) + start.length, file.indexOf(end));
    expect(region.length).to.be.greaterThan(1000);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).to.contain(`\`\`\`ts\n${region}\`\`\`\n`);
  });
});
