import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { formatCst } from '@paykit/core';
import { formRequest, lastForm, MD5_KEY, paidOrder, world, type World } from './support.js';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();

describe('Allinpay mobile payments', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  context('when creating a CNY order of ¥10.00', () => {
    it('returns an SDK action whose payData sends orderAmount 1000 and currency 156 in test mode "01"', async () => {
      w = await world();
      const r = await w.paykit.payments.create({ orderId: 'CNY-1', amount: { amount: 1000, currency: 'CNY' }, description: '茶叶' });
      if (r.isErr()) throw new Error(r.error.message);
      expect(r.value.action.kind).to.equal('sdk');
      if (r.value.action.kind !== 'sdk') return;
      expect(r.value.action.mode).to.equal('01');
      const payData = JSON.parse(r.value.action.payload) as Record<string, string>;
      expect(payData.orderAmount).to.equal('1000');
      expect(payData.orderCurrency).to.equal('156');
      expect(payData.orderDatetime).to.equal(formatCst(w.clock.now()));
      expect(r.value.payment.status).to.equal('pending');
    });
  });

  context('when creating a JPY order of 1000 yen', () => {
    it('sends orderAmount 1000 (yen have no minor unit) with currency 392 and the trade nature', async () => {
      w = await world();
      const r = await w.paykit.payments.create({ orderId: 'JPY-1', amount: { amount: 1000, currency: 'JPY' }, description: 'tea', extra: { tradeNature: 'GOODS' } });
      if (r.isErr() || r.value.action.kind !== 'sdk') throw new Error('create failed');
      const payData = JSON.parse(r.value.action.payload) as Record<string, string>;
      expect(payData).to.include({ orderAmount: '1000', orderCurrency: '392', tradeNature: 'GOODS' });
      const paid = w.sim.pay(r.value.action.payload, 'succeeded', false);
      expect(paid.orderAmount).to.equal(1000);
    });

    it('refuses it without tradeNature, naming the field', async () => {
      w = await world();
      const r = await w.paykit.payments.create({ orderId: 'JPY-2', amount: { amount: 1000, currency: 'JPY' }, description: 'tea' });
      expect(r.isErr() && r.error.kind).to.equal('InvalidRequest');
      expect(r.isErr() && r.error.path).to.equal('extra.tradeNature');
    });
  });

  context('when the currency is not in the applicable table', () => {
    it('refuses GBP for a cross-border payment (6.2) but takes it for an international card (6.3)', async () => {
      w = await world();
      const cross = await w.paykit.payments.create({ orderId: 'GBP-1', amount: { amount: 500, currency: 'GBP' }, description: 'tea', extra: { tradeNature: 'GOODS' } });
      expect(cross.isErr() && cross.error.message).to.contain('6.2');
      const card = await w.paykit.payments.create({
        orderId: 'GBP-2', amount: { amount: 500, currency: 'GBP' }, description: 'tea',
        extra: { tradeNature: 'GOODS', payType: '30', international: {
          ship_to_country: 'GB', ship_to_state: 'LDN', ship_to_city: 'London', ship_to_street1: '1 Strand', ship_to_phonenumber: '020',
          ship_to_postalcode: 'WC2N', ship_to_firstname: 'Ada', ship_to_lastname: 'L',
        } },
      });
      if (card.isErr() || card.value.action.kind !== 'sdk') throw new Error('international create failed');
      const payData = JSON.parse(card.value.action.payload) as Record<string, string>;
      expect(payData.orderCurrency).to.equal('826');
      expect(payData.ext1).to.equal(md5('GBLDNLondon1 Strand020WC2NAdaL'));
      expect(payData.ship_to_city).to.equal('London');
    });
  });

  context('when the merchant uses member mode', () => {
    it('puts <USER>id</USER> in ext1 and signs it', async () => {
      w = await world();
      const r = await w.paykit.payments.create({ orderId: 'M-1', amount: { amount: 1, currency: 'CNY' }, description: 'x', extra: { memberId: '1001' } });
      if (r.isErr() || r.value.action.kind !== 'sdk') throw new Error('create failed');
      const payData = JSON.parse(r.value.action.payload) as Record<string, string>;
      expect(payData.ext1).to.equal('<USER>1001</USER>');
      expect(() => w.sim.pay(r.value.action.kind === 'sdk' ? r.value.action.payload : '', 'succeeded', false)).not.to.throw();
    });
  });

  context('when querying an order the payer has not paid', () => {
    it('sends a signed v1.5 query with the original order time and reports it pending', async () => {
      w = await world();
      const created = await w.paykit.payments.create({ orderId: 'Q-1', amount: { amount: 100, currency: 'CNY' }, description: 'x' });
      expect(created.isOk()).to.equal(true);
      w.clock.advance(60_000);
      const q = await w.paykit.payments.query('Q-1');
      expect(q.isOk() && q.value.status).to.equal('pending');
      const sent = lastForm(w);
      expect(sent).to.include({ version: 'v1.5', orderNo: 'Q-1', signType: '1', queryDatetime: formatCst(w.clock.now()) });
      const source = `merchantId=${sent.merchantId}&version=v1.5&signType=1&orderNo=Q-1&orderDatetime=${sent.orderDatetime}&queryDatetime=${sent.queryDatetime}`;
      expect(sent.signMsg).to.equal(md5(`${source}&key=${MD5_KEY}`));
    });
  });

  context('when the query reply is signed wrongly', () => {
    it('returns a Signature error and leaves the payment as it was', async () => {
      w = await world();
      const created = await w.paykit.payments.create({ orderId: 'Q-2', amount: { amount: 100, currency: 'CNY' }, description: 'x' });
      if (created.isErr() || created.value.action.kind !== 'sdk') throw new Error('create failed');
      w.sim.pay(created.value.action.payload, 'succeeded', false);
      w.sim.server.inject({ badSignature: true });
      const q = await w.paykit.payments.query('Q-2');
      expect(q.isErr() && q.error.kind).to.equal('Signature');
      expect((await w.paykit.payments.get('Q-2')).isOk() && (await w.paykit.payments.get('Q-2'))._unsafeUnwrap().status).to.equal('pending');
    });
  });

  context('when Allinpay posts the result to receiveUrl', () => {
    it('delivers it to a real endpoint, retrying until the merchant acknowledges', async () => {
      const { createServer } = await import('node:http');
      let calls = 0;
      const bodies: string[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          calls += 1;
          bodies.push(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(calls < 3 ? 500 : 200).end(calls < 3 ? 'fail' : 'success');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      w = await world({ receiveUrl: `http://127.0.0.1:${port}/notify` });
      const created = await w.paykit.payments.create({ orderId: 'N-1', amount: { amount: 100, currency: 'CNY' }, description: 'x' });
      if (created.isErr() || created.value.action.kind !== 'sdk') throw new Error('create failed');
      const attempts = await w.sim.pay(created.value.action.payload, 'succeeded').delivery;
      server.close();
      expect(attempts?.map((a) => a.acknowledged)).to.deep.equal([false, false, true]);
      const handled = await w.paykit.notifications.handle('app', formRequest(bodies[2] as string));
      expect(handled.isOk() && handled.value.reply.body).to.equal('success');
      const again = await w.paykit.notifications.handle('app', formRequest(bodies[0] as string));
      expect(again.isOk() && again.value.duplicate).to.equal(true);
      expect((await w.paykit.payments.get('N-1'))._unsafeUnwrap().status).to.equal('succeeded');
    });
  });

  context('when a signType 0 (MD5) notification arrives unencoded', () => {
    it('verifies the MD5, rejects a changed amount and never logs the key', async () => {
      w = await world({ signType: '0', certificate: undefined });
      await paidOrder(w, 'S0-1');
      const fields = w.sim.paymentResult('S0-1');
      const raw = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('&'); // unencoded: '+' would decode to ' '
      expect((await w.paykit.notifications.handle('app', formRequest(raw))).isOk()).to.equal(true);
      const tampered = raw.replace(/orderAmount=\d+/, 'orderAmount=1');
      const bad = await w.paykit.notifications.handle('app', formRequest(tampered));
      expect(bad.isErr() && bad.error.kind).to.equal('Signature');
      expect(bad.isErr() && bad.error.message).not.to.contain(MD5_KEY);
      expect(JSON.stringify(w.logger.lines)).not.to.contain(MD5_KEY);
    });
  });

  context('when a certificate-signed notification has a + in its signMsg', () => {
    it('verifies after form decoding turned + into spaces', async () => {
      w = await world();
      let fields: Record<string, string> = {};
      for (let i = 0; i < 20; i += 1) {
        await paidOrder(w, `P-${i}`);
        fields = w.sim.paymentResult(`P-${i}`);
        if ((fields.signMsg ?? '').includes('+')) break;
      }
      expect(fields.signMsg).to.contain('+');
      const raw = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('&');
      const r = await w.paykit.notifications.handle('app', formRequest(raw));
      expect(r.isOk()).to.equal(true);
    });
  });
});
