import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express5, { type Express } from 'express';
import express4 from 'express4';
import { describeWebhookAdapter, CONTRACT_OPTIONS, type Mount, type Mounted } from './contract.js';
import { expressWebhook } from '../src/index.js';
import {
  ALLINPAY_ACK, allinpayPaidFields, LIANLIAN_ACK, lianlianPaidNotification, nextOrderId, paymentRecord, send, startWorld, type World,
} from './support.js';

async function listen(app: Express): Promise<Mounted> {
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

// The peer range says Express 4 and 5: every test below runs on both.
const require = createRequire(import.meta.url);
const MAJORS = [
  { major: '5', express: express5, version: (require('express/package.json') as { version: string }).version },
  { major: '4', express: express4, version: (require('express4/package.json') as { version: string }).version },
] as const;

describe('Express majors under test', function () {
  it('are really Express 5 and Express 4', function () {
    expect(MAJORS.map((m) => m.version.split('.')[0])).to.deep.equal(['5', '4']);
  });
});

for (const { major, express } of MAJORS) {
  const mountBare: Mount = (paykit, options) => {
    const app = express();
    app.all('/paykit/notify/:instance', expressWebhook(paykit, options));
    return listen(app);
  };

  describeWebhookAdapter(`Express ${major} (no body parser)`, mountBare);

  describe(`Express ${major} webhook adapter with body parsers mounted`, function () {
    let w: World;
    before(async function () { w = await startWorld(); });
    after(async function () { await w.close(); });

    context('when express.json() is mounted globally before the paykit route', function () {
      let app: Mounted;
      before(async function () {
        const e = express();
        e.use(express.json());
        e.all('/paykit/notify/:instance', expressWebhook(w.view, CONTRACT_OPTIONS));
        app = await listen(e);
      });
      after(async function () { await app.close(); });

      it('answers LianLian the rejection (so it retries), records nothing and logs how to fix the mounting', async function () {
        const orderId = nextOrderId('EJ');
        const body = await lianlianPaidNotification(w, orderId);
        const calls = w.handled.length;
        const lines = w.logger.lines.length;
        const reply = await send(`${app.url}/paykit/notify/shop`, body, { contentType: 'application/json' });
        expect(reply.body).not.to.equal(LIANLIAN_ACK);
        expect((JSON.parse(reply.body) as { ret_code: string }).ret_code).not.to.equal('0000');
        expect(w.handled.length, 'paykit must not see a re-serialised body').to.equal(calls);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('pending');
        const logged = w.logger.lines.slice(lines).map((l) => l.message).join('\n');
        expect(logged).to.contain('mount the paykit route before');
        expect(logged).to.contain('express.json()');
        expect(logged).to.contain('express.raw(');
      });

      it('still verifies an Allinpay form, which express.json() leaves unread', async function () {
        const orderId = nextOrderId('EF');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        const reply = await send(`${app.url}/paykit/notify/app`, body, { contentType: 'application/x-www-form-urlencoded' });
        expect(reply.body).to.equal(ALLINPAY_ACK);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });
    });

    context('when express.urlencoded() is mounted globally before the paykit route', function () {
      it('answers Allinpay a non-2xx rejection instead of verifying the parsed form', async function () {
        const e = express();
        e.use(express.urlencoded({ extended: false }));
        e.all('/paykit/notify/:instance', expressWebhook(w.view, CONTRACT_OPTIONS));
        const app = await listen(e);
        try {
          const orderId = nextOrderId('EU');
          const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
          const reply = await send(`${app.url}/paykit/notify/app`, body, { contentType: 'application/x-www-form-urlencoded' });
          expect(reply.status).to.be.at.least(300);
          expect(reply.body).not.to.equal(ALLINPAY_ACK);
          expect((await paymentRecord(w, orderId))?.value.status).to.equal('pending');
        } finally {
          await app.close();
        }
      });
    });

    context('when express.raw({ type: "*/*" }) is mounted globally', function () {
      let app: Mounted;
      before(async function () {
        const e = express();
        e.use(express.raw({ type: '*/*' }));
        e.all('/paykit/notify/:instance', expressWebhook(w.view, CONTRACT_OPTIONS));
        app = await listen(e);
      });
      after(async function () { await app.close(); });

      it('uses the kept bytes exactly and acknowledges LianLian', async function () {
        const orderId = nextOrderId('ER');
        const fields = JSON.parse(await lianlianPaidNotification(w, orderId)) as Record<string, string>;
        const body = JSON.stringify(fields, null, 1);
        const reply = await send(`${app.url}/paykit/notify/shop`, body, { contentType: 'application/json' });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        expect(Buffer.from(w.handled.at(-1) ?? []).toString('utf8')).to.equal(body);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });

      it('acknowledges Allinpay', async function () {
        const orderId = nextOrderId('ERA');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        const reply = await send(`${app.url}/paykit/notify/app`, body, { contentType: 'application/x-www-form-urlencoded' });
        expect(reply.body).to.equal(ALLINPAY_ACK);
      });
    });

    context('when the paykit route is mounted on a router under a prefix, before express.json()', function () {
      it('resolves the instance from the original URL and acknowledges', async function () {
        const e = express();
        const router = express.Router();
        router.post('/notify/:instance', expressWebhook(w.view, CONTRACT_OPTIONS));
        e.use('/paykit', router);
        e.use(express.json());
        e.post('/orders', (req, res) => { res.json({ echoed: req.body as unknown }); });
        const app = await listen(e);
        try {
          const orderId = nextOrderId('EP');
          const reply = await send(`${app.url}/paykit/notify/shop`, await lianlianPaidNotification(w, orderId), { contentType: 'application/json' });
          expect(reply.body).to.equal(LIANLIAN_ACK);
          const other = await send(`${app.url}/orders`, '{"a":1}', { contentType: 'application/json' });
          expect(JSON.parse(other.body)).to.deep.equal({ echoed: { a: 1 } });
        } finally {
          await app.close();
        }
      });
    });
  });
}
