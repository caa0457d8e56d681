import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { runCli } from '../src/index.js';
import { FAKE_PROVIDERS } from './fixtures/fakepay.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const KEY = 'K123secret';

describe('paykit request', () => {
  // A live server at the gateway URL proves that `paykit request` sends nothing.
  let server: Server;
  let hits = 0;
  let gateway = '';
  before(async () => {
    server = createServer((_req, res) => { hits += 1; res.end('ok'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    expect(hits, 'requests that reached the gateway').to.equal(0);
  });

  function configDir(charset?: 'GBK'): string {
    return tempDir({
      'paykit.json': JSON.stringify({ instances: { shop: { plugin: 'fakepay', options: { merchantId: 'M1', md5Key: 'file:md5.key', gatewayUrl: gateway, ...(charset ? { charset } : {}) } } } }),
      'md5.key': KEY,
    });
  }

  async function run(input: unknown, op: string, dir = configDir()): Promise<{ code: number; io: MemoryIo }> {
    // The working directory is elsewhere: file: references must resolve from the config's directory.
    const io = new MemoryIo(typeof input === 'string' ? input : JSON.stringify(input), {}, tempDir({}));
    const code = await runCli(['request', '--config', `${dir}/paykit.json`, op], io, FAKE_PROVIDERS);
    return { code, io };
  }

  context('payments.query', () => {
    it('prints the exact request (line, headers, body) and says it was not sent', async () => {
      const { code, io } = await run({ orderId: 'A1001' }, 'payments.query');
      expect(code).to.equal(0);
      expect(io.stdout).to.equal(`POST ${gateway}/query\ncontent-type: application/json\n\n{"merchant_id":"M1","order_id":"A1001"}\n`);
      expect(io.stderr).to.contain('fakepay.query (query, timeout 5000 ms) via instance shop: not sent');
    });
  });

  context('refunds.create', () => {
    it('converts requestedAt to a Date and prints the body bytes exactly', async () => {
      const { code, io } = await run({
        refundId: 'R1', amount: { amount: 1000, currency: 'CNY' },
        payment: { orderId: 'A1001', amount: { amount: 4965, currency: 'CNY' } }, requestedAt: '2024-05-01T02:00:00Z',
      }, 'refunds.create');
      expect(code).to.equal(0);
      // 02:00 UTC is 10:00 China Standard Time.
      expect(io.stdout).to.equal(`POST ${gateway}/refund\ncontent-type: application/x-www-form-urlencoded\n\nrefund_no=R1&order_id=A1001&amount=10.00&requested_at=20240501100000\n`);
      expect(io.stderr).to.contain('(money, timeout 7000 ms)');
    });
  });

  context('payments.create with a redirect action', () => {
    const input = { orderId: 'A1001', amount: { amount: 4965, currency: 'CNY' }, description: '茶 tea', createdAt: '2024-05-01T10:00:00+08:00' };

    it('prints the browser form POST in UTF-8, as URLSearchParams would encode it', async () => {
      const { code, io } = await run(input, 'payments.create');
      expect(code).to.equal(0);
      const [headText, body] = io.stdout.split('\n\n') as [string, string];
      expect(headText).to.equal(`POST ${gateway}/cashier\ncontent-type: application/x-www-form-urlencoded; charset=UTF-8`);
      const fields = new URLSearchParams(body.trim());
      expect(fields.get('subject')).to.equal('茶 tea');
      expect(fields.get('amount')).to.equal('49.65');
      expect(fields.get('created_at')).to.equal('20240501100000');
      expect(body.trim()).to.equal(new URLSearchParams([...fields.entries()]).toString());
      expect(body).to.contain('subject=%E8%8C%B6+tea');
    });

    it('masks the payer\'s card number in the printed form (UTF-8 and GBK bodies), and keeps order and merchant numbers', async () => {
      for (const dir of [configDir(), configDir('GBK')]) {
        const { code, io } = await run({ ...input, orderId: '2013051500001234', payer: { cardNumber: '6222020200112233445' } }, 'payments.create', dir);
        expect(code).to.equal(0);
        expect(io.stdout).to.contain('card_no=622202*********3445');
        expect(io.stdout).to.contain('order_id=2013051500001234');
        expect(io.stdout + io.stderr).not.to.contain('6222020200112233445');
      }
    });

    it('masks the payer\'s id number by its field name, in the form and inside a JSON field of it', async () => {
      const { code, io } = await run({ ...input, payer: { idNumber: '11010119900101123X' } }, 'payments.create');
      expect(code).to.equal(0);
      expect(io.stdout).to.contain('id_no=**************123X');
      expect(io.stdout).to.contain('risk_item=%7B%22user_info_id_no%22%3A%22**************123X%22%7D');
      expect(io.stdout + io.stderr).not.to.contain('11010119900101');
    });

    it('encodes the form in GBK when the action says so', async () => {
      const { code, io } = await run(input, 'payments.create', configDir('GBK'));
      expect(code).to.equal(0);
      expect(io.stdout).to.contain('content-type: application/x-www-form-urlencoded; charset=GBK');
      // 茶 is B2E8 in GBK; checked independently by decoding those bytes with the WHATWG GBK decoder.
      expect(new TextDecoder('gbk').decode(Uint8Array.from([0xb2, 0xe8]))).to.equal('茶');
      expect(io.stdout).to.contain('subject=%B2%E8+tea');
    });
  });

  context('an operation answered without a request', () => {
    it('prints the result and says nothing would be sent', async () => {
      const { code, io } = await run({ refundId: 'R1', amount: { amount: 1000, currency: 'CNY' }, payment: { orderId: 'A1001', amount: { amount: 4965, currency: 'CNY' } } }, 'refunds.query');
      expect(code).to.equal(0);
      expect(JSON.parse(io.stdout)).to.deep.equal({ refundId: 'R1', orderId: 'A1001', status: 'processing', amount: { amount: 1000, currency: 'CNY' } });
      expect(io.stderr).to.contain('sends no HTTP request');
    });
  });

  context('when the input is invalid', () => {
    it('names the path of a fractional amount', async () => {
      const { code, io } = await run({ orderId: 'A1', amount: { amount: 49.65, currency: 'CNY' }, description: 'x' }, 'payments.create');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('payments.create.amount').and.to.contain('integer');
      expect(io.stdout).to.equal('');
    });

    it('names an unknown field (a typo)', async () => {
      const { code, io } = await run({ orderID: 'A1' }, 'payments.query');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('payments.query.orderID: unknown field');
    });

    it('names a date without a zone', async () => {
      const { code, io } = await run({ orderId: 'A1', createdAt: '2024-05-01 10:00:00' }, 'payments.query');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('payments.query.createdAt').and.to.contain('ISO 8601');
    });

    it('names a nested path', async () => {
      const { code, io } = await run({ refundId: 'R1', amount: { amount: 1, currency: 'CNY' }, payment: { orderId: 'A1' } }, 'refunds.create');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('refunds.create.payment.amount');
    });
  });

  context('when the operation cannot be served', () => {
    it('exits 1 with Unsupported when no instance serves the capability', async () => {
      const { code, io } = await run({ payment: { orderId: 'A1', amount: { amount: 1, currency: 'CNY' } } }, 'preauth.capture');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('Unsupported').and.to.contain('preauth');
    });

    it('exits 2 for an unknown operation', async () => {
      const { code, io } = await run({}, 'payments.refund');
      expect(code).to.equal(2);
      expect(io.stderr).to.contain('unknown operation "payments.refund"').and.to.contain('refunds.create');
    });

    it('exits 2 without --config', async () => {
      const io = new MemoryIo('{}');
      expect(await runCli(['request', 'payments.query'], io, FAKE_PROVIDERS)).to.equal(2);
    });
  });
});
