import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { MD5_KEY, world, worldOn, type World } from './support.js';

/** A merchant endpoint on 127.0.0.1 that keeps the URL and body of every post and acknowledges it. */
async function endpoint(): Promise<{ server: Server; url: string; posts: { url: string; body: string }[] }> {
  const posts: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ url: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('success');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/allinpay/notify`, posts };
}

const request = (post: { url: string; body: string }) => ({
  method: 'POST', url: post.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array(Buffer.from(post.body, 'utf8')),
});

describe('Allinpay mobile notifications in the order currency', () => {
  let w: World;
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    await w?.sim.close();
  });

  context('when a JPY order on a CNY instance is paid and Allinpay posts the result to receiveUrl', () => {
    it('reads the amount in yen, settles the payment, and a redelivery is a duplicate, not a Conflict', async () => {
      const e = await endpoint();
      server = e.server;
      w = await world({ receiveUrl: e.url });
      const created = await w.paykit.payments.create({ orderId: 'JPY-N1', amount: { amount: 1200, currency: 'JPY' }, description: 'tea', extra: { tradeNature: 'GOODS' } });
      const action = created._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      const attempts = await w.sim.pay(action.payload, 'succeeded').delivery;
      expect(attempts?.map((a) => a.acknowledged)).to.deep.equal([true]);
      const post = e.posts[0];
      if (post === undefined) throw new Error('nothing was posted');
      const handled = await w.paykit.notifications.handle('app', request(post));
      if (handled.isErr()) throw new Error(handled.error.message);
      expect(handled.value.event.type === 'payment' && handled.value.event.report.amount).to.deep.equal({ amount: 1200, currency: 'JPY' });
      expect((await w.paykit.payments.get('JPY-N1'))._unsafeUnwrap().status).to.equal('succeeded');
      const again = await w.paykit.notifications.handle('app', request(post));
      expect(again.isOk() && again.value.duplicate).to.equal(true);
      // The notification carries no currency (spec 2.2.3): the order's travels in the receiveUrl the merchant signed.
      expect((JSON.parse(action.payload) as Record<string, string>).receiveUrl).to.equal(`${e.url}?paykit_currency=JPY`);
    });
  });

  context('when the order is in the instance currency', () => {
    it('leaves receiveUrl as configured and reads the notification in that currency', async () => {
      const e = await endpoint();
      server = e.server;
      w = await world({ receiveUrl: e.url });
      const action = (await w.paykit.payments.create({ orderId: 'CNY-N1', amount: { amount: 1200, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      expect((JSON.parse(action.payload) as Record<string, string>).receiveUrl).to.equal(e.url);
      await w.sim.pay(action.payload, 'succeeded').delivery;
      const handled = await w.paykit.notifications.handle('app', request(e.posts[0] as { url: string; body: string }));
      expect(handled.isOk() && handled.value.event.type === 'payment' && handled.value.event.report.amount).to.deep.equal({ amount: 1200, currency: 'CNY' });
    });
  });

  context('when the currency in the URL is not the order\'s', () => {
    it('is a Conflict that changes nothing (the URL is not covered by Allinpay\'s signature; the record decides)', async () => {
      const e = await endpoint();
      server = e.server;
      w = await world({ receiveUrl: e.url });
      const action = (await w.paykit.payments.create({ orderId: 'CNY-N2', amount: { amount: 1200, currency: 'CNY' }, description: 'tea' }))._unsafeUnwrap().action;
      if (action.kind !== 'sdk') throw new Error('expected an SDK action');
      await w.sim.pay(action.payload, 'succeeded').delivery;
      const forged = { url: '/allinpay/notify?paykit_currency=JPY', body: (e.posts[0] as { body: string }).body };
      const r = await w.paykit.notifications.handle('app', request(forged));
      expect(r.isErr() && r.error.kind).to.equal('Conflict');
      expect((await w.paykit.payments.get('CNY-N2'))._unsafeUnwrap().status).to.equal('pending');
    });

    it('is a Decode error when it names no currency', async () => {
      w = await world();
      const r = await w.paykit.notifications.handle('app', request({ url: '/n?paykit_currency=YEN', body: 'orderNo=1' }));
      expect(r.isErr() && r.error.kind).to.equal('Decode');
      expect(r.isErr() && r.error.message).to.contain('paykit_currency');
    });
  });
});

/** Spec 2.2.3's fields in signing order (specs README "Payment notification"). */
const NOTIFICATION_SIGN_ORDER = [
  'merchantId', 'version', 'language', 'signType', 'payType', 'issuerId', 'paymentOrderId', 'orderNo', 'orderDatetime', 'orderAmount',
  'payDatetime', 'payAmount', 'ext1', 'ext2', 'payResult', 'errorCode', 'returnDatetime',
] as const;

/** A signType 0 notification form body: uppercase MD5 of the non-empty fields as name=value joined with &, plus &key=KEY. */
function md5Notification(fields: Readonly<Record<string, string>>): string {
  const source = NOTIFICATION_SIGN_ORDER.filter((n) => (fields[n] ?? '') !== '').map((n) => `${n}=${fields[n]}`).join('&');
  const signMsg = createHash('md5').update(`${source}&key=${MD5_KEY}`, 'utf8').digest('hex').toUpperCase();
  return new URLSearchParams({ ...fields, signMsg }).toString();
}

describe('Allinpay mobile notifications: the amount actually paid (payAmount, spec 2.2.3)', () => {
  let w: World;
  afterEach(async () => { await w?.sim.close(); });

  /** Creates an order and returns the signed notification of its success with the given payAmount. */
  const paidWith = async (orderId: string, amount: number, currency: 'CNY' | 'USD', payAmount: string): Promise<{ url: string; body: string }> => {
    const created = await w.paykit.payments.create({ orderId, amount: { amount, currency }, description: 'tea', ...(currency === 'CNY' ? {} : { extra: { tradeNature: 'GOODS' } }) });
    const action = created._unsafeUnwrap().action;
    if (action.kind !== 'sdk') throw new Error('expected an SDK action');
    const payData = JSON.parse(action.payload) as Record<string, string>;
    const body = md5Notification({
      merchantId: w.sim.merchantId, version: 'v1.0', language: '1', signType: '0', payType: '0', paymentOrderId: `AP${orderId}`,
      orderNo: orderId, orderDatetime: payData.orderDatetime as string, orderAmount: String(amount), payDatetime: '20240101120500',
      payAmount, payResult: '1', returnDatetime: '20240101120501',
    });
    return { url: currency === 'CNY' ? '/notify' : `/notify?paykit_currency=${currency}`, body };
  };

  context('when a CNY order\'s success says the payer paid another sum than the order', () => {
    it('is not recorded as paid but handed to a person, with both sums, and acknowledged', async () => {
      w = await world({ signType: '0', certificate: undefined });
      const sent = await paidWith('PAY-1', 1000, 'CNY', '900');
      const r = await w.paykit.notifications.handle('app', request(sent));
      expect(r.isOk() && r.value.reply.body).to.equal('success');
      const payment = (await w.paykit.payments.get('PAY-1'))._unsafeUnwrap();
      expect(payment.status).to.equal('needs_attention');
      expect(payment.attention?.reason).to.contain('900').and.to.contain('1000');
      expect(payment.providerDetails).to.deep.include({ payAmount: '900' });
      // resolvePending reports it with its reason, without asking Allinpay about it.
      const report = (await w.paykit.resolvePending({ olderThan: 0 }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome, e.attention?.reason])).to.deep.equal([['PAY-1', 'needs_attention', payment.attention?.reason]]);
      // Delivered again, it leaves the record as it is.
      expect((await w.paykit.notifications.handle('app', request(sent)))._unsafeUnwrap().duplicate).to.equal(true);
      expect((await w.paykit.payments.get('PAY-1'))._unsafeUnwrap()).to.deep.equal(payment);
    });

    it('is recorded for a person as well for an order paykit has no record of (not lost once Allinpay stops retrying)', async () => {
      w = await world({ signType: '0', certificate: undefined });
      const sent = await paidWith('PAY-4', 1000, 'CNY', '900');
      const other = await worldOn(w.sim, { signType: '0', certificate: undefined });
      const r = await other.paykit.notifications.handle('app', request(sent));
      expect(r.isOk()).to.equal(true);
      const payment = (await other.paykit.payments.get('PAY-4'))._unsafeUnwrap();
      expect([payment.status, payment.amount.amount]).to.deep.equal(['needs_attention', 1000]);
    });

    it('is taken as paid when payAmount writes the same sum differently (leading zero)', async () => {
      w = await world({ signType: '0', certificate: undefined });
      const r = await w.paykit.notifications.handle('app', request(await paidWith('PAY-5', 1000, 'CNY', '01000')));
      expect(r.isOk()).to.equal(true);
      expect((await w.paykit.payments.get('PAY-5'))._unsafeUnwrap().status).to.equal('succeeded');
    });
  });

  context('when a CNY order\'s success says the payer paid the order amount', () => {
    it('records it paid and keeps payAmount in providerDetails', async () => {
      w = await world({ signType: '0', certificate: undefined });
      const r = await w.paykit.notifications.handle('app', request(await paidWith('PAY-2', 1000, 'CNY', '1000')));
      expect(r.isOk()).to.equal(true);
      const payment = (await w.paykit.payments.get('PAY-2'))._unsafeUnwrap();
      expect(payment.status).to.equal('succeeded');
      expect(payment.providerDetails).to.deep.include({ payAmount: '1000' });
    });
  });

  context('when a USD order\'s success states the CNY fen the payer paid', () => {
    it('records it paid at the order amount and keeps the CNY payAmount in providerDetails', async () => {
      w = await world({ signType: '0', certificate: undefined });
      const r = await w.paykit.notifications.handle('app', request(await paidWith('PAY-3', 1000, 'USD', '7105')));
      expect(r.isOk() && r.value.event.type === 'payment' && r.value.event.report.amount).to.deep.equal({ amount: 1000, currency: 'USD' });
      const payment = (await w.paykit.payments.get('PAY-3'))._unsafeUnwrap();
      expect(payment.status).to.equal('succeeded');
      expect(payment.providerDetails).to.deep.include({ payAmount: '7105' });
    });
  });
});
