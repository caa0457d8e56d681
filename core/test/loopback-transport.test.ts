import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SendOptions } from '@paykit/core';
import { expect } from 'chai';
import { LoopbackTransport } from '../src/simulator/index.js';

const QUERY: SendOptions = { timeoutMs: 2000, kind: 'query', operation: 'test.op' };

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

describe('LoopbackTransport', function () {
  context('when the server answers', function () {
    it('sends the exact body and returns status, lower-case headers and raw bytes', async function () {
      let got = '';
      const { server, url } = await serve((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          got = `${req.method} ${req.url} ${req.headers['content-type']} ${Buffer.concat(chunks).toString('utf8')}`;
          res.writeHead(202, { 'X-Reply': 'yes' }).end(Buffer.from([0xe4, 0xb8, 0xad]));
        });
      });
      try {
        const r = (await new LoopbackTransport().send({ method: 'POST', url: `${url}/q?a=1`, headers: { 'content-type': 'application/json' }, body: '{"a":"中"}' }, QUERY))._unsafeUnwrap();
        expect(got).to.equal('POST /q?a=1 application/json {"a":"中"}');
        expect(r.status).to.equal(202);
        expect(r.headers['x-reply']).to.equal('yes');
        expect([...r.body]).to.deep.equal([0xe4, 0xb8, 0xad]);
      } finally {
        await stop(server);
      }
    });
  });

  context('when nothing listens on the port', function () {
    it('returns Network with sent false (the request provably never left)', async function () {
      const { server, url } = await serve(() => undefined);
      await stop(server);
      const e = (await new LoopbackTransport().send({ method: 'GET', url, headers: {} }, QUERY))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Network');
      expect(e.kind === 'Network' && e.sent).to.equal(false);
      expect(e.retryable).to.equal(true);
    });
  });

  context('when the server drops the connection after reading the request', function () {
    it('returns Network with sent true', async function () {
      const { server, url } = await serve((req) => req.on('data', () => undefined).on('end', () => req.socket.destroy()));
      try {
        const e = (await new LoopbackTransport().send({ method: 'POST', url, headers: {}, body: 'x' }, { ...QUERY, kind: 'money' }))._unsafeUnwrapErr();
        expect(e.kind === 'Network' && e.sent).to.equal(true);
        expect(e.retryable).to.equal(false);
      } finally {
        await stop(server);
      }
    });
  });

  context('when the server never answers', function () {
    it('gives up after the override timeout, not the caller\'s, with a Timeout', async function () {
      const { server, url } = await serve(() => undefined);
      try {
        const started = Date.now();
        const e = (await new LoopbackTransport(150).send({ method: 'GET', url, headers: {} }, { ...QUERY, timeoutMs: 10_000 }))._unsafeUnwrapErr();
        const took = Date.now() - started;
        expect(e.kind).to.equal('Timeout');
        expect(took).to.be.within(140, 2000);
      } finally {
        await stop(server);
      }
    });
  });

  context('when the URL is not loopback', function () {
    it('refuses before sending anything', async function () {
      const e = (await new LoopbackTransport().send({ method: 'GET', url: 'http://example.com/', headers: {} }, QUERY))._unsafeUnwrapErr();
      expect(e.kind === 'Network' && e.sent).to.equal(false);
      expect(e.message).to.include('127.0.0.1');
    });
  });
});
