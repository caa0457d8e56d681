import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import Fastify from 'fastify';
import { okAsync } from 'neverthrow';
import { createPaykit, InMemoryStore, type HealthReport, type Paykit, type Store } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { expressHealth, fastifyHealth, listenForNotifications, type HealthPaykit } from '../src/index.js';
import { send } from './support.js';

const options = { merchantId: 'M100200300', key: 'webhooks-health-key-0123456789', baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' };

async function paykitWith(store: Store): Promise<Paykit> {
  return (await createPaykit({ instances: { shop: { plugin: 'example', options } } }, { plugins: [examplePlugin], store }))._unsafeUnwrap();
}

/** A store whose schema misses migration 3 (what an outdated database says). */
function outdated(): Store {
  return Object.assign(Object.create(new InMemoryStore()) as Store, { health: () => okAsync({ migrations: { applied: [1, 2], expected: [1, 2, 3] } }) });
}

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Each adapter serving readiness at /healthz. */
const adapters: readonly { readonly name: string; serve(paykit: Paykit & HealthPaykit): Promise<Served> }[] = [
  {
    name: 'node:http (listenForNotifications with healthPath)',
    serve: async (paykit) => (await listenForNotifications(paykit, { instanceFromPath: true, healthPath: '/healthz' }))._unsafeUnwrap(),
  },
  {
    name: 'Express',
    serve: async (paykit) => {
      const app = express();
      app.get('/healthz', expressHealth(paykit));
      const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
      };
    },
  },
  {
    name: 'Fastify',
    serve: async (paykit) => {
      const app = Fastify();
      await app.register(fastifyHealth(paykit, { path: '/healthz' }));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    },
  },
];

for (const adapter of adapters) {
  describe(`Readiness endpoint on ${adapter.name}`, function () {
    context('when paykit is ready', function () {
      it('answers 200 with the checks as JSON, on the path the merchant chose', async function () {
        const paykit = await paykitWith(new InMemoryStore());
        const served = await adapter.serve(paykit);
        try {
          const reply = await send(`${served.url}/healthz`, '', { method: 'GET' });
          expect(reply.status).to.equal(200);
          expect(reply.headers['content-type']).to.match(/^application\/json/);
          const body = JSON.parse(reply.body) as { status: string; checks: HealthReport['checks'] };
          expect(body.status).to.equal('ready');
          expect(body.checks.instances).to.deep.equal({ ok: true, detail: '1 instance: shop' });
        } finally {
          await served.close();
          await paykit.close();
        }
      });
    });

    context('when the store\'s schema is not current', function () {
      it('answers 503 naming the migration to apply', async function () {
        const paykit = await paykitWith(outdated());
        const served = await adapter.serve(paykit);
        try {
          const reply = await send(`${served.url}/healthz`, '', { method: 'GET' });
          expect(reply.status).to.equal(503);
          const body = JSON.parse(reply.body) as { status: string; checks: HealthReport['checks'] };
          expect(body.status).to.equal('not_ready');
          expect(body.checks.migrations.detail).to.match(/^migrations 3 are not applied/);
        } finally {
          await served.close();
          await paykit.close();
        }
      });
    });
  });
}

describe('Readiness beside notifications on listenForNotifications', function () {
  it('still takes a POST to any other path for a notification, and refuses a POST to the readiness path', async function () {
    const paykit = await paykitWith(new InMemoryStore());
    const served = (await listenForNotifications(paykit, { instanceFromPath: true, healthPath: '/healthz' }))._unsafeUnwrap();
    try {
      const notify = await send(`${served.url}/paykit/notify/nope`, '{}', { contentType: 'application/json' });
      expect(notify.status, 'an unknown instance on the notification path').to.equal(404);
      const post = await send(`${served.url}/healthz`, '{}', { contentType: 'application/json' });
      expect(post.status).to.equal(405);
      expect(post.headers.allow).to.equal('GET, HEAD');
    } finally {
      await served.close();
      await paykit.close();
    }
  });
});
