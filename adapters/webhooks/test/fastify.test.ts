import { expect } from 'chai';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { describeWebhookAdapter, CONTRACT_OPTIONS, type Mount } from './contract.js';
import { fastifyWebhooks } from '../src/index.js';
import { LIANLIAN_ACK, lianlianPaidNotification, nextOrderId, paymentRecord, send, startWorld, type World } from './support.js';

const mountFastify: Mount = async (paykit, options) => {
  const app = Fastify();
  await app.register(fastifyWebhooks(paykit, { ...options, path: '/paykit/notify/:instance' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
};

describeWebhookAdapter('Fastify', mountFastify);

describe('Fastify webhook plugin inside a merchant app', function () {
  let w: World;
  let app: FastifyInstance;
  let url = '';
  before(async function () {
    w = await startWorld();
    app = Fastify();
    app.post('/orders', async (request: FastifyRequest) => ({ parsed: request.body, isObject: typeof request.body === 'object' }));
    await app.register(fastifyWebhooks(w.view, { ...CONTRACT_OPTIONS, path: '/notify/:instance' }), { prefix: '/paykit' });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async function () {
    await app.close();
    await w.close();
  });

  context('when another route of the same app receives JSON', function () {
    it('still gets it parsed as JSON by Fastify', async function () {
      const reply = await send(`${url}/orders`, '{"sku":"T-1","qty":2}', { contentType: 'application/json' });
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.body)).to.deep.equal({ parsed: { sku: 'T-1', qty: 2 }, isObject: true });
    });

    it('still refuses a content type the app has no parser for', async function () {
      const reply = await send(`${url}/orders`, 'hello', { contentType: 'text/csv' });
      expect(reply.status).to.equal(415);
    });
  });

  context('when the notification arrives with a content type other than JSON, or none', function () {
    for (const contentType of ['text/plain', 'application/octet-stream', undefined]) {
      it(`hands paykit the raw bytes for ${contentType ?? 'no content type'} and acknowledges`, async function () {
        const orderId = nextOrderId('FC');
        const body = await lianlianPaidNotification(w, orderId);
        const reply = await send(`${url}/paykit/notify/shop`, body, contentType === undefined ? {} : { contentType });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        expect(Buffer.from(w.handled.at(-1) ?? []).toString('utf8')).to.equal(body);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });
    }
  });

  context('when a POST to the notification route has no body at all', function () {
    it('hands paykit an empty body and answers the provider rejection', async function () {
      const calls = w.handled.length;
      const reply = await send(`${url}/paykit/notify/shop`, '', {});
      expect(w.handled.length).to.equal(calls + 1);
      expect(w.handled.at(-1)).to.have.length(0);
      expect((JSON.parse(reply.body) as { ret_code: string }).ret_code).not.to.equal('0000');
    });
  });
});
