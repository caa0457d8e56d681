import { expect } from 'chai';
import type { HttpTransport, SendOptions } from '@paykit/core';
import { kyTransport, type KyTransportOptions } from '../src/index.js';
import { closedPort, sleep, TestServer } from './test-server.js';

const money = (timeoutMs = 2000): SendOptions => ({ timeoutMs, kind: 'money', operation: 'test.pay' });
const query = (timeoutMs = 2000): SendOptions => ({ timeoutMs, kind: 'query', operation: 'test.query' });

/** A transport whose fetch calls are counted (the requests that were attempted, sent or not). */
function counted(options: KyTransportOptions = {}): { transport: HttpTransport; calls: () => number } {
  let calls = 0;
  const transport = kyTransport({ ...options, fetch: (input, init) => { calls += 1; return fetch(input, init); } });
  return { transport, calls: () => calls };
}

describe('kyTransport failures', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.close();
  });

  context('when the provider answers too slowly', () => {
    beforeEach(() => {
      server.handler = (_req, res) => { setTimeout(() => { if (!res.destroyed) res.end('late'); }, 600); };
    });

    it('returns Timeout for a money call, sent exactly once and not retryable', async () => {
      const r = await kyTransport({ backoffMs: 10 }).send({ method: 'POST', url: `${server.url}/pay`, headers: {}, body: 'a=1' }, money(100));
      const e = r._unsafeUnwrapErr();
      expect(e.kind).to.equal('Timeout');
      expect(e.retryable).to.equal(false);
      expect(e.message).to.contain('test.pay').and.to.contain('100 ms');
      await sleep(150);
      expect(server.seen).to.have.length(1);
    });

    it('retries a query the configured number of times, then returns a retryable Timeout', async () => {
      const r = await kyTransport({ retries: 2, backoffMs: 10 }).send({ method: 'POST', url: `${server.url}/query`, headers: {}, body: 'q=1' }, query(100));
      expect(r._unsafeUnwrapErr().kind).to.equal('Timeout');
      expect(r._unsafeUnwrapErr().retryable).to.equal(true);
      expect(server.seen).to.have.length(3);
      expect(server.seen.every((s) => s.body.toString() === 'q=1')).to.equal(true);
    });
  });

  context('when the reply headers come late and then the body stalls', () => {
    it('returns Timeout once timeoutMs has passed for headers and body together', async () => {
      server.handler = (_req, res) => {
        setTimeout(() => {
          res.writeHead(200, { 'content-length': '100' });
          res.write('partial');
        }, 150);
      };
      const started = Date.now();
      const r = await kyTransport().send({ method: 'POST', url: `${server.url}/pay`, headers: {}, body: 'a=1' }, money(300));
      const elapsed = Date.now() - started;
      expect(r._unsafeUnwrapErr().kind).to.equal('Timeout');
      expect(elapsed).to.be.within(280, 440);
    });
  });

  context('when the server destroys the socket after reading the request', () => {
    beforeEach(() => {
      server.handler = (_req, res) => res.socket?.destroy();
    });

    it('returns Network with sent=true, not retryable, for a money call sent once', async () => {
      const r = await kyTransport({ backoffMs: 10 }).send({ method: 'POST', url: `${server.url}/pay`, headers: {}, body: 'a=1' }, money());
      const e = r._unsafeUnwrapErr();
      expect(e.kind).to.equal('Network');
      expect(e.kind === 'Network' && e.sent).to.equal(true);
      expect(e.retryable).to.equal(false);
      expect(server.seen).to.have.length(1);
    });

    it('does not retry a query either (the failure came after the request arrived)', async () => {
      const r = await kyTransport({ backoffMs: 10 }).send({ method: 'GET', url: `${server.url}/q`, headers: {} }, query());
      const e = r._unsafeUnwrapErr();
      expect(e.kind === 'Network' && e.sent).to.equal(true);
      expect(server.seen).to.have.length(1);
    });
  });

  context('when nothing listens on the port', () => {
    it('returns Network with sent=false and retryable for a money call, attempted once', async () => {
      const port = await closedPort();
      const { transport, calls } = counted({ backoffMs: 10 });
      const r = await transport.send({ method: 'POST', url: `http://127.0.0.1:${port}/pay`, headers: {}, body: 'a=1' }, money());
      const e = r._unsafeUnwrapErr();
      expect(e.kind).to.equal('Network');
      expect(e.kind === 'Network' && e.sent).to.equal(false);
      expect(e.retryable).to.equal(true);
      expect(e.message).to.contain('connection refused').and.to.contain('not sent');
      expect(calls()).to.equal(1);
    });

    it('retries a query N times before giving up', async () => {
      const port = await closedPort();
      const { transport, calls } = counted({ retries: 3, backoffMs: 10 });
      const r = await transport.send({ method: 'GET', url: `http://127.0.0.1:${port}/q`, headers: {} }, query());
      expect(r._unsafeUnwrapErr().kind === 'Network' && r._unsafeUnwrapErr()).to.include({ sent: false });
      expect(calls()).to.equal(4);
    });
  });

  context('when the host name does not resolve', () => {
    // A stand-in fetch fails the way undici does on a DNS failure, so no DNS query leaves this machine.
    const dnsFailure = (): Promise<Response> => Promise.reject(Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND pay.example.com'), { code: 'ENOTFOUND' }),
    }));

    it('returns Network with sent=false, retryable, and retries a query', async () => {
      let calls = 0;
      const transport = kyTransport({ retries: 2, backoffMs: 5, fetch: () => { calls += 1; return dnsFailure(); } });
      const r = await transport.send({ method: 'GET', url: 'https://pay.example.com/q', headers: {} }, query());
      const e = r._unsafeUnwrapErr();
      expect(e.kind === 'Network' && e.sent).to.equal(false);
      expect(e.retryable).to.equal(true);
      expect(e.message).to.contain('did not resolve');
      expect(calls).to.equal(3);
    });

    it('never retries a money call', async () => {
      let calls = 0;
      const transport = kyTransport({ retries: 2, backoffMs: 5, fetch: () => { calls += 1; return dnsFailure(); } });
      const r = await transport.send({ method: 'POST', url: 'https://pay.example.com/pay', headers: {}, body: 'a=1' }, money());
      expect(r._unsafeUnwrapErr().kind === 'Network' && r._unsafeUnwrapErr()).to.include({ sent: false });
      expect(calls).to.equal(1);
    });
  });

  context('when the provider answers 503', () => {
    beforeEach(() => {
      server.handler = (_req, res) => {
        res.writeHead(503, { 'retry-after': '3600' });
        res.end('busy');
      };
    });

    it('retries a query with exponential backoff, then returns the last reply as data', async () => {
      const r = await kyTransport({ retries: 2, backoffMs: 60 }).send({ method: 'GET', url: `${server.url}/q`, headers: {} }, query());
      expect(r._unsafeUnwrap().status).to.equal(503);
      expect(Buffer.from(r._unsafeUnwrap().body).toString()).to.equal('busy');
      expect(server.seen).to.have.length(3);
      const [a, b, c] = server.seen.map((s) => s.at) as [number, number, number];
      // Backoff 60 ms then 120 ms (the provider's Retry-After of an hour is not obeyed); allow timer slack.
      expect(b - a).to.be.within(55, 1000);
      expect(c - b).to.be.within(115, 1000);
      expect(c - b).to.be.greaterThan(b - a);
    });

    it('stops retrying as soon as the provider recovers', async () => {
      server.handler = (_req, res, n) => {
        res.writeHead(n === 1 ? 502 : 200);
        res.end(n === 1 ? 'bad gateway' : 'ret_code=0000');
      };
      const r = await kyTransport({ retries: 2, backoffMs: 10 }).send({ method: 'GET', url: `${server.url}/q`, headers: {} }, query());
      expect(r._unsafeUnwrap().status).to.equal(200);
      expect(Buffer.from(r._unsafeUnwrap().body).toString()).to.equal('ret_code=0000');
      expect(server.seen).to.have.length(2);
    });

    it('sends a money call exactly once and returns the 503 for the provider to judge', async () => {
      const r = await kyTransport({ retries: 2, backoffMs: 10 }).send({ method: 'POST', url: `${server.url}/pay`, headers: {}, body: 'a=1' }, money());
      expect(r._unsafeUnwrap().status).to.equal(503);
      await sleep(60);
      expect(server.seen).to.have.length(1);
    });
  });

  context('when TLS fails', () => {
    // fetch (undici) reports a socket error as TypeError('fetch failed') with the TLS error as its cause.
    const failingWith = (code: string) => kyTransport({ backoffMs: 10, fetch: () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) })) });
    const pay = (code: string) => failingWith(code).send({ method: 'POST', url: 'https://provider.test/pay', headers: {}, body: 'a=1' }, money());

    it('says not sent only for a certificate that fails the handshake\'s checks', async () => {
      for (const code of ['CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
        const e = (await pay(code))._unsafeUnwrapErr();
        expect(e.kind === 'Network' && e.sent, code).to.equal(false);
        expect(e.retryable, code).to.equal(false);
      }
    });

    it('says the request may have been received for any other TLS error, which can come while the reply is read', async () => {
      for (const code of ['ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC', 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', 'ERR_TLS_INVALID_STATE']) {
        const e = (await pay(code))._unsafeUnwrapErr();
        expect(e.kind === 'Network' && e.sent, code).to.equal(true);
        expect(e.message, code).to.contain('may have received it');
      }
    });
  });
});
