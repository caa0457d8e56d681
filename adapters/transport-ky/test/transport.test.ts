import { expect } from 'chai';
import { kyTransport } from '../src/index.js';
import { TestServer } from './test-server.js';

// "中文测试" in GBK, written out by hand (D6D0 CEC4 B2E2 CAD4), not produced by any project helper.
const GBK_BYTES = Uint8Array.from([0xd6, 0xd0, 0xce, 0xc4, 0xb2, 0xe2, 0xca, 0xd4]);

describe('kyTransport', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.close();
  });

  context('when the body is GBK bytes', () => {
    it('sends the bytes exactly and returns the raw reply bytes with lower-case headers', async () => {
      server.handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=GBK', 'X-Provider-Trace': 'T-1' });
        res.end(Buffer.from(GBK_BYTES));
      };
      const r = await kyTransport().send(
        { method: 'POST', url: `${server.url}/gateway?x=1`, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=GBK' }, body: GBK_BYTES },
        { timeoutMs: 2000, kind: 'money', operation: 'test.pay' },
      );
      expect(server.seen).to.have.length(1);
      const sent = server.seen[0]!;
      expect(sent.method).to.equal('POST');
      expect(sent.url).to.equal('/gateway?x=1');
      expect(sent.headers['content-type']).to.equal('application/x-www-form-urlencoded; charset=GBK');
      expect([...sent.body]).to.deep.equal([...GBK_BYTES]);
      expect(r.isOk()).to.equal(true);
      const reply = r._unsafeUnwrap();
      expect(reply.status).to.equal(200);
      expect([...reply.body]).to.deep.equal([...GBK_BYTES]);
      expect(reply.headers['content-type']).to.equal('text/plain; charset=GBK');
      expect(reply.headers['x-provider-trace']).to.equal('T-1');
      expect(Object.keys(reply.headers).every((k) => k === k.toLowerCase())).to.equal(true);
    });
  });

  context('when the body is a string', () => {
    it('sends it as UTF-8 bytes, unchanged', async () => {
      const text = '{"amount":"49.65","name":"茶"}';
      await kyTransport().send(
        { method: 'POST', url: `${server.url}/json`, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: text },
        { timeoutMs: 2000, kind: 'query', operation: 'test.query' },
      );
      expect(server.seen[0]!.body.toString('hex')).to.equal(Buffer.from(text, 'utf8').toString('hex'));
      expect(server.seen[0]!.headers['content-length']).to.equal(String(Buffer.byteLength(text, 'utf8')));
    });
  });

  context('when the provider answers with a non-2xx status', () => {
    it('returns the reply as data instead of an error', async () => {
      server.handler = (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"ret_code":"1001"}');
      };
      const r = await kyTransport().send({ method: 'GET', url: `${server.url}/q`, headers: {} }, { timeoutMs: 2000, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrap().status).to.equal(400);
      expect(Buffer.from(r._unsafeUnwrap().body).toString('utf8')).to.equal('{"ret_code":"1001"}');
      expect(server.seen).to.have.length(1);
    });

    it('does not retry a 500 (only 502/503/504 are retried, for queries)', async () => {
      server.handler = (_req, res) => {
        res.writeHead(500);
        res.end('boom');
      };
      const r = await kyTransport({ backoffMs: 10 }).send({ method: 'GET', url: `${server.url}/q`, headers: {} }, { timeoutMs: 2000, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrap().status).to.equal(500);
      expect(server.seen).to.have.length(1);
    });

    it('returns a redirect without following it', async () => {
      server.handler = (_req, res) => {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      };
      const r = await kyTransport().send({ method: 'POST', url: `${server.url}/pay`, headers: {}, body: 'a=1' }, { timeoutMs: 2000, kind: 'money', operation: 'test.pay' });
      expect(r._unsafeUnwrap().status).to.equal(302);
      expect(r._unsafeUnwrap().headers.location).to.equal('/elsewhere');
      expect(server.seen.map((s) => s.url)).to.deep.equal(['/pay']);
    });
  });

  context('when the URL is plain http to a host that is not loopback', () => {
    it('refuses with InvalidConfig before anything is sent', async () => {
      let fetchCalls = 0;
      const transport = kyTransport({ fetch: (input, init) => { fetchCalls += 1; return fetch(input, init); } });
      const r = await transport.send({ method: 'POST', url: 'http://gateway.paykit-test.invalid/pay', headers: {}, body: 'a=1' }, { timeoutMs: 500, kind: 'money', operation: 'test.pay' });
      expect(r._unsafeUnwrapErr().kind).to.equal('InvalidConfig');
      expect(r._unsafeUnwrapErr().message).to.contain('gateway.paykit-test.invalid').and.to.contain('https');
      expect(fetchCalls).to.equal(0);
    });

    it('refuses a host that only starts like a loopback address', async () => {
      let fetchCalls = 0;
      const transport = kyTransport({ fetch: (input, init) => { fetchCalls += 1; return fetch(input, init); } });
      const r = await transport.send({ method: 'GET', url: 'http://127.0.0.1.paykit-test.invalid/q', headers: {} }, { timeoutMs: 500, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrapErr().kind).to.equal('InvalidConfig');
      expect(fetchCalls).to.equal(0);
    });

    it('allows plain http to localhost', async () => {
      const port = new URL(server.url).port;
      const r = await kyTransport().send({ method: 'GET', url: `http://localhost:${port}/q`, headers: {} }, { timeoutMs: 2000, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrap().status).to.equal(200);
      expect(server.seen).to.have.length(1);
    });
  });

  context('when the request itself is malformed', () => {
    it('returns InvalidRequest for a header value HTTP cannot carry, and sends nothing', async () => {
      const r = await kyTransport().send({ method: 'GET', url: `${server.url}/q`, headers: { 'x-bad': 'a\r\nb' } }, { timeoutMs: 2000, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect(server.seen).to.have.length(0);
    });

    it('returns InvalidRequest for a timeout that is not a positive integer', async () => {
      const r = await kyTransport().send({ method: 'GET', url: `${server.url}/q`, headers: {} }, { timeoutMs: 0, kind: 'query', operation: 'test.query' });
      expect(r._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      expect(server.seen).to.have.length(0);
    });
  });
});

describe('kyTransport given options of the wrong shape (rule 3)', () => {
  it('makes a transport whose every call is an InvalidConfig error saying what to fix, sending nothing', async () => {
    const server = await new TestServer().start();
    try {
      const hostile = new Proxy({}, { get() { throw new Error('proxy get'); } });
      const cases: [unknown, string][] = [
        [null, 'pass an object'], [5, 'pass an object'], [{ retries: -1 }, 'retries must be a whole number'], [{ backoffMs: '300' }, 'backoffMs must be a whole number'],
        [{ fetch: 'fetch' }, 'fetch must be a function'], [{ logger: {} }, 'logger must be a paykit Logger'], [hostile, 'cannot be read'],
      ];
      for (const [options, says] of cases) {
        let transport: ReturnType<typeof kyTransport> | undefined;
        try {
          transport = kyTransport(options as never);
        } catch (e) {
          expect.fail(`kyTransport threw ${String((e as Error)?.message ?? e)}`);
        }
        const r = await transport?.send({ method: 'GET', url: `${server.url}/q`, headers: {} }, { timeoutMs: 2000, kind: 'query', operation: 'test.query' });
        const e = r?._unsafeUnwrapErr();
        expect(e?.kind).to.equal('InvalidConfig');
        expect(e?.message).to.include(says);
      }
      expect(server.seen).to.have.length(0);
    } finally {
      await server.close();
    }
  });
});
