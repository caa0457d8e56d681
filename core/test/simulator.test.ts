import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { cstDayAt, deliver, postOnce, SimulatorServer, trafficDay } from '../src/simulator/index.js';

/** A plain node:http client call, independent of the code under test. */
function call(url: string, method = 'POST', body = ''): Promise<{ status: number; body: string } | 'dropped'> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve('dropped'));
    req.end(body);
  });
}

describe('simulator scaffolding', () => {
  describe('SimulatorServer', () => {
    let server: SimulatorServer;
    let work: string[];
    beforeEach(async () => {
      server = await SimulatorServer.start();
      work = [];
      server.route('POST', '/pay', (req, ctx) => {
        work.push(req.body.toString('utf8'));
        return { body: ctx.badSignature ? 'sign=BAD' : `ok:${req.body.toString('utf8')}`, headers: { 'x-sim': '1' } };
      });
      server.route('GET', '/boom', () => { throw new Error('route bug'); });
    });
    afterEach(async () => { await server.close(); });

    it('listens on 127.0.0.1 and routes by method and path', async () => {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await call(`${server.url}/pay?x=1`, 'POST', 'a=1')).to.deep.equal({ status: 200, body: 'ok:a=1' });
      expect(await call(`${server.url}/pay`, 'GET')).to.deep.include({ status: 404 });
      expect(await call(`${server.url}/boom`, 'GET')).to.deep.equal({ status: 500, body: 'simulator error: route bug' });
    });
    it('journals every request with its exact bytes and query', async () => {
      await call(`${server.url}/pay?order=A1`, 'POST', '中文=1');
      expect(server.received).to.have.length(1);
      const r = server.received[0];
      expect(r?.method).to.equal('POST');
      expect(r?.path).to.equal('/pay');
      expect(r?.query.get('order')).to.equal('A1');
      expect(r?.body.toString('hex')).to.equal(Buffer.from('中文=1').toString('hex'));
      expect(r?.at).to.be.instanceOf(Date);
    });
    it('a status fault answers it without doing the work, for `times` requests', async () => {
      server.inject({ status: 500, times: 2 });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.equal({ status: 500, body: 'simulated 500' });
      expect(await call(`${server.url}/pay`, 'POST', 'y')).to.deep.include({ status: 500 });
      expect(await call(`${server.url}/pay`, 'POST', 'z')).to.deep.equal({ status: 200, body: 'ok:z' });
      expect(work).to.deep.equal(['z']);
    });
    it('a dropReply fault does the work and then drops the connection', async () => {
      server.inject({ dropReply: true });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.equal('dropped');
      expect(work).to.deep.equal(['x']);
    });
    it('a delay fault does the work and replies late', async () => {
      server.inject({ delayMs: 150 });
      const t0 = Date.now();
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.equal({ status: 200, body: 'ok:x' });
      expect(Date.now() - t0).to.be.at.least(140);
    });
    it('a malformedBody fault does the work and garbles the reply', async () => {
      server.inject({ malformedBody: true });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.equal({ status: 200, body: '<<<not what you expected' });
      expect(work).to.deep.equal(['x']);
    });
    it('a badSignature fault reaches the route', async () => {
      server.inject({ badSignature: true });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.equal({ status: 200, body: 'sign=BAD' });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.equal({ status: 200, body: 'ok:x' });
    });
    it('a path fault applies only to that path; clearFaults removes queued faults', async () => {
      server.inject({ path: '/other', status: 503 });
      expect(await call(`${server.url}/pay`, 'POST', 'x')).to.deep.include({ status: 200 });
      server.clearFaults();
      server.inject({ status: 502 });
      server.clearFaults();
      expect(await call(`${server.url}/pay`, 'POST', 'y')).to.deep.include({ status: 200 });
    });
  });

  describe('deliver', () => {
    let merchant: Server;
    let url: string;
    let replies: string[];
    let seen: string[];
    beforeEach(async () => {
      replies = [];
      seen = [];
      merchant = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          seen.push(`${req.headers['content-type']}|${Buffer.concat(chunks).toString('utf8')}`);
          const next = replies.shift() ?? 'SUCCESS';
          if (next === 'DROP') { req.socket.destroy(); return; }
          res.writeHead(200).end(next);
        });
      });
      await new Promise<void>((r) => merchant.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/notify`;
    });
    afterEach(async () => {
      merchant.closeAllConnections();
      await new Promise<void>((r) => merchant.close(() => r()));
    });
    const policy = { attempts: 5, intervalMs: 10, isAck: (status: number, body: string) => status === 200 && body === 'SUCCESS', contentType: 'application/json' };

    it('retries until the exact acknowledgement, then stops', async () => {
      replies = ['FAIL', 'DROP', 'success', 'SUCCESS'];
      const attempts = await deliver(url, '{"a":1}', policy);
      expect(attempts.map((a) => [a.attempt, a.status, a.acknowledged])).to.deep.equal([[1, 200, false], [2, undefined, false], [3, 200, false], [4, 200, true]]);
      expect(seen).to.deep.equal(Array(4).fill('application/json|{"a":1}'));
    });
    it('gives up after the policy\'s attempts', async () => {
      replies = Array(10).fill('FAIL');
      expect((await deliver(url, 'x', { ...policy, attempts: 3 })).map((a) => a.acknowledged)).to.deep.equal([false, false, false]);
      expect(seen).to.have.length(3);
    });
    it('postOnce refuses a non-loopback target', async () => {
      let rejected: unknown;
      await postOnce('http://example.com/notify', 'x', 'text/plain').catch((e: unknown) => { rejected = e; });
      expect(String(rejected)).to.contain('only to loopback, not example.com');
      await postOnce('http://10.0.0.1/notify', 'x', 'text/plain').catch((e: unknown) => { rejected = e; });
      expect(String(rejected)).to.contain('not 10.0.0.1');
      expect(seen).to.deep.equal([]);
    });
  });
});

describe('the day of simulated traffic (China Standard Time)', () => {
  it('turns at 16:00 UTC', () => {
    expect(cstDayAt(Date.parse('2026-12-04T15:59:59.999Z'))).to.deep.equal({ compact: '20261204', dashed: '2026-12-04' });
    expect(cstDayAt(Date.parse('2026-12-04T16:00:00.000Z'))).to.deep.equal({ compact: '20261205', dashed: '2026-12-05' });
    expect(cstDayAt(Date.parse('2026-12-31T16:00:00.000Z'))).to.deep.equal({ compact: '20270101', dashed: '2027-01-01' });
  });
  it('is today when midnight CST is not near', async () => {
    const noon = Date.parse('2026-12-04T04:00:00.000Z');
    expect(await trafficDay(10_000, () => noon)).to.deep.equal({ compact: '20261204', dashed: '2026-12-04' });
  });
  it('waits for the new day when midnight CST is within the margin, so traffic made next stays on one day', async () => {
    // A clock 60 ms before midnight CST that runs with real time.
    const start = Date.now();
    const clock = (): number => Date.parse('2026-12-04T15:59:59.940Z') + (Date.now() - start);
    expect(await trafficDay(10_000, clock)).to.deep.equal({ compact: '20261205', dashed: '2026-12-05' });
  });
});
