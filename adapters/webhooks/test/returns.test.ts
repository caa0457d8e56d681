/**
 * The return routes of every adapter, end to end over 127.0.0.1: a LianLian `url_return` form and
 * an Allinpay control result posted by the app reach `payments.handleReturn` as sent, and the route
 * answers JSON (or the merchant's page) with the payment as recorded after the provider query.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express5, { type Express } from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { ResultAsync } from 'neverthrow';
import { postOnce } from '@paykit/core/simulator';
import { expressReturn, fastifyReturns, nodeReturnHandler, type ReturnOptions, type ReturnPaykit } from '../src/index.js';
import { must, nextOrderId, paymentRecord, send, startWorld, type World } from './support.js';

/** A running app with a return route at `/paykit/return/:instance`. */
interface Mounted {
  readonly url: string;
  close(): Promise<void>;
}
type MountReturn = (paykit: ReturnPaykit, options: ReturnOptions) => Promise<Mounted>;

async function listen(server: Server): Promise<Mounted> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const expressMount = (express: typeof express5 | typeof express4): MountReturn => (paykit, options) => {
  const app = (express as () => Express)();
  app.all('/paykit/return/:instance', expressReturn(paykit, options));
  app.use(express.json());
  return listen(createServer(app));
};

const MOUNTS: readonly [string, MountReturn][] = [
  ['node:http', (paykit, options) => listen(createServer(nodeReturnHandler(paykit, options)))],
  ['Express 5', expressMount(express5)],
  ['Express 4', expressMount(express4)],
  ['Fastify', async (paykit, options) => {
    const app = Fastify();
    await app.register(fastifyReturns(paykit, { ...options, path: '/paykit/return/:instance' }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  }],
];

const FORM = 'application/x-www-form-urlencoded';
type Json = Record<string, unknown> & { payment?: Record<string, unknown>; claimed?: Record<string, unknown>; error?: { kind: string; message: string } };
const json = (body: string): Json => JSON.parse(body) as Json;

/** A LianLian order created through paykit and posted to the cashier (LianLian: WAITING). */
async function lianlianAtCashier(w: World, orderId: string): Promise<void> {
  const created = must(await w.paykit.payments.create({
    orderId, amount: { amount: 4965, currency: 'CNY' }, description: '羽毛球',
    payer: { id: 'U1001', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') },
  }, { instance: 'shop' }));
  if (created.action.kind !== 'redirect') throw new Error('LianLian web answers a redirect');
  const posted = await postOnce(created.action.url, new URLSearchParams(created.action.fields).toString(), `${FORM}; charset=UTF-8`);
  if (posted?.status !== 200) throw new Error(`the cashier refused the form: ${posted?.body ?? 'no reply'}`);
}

const lianlianQueries = (w: World) => w.lianlian.server.received.filter((r) => r.path === '/queryapi/orderquery.htm').length;

for (const [name, mount] of MOUNTS) {
  describe(`${name} return route`, function () {
    let w: World;
    let app: Mounted;
    let mode: 'real' | 'hang' = 'real';
    let rendered: string[] = [];
    const at = (instance: string): string => `${app.url}/paykit/return/${instance}`;

    before(async function () {
      w = await startWorld();
      // What the route gets: the real paykit, whose handleReturn can be made to never settle.
      const view: ReturnPaykit = {
        payments: { handleReturn: (id, raw) => (mode === 'hang' ? new ResultAsync(new Promise(() => undefined)) : w.paykit.payments.handleReturn(id, raw)) },
        capabilities: (id) => w.paykit.capabilities(id),
        logger: w.logger,
      };
      app = await mount(view, { instanceFromPath: true, handleTimeoutMs: 1000, maxBodyBytes: 8 * 1024 });
    });
    after(async function () {
      await app.close();
      await w.close();
    });
    afterEach(function () {
      mode = 'real';
      rendered = [];
    });

    it('answers a LianLian url_return form with the payment as LianLian\'s order query has it', async function () {
      const orderId = nextOrderId('RL');
      await lianlianAtCashier(w, orderId);
      await w.lianlian.complete(orderId, 'succeeded', { notify: false });
      const queries = lianlianQueries(w);
      const reply = await send(at('shop'), w.lianlian.syncReturnBody(orderId, 'MD5'), { contentType: FORM });
      expect(reply.status, reply.body).to.equal(200);
      expect(reply.headers['content-type']).to.match(/^application\/json/);
      const body = json(reply.body);
      expect(body).to.deep.include({ instanceId: 'shop', queried: true, claimed: { status: 'succeeded', amount: { amount: 4965, currency: 'CNY' }, authenticity: 'signed' } });
      expect(body.payment).to.deep.include({ orderId, status: 'succeeded', amount: { amount: 4965, currency: 'CNY' } });
      // The page sees the payment, not the payer's provider details or paykit's bookkeeping.
      expect(Object.keys(body.payment ?? {}).sort()).to.deep.equal(['amount', 'orderId', 'refunded', 'status']);
      expect(must(await w.paykit.payments.get(orderId)).providerDetails, 'the record has details the page is not shown').to.include.keys('bank_code');
      expect(lianlianQueries(w)).to.equal(queries + 1);
      expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
    });

    it('shows a LianLian return that claims success for an order still unpaid as pending, and records nothing', async function () {
      const orderId = nextOrderId('RP');
      await lianlianAtCashier(w, orderId);
      const before = await paymentRecord(w, orderId);
      const reply = await send(at('shop'), w.lianlian.syncReturnBody(orderId, 'MD5'), { contentType: FORM });
      expect(reply.status, reply.body).to.equal(200);
      const body = json(reply.body);
      expect(body.claimed).to.deep.include({ status: 'succeeded' });
      expect(body.payment).to.deep.include({ status: 'pending' });
      expect(await paymentRecord(w, orderId)).to.deep.equal(before);
    });

    it('answers 400 for a tampered LianLian form, without querying or writing', async function () {
      const orderId = nextOrderId('RT');
      await lianlianAtCashier(w, orderId);
      await w.lianlian.complete(orderId, 'succeeded', { notify: false });
      const before = await paymentRecord(w, orderId);
      const queries = lianlianQueries(w);
      const tampered = w.lianlian.syncReturnBody(orderId, 'MD5').replace('money_order=49.65', 'money_order=0.01');
      const reply = await send(at('shop'), tampered, { contentType: FORM });
      expect(reply.status).to.equal(400);
      expect(json(reply.body).error).to.include({ kind: 'Signature' });
      expect(lianlianQueries(w)).to.equal(queries);
      expect(await paymentRecord(w, orderId)).to.deep.equal(before);
    });

    it('answers the Allinpay app\'s posted control result with the payment as Allinpay\'s order query has it', async function () {
      const orderId = nextOrderId('RA');
      const created = must(await w.paykit.payments.create({ orderId, amount: { amount: 1000, currency: 'CNY' }, description: 'tea' }, { instance: 'app' }));
      if (created.action.kind !== 'sdk') throw new Error('Allinpay answers an SDK action');
      w.allinpay.pay(created.action.payload, 'succeeded', false);
      const result = w.allinpay.controlResult(orderId, 'android');
      const reply = await send(at('app'), JSON.stringify({ orderNo: orderId, result }), { contentType: 'application/json' });
      expect(reply.status, reply.body).to.equal(200);
      const body = json(reply.body);
      expect(body).to.deep.include({ instanceId: 'app', queried: true, claimed: { status: 'processing', amount: { amount: 1000, currency: 'CNY' }, authenticity: 'unsigned' } });
      expect(body.payment).to.deep.include({ orderId, status: 'succeeded' });
    });

    it('passes a GET through with its query and answers what paykit said (LianLian POSTs: 400)', async function () {
      const reply = await send(`${at('shop')}?no_order=X1&result_pay=SUCCESS`, '', { method: 'GET' });
      expect(reply.status).to.equal(400);
      expect(json(reply.body).error).to.include({ kind: 'Decode' });
      expect(json(reply.body).error?.message).to.contain('POST');
    });

    it('answers 404 for an unknown instance and for an order paykit has no record of, 405 for another method', async function () {
      const unknown = await send(at('nosuch'), 'a=b', { contentType: FORM });
      expect(unknown.status).to.equal(404);
      const allinpay = await send(at('app'), JSON.stringify({ orderNo: 'NEVER1', result: '{"payResult":0}' }), { contentType: 'application/json' });
      expect(allinpay.status).to.equal(404);
      expect(json(allinpay.body).error?.message).to.contain('NEVER1');
      const put = await send(at('shop'), 'a=b', { method: 'PUT', contentType: FORM });
      expect(put.status).to.equal(405);
      expect(put.headers.allow).to.equal('GET, POST');
    });

    it('answers 504 when paykit does not finish in time, and 413 for a body over the limit', async function () {
      mode = 'hang';
      const slow = await send(at('app'), JSON.stringify({ orderNo: 'SLOW1', result: '{"payResult":0}' }), { contentType: 'application/json' });
      expect(slow.status).to.equal(504);
      mode = 'real';
      const big = await send(at('app'), 'x'.repeat(9 * 1024), { contentType: 'application/json' });
      expect(big.status).to.equal(413);
    });

    context('with a render callback', function () {
      let rendering: Mounted;
      before(async function () {
        rendering = await mount({ payments: w.paykit.payments, capabilities: (id) => w.paykit.capabilities(id), logger: w.logger }, {
          instanceFromPath: true,
          render: (outcome) => {
            if (outcome.isErr() && outcome.error.error.kind === 'Conflict') throw new Error('template bug (test)');
            const page = outcome.match((s) => `<p>${s.payment.orderId}: ${s.payment.status}</p>`, (r) => `<p>not shown: ${r.error.kind}</p>`);
            rendered.push(page);
            return { status: outcome.isOk() ? 200 : 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page };
          },
        });
      });
      after(async function () {
        await rendering.close();
      });

      it('answers the page it renders, for a shown return and for a refused one', async function () {
        const orderId = nextOrderId('RR');
        await lianlianAtCashier(w, orderId);
        await w.lianlian.complete(orderId, 'succeeded', { notify: false });
        const shown = await send(`${rendering.url}/paykit/return/shop`, w.lianlian.syncReturnBody(orderId, 'MD5'), { contentType: FORM });
        expect(shown.status).to.equal(200);
        expect(shown.headers['content-type']).to.equal('text/html; charset=utf-8');
        expect(shown.body).to.equal(`<p>${orderId}: succeeded</p>`);
        const refused = await send(`${rendering.url}/paykit/return/shop`, 'no_order=X', { contentType: FORM });
        expect(refused.status).to.equal(400);
        expect(refused.body).to.equal('<p>not shown: Decode</p>');
        expect(rendered).to.have.length(2);
      });

      it('answers a plain 500 when the render callback throws', async function () {
        const orderId = nextOrderId('RC');
        must(await w.paykit.payments.create({ orderId, amount: { amount: 1000, currency: 'CNY' }, description: 'tea' }, { instance: 'app' }));
        const result = JSON.stringify({ payResult: 0, payAmount: 1, payTime: '20240101120000', payOrderId: 'P1' }); // not the order's amount: Conflict
        const reply = await send(`${rendering.url}/paykit/return/app`, JSON.stringify({ orderNo: orderId, result }), { contentType: 'application/json' });
        expect(reply.status).to.equal(500);
        expect(reply.body).to.equal('the return page could not be rendered');
      });
    });
  });
}
