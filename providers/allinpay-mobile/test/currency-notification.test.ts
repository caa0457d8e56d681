import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { world, type World } from './support.js';

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
