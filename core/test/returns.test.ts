import { expect } from 'chai';
import { err, ok } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, MemoryLogger, PaymentErrors, type Paykit, type PayResultAsync, type RawHttpRequest, type ReturnClaim, type StoredPayment,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakePlugin, fakeSignature, okAsync, type FakeScript } from './support/fake-plugin.js';

const KEY = 'fake-return-key';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; logger: MemoryLogger }

/**
 * The fake's return: a JSON claim signed like its notifications (`x-fake-signature`, HMAC-SHA256 of
 * the body with the instance key). Written here, independently of the facade under test.
 */
function verifyFakeReturn(request: RawHttpRequest) {
  if (request.headers['x-fake-signature'] !== fakeSignature(KEY, request.body)) return err(PaymentErrors.signature('x-fake-signature does not match the return'));
  const claim = JSON.parse(Buffer.from(request.body).toString('utf8')) as Omit<ReturnClaim, 'authenticity'>;
  return ok<ReturnClaim>({ ...claim, authenticity: 'signed' });
}

function fakeReturn(claim: Omit<ReturnClaim, 'authenticity'>, key = KEY): RawHttpRequest {
  const body = Buffer.from(JSON.stringify(claim));
  return { method: 'POST', url: '/return', headers: { 'content-type': 'application/json', 'x-fake-signature': fakeSignature(key, body) }, body };
}

async function world(withReturns = true): Promise<World> {
  const script = defaultScript();
  if (withReturns) script.verifyReturn = verifyFakeReturn;
  const store = new InMemoryStore();
  const logger = new MemoryLogger();
  const r = await createPaykit({
    instances: {
      main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } },
      other: { plugin: 'fake', options: { merchantId: 'M2', apiKey: KEY } },
    },
    routes: { payments: 'main' },
  }, { plugins: [fakePlugin('fake', ALL, script)], store, clock: new FixedClock(new Date('2024-01-01T00:00:00Z')), logger });
  return { paykit: r._unsafeUnwrap(), script, store, logger };
}

async function failure(r: PayResultAsync<unknown>) {
  const out = await r;
  if (out.isOk()) expect.fail(`expected Err, got Ok(${JSON.stringify(out.value)})`);
  return out.error;
}
const queries = (s: FakeScript) => s.calls.filter((c) => c.op === 'payments.query');
const record = async (w: World, orderId: string) => (await w.store.get<StoredPayment>('payment', orderId))._unsafeUnwrap();

describe('payments.handleReturn', () => {
  context('when the payment is still pending and the return claims success', () => {
    it('queries the provider and shows its verified answer, not the claim', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'R1', amount: cny(4965), description: 'Tea' });
      w.script.query = (ref) => okAsync({ orderId: ref.orderId, status: 'succeeded', amount: cny(4965), providerPaymentId: 'PP-R1' });
      const h = (await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'R1', status: 'succeeded', amount: cny(4965) })))._unsafeUnwrap();
      expect(h.queried).to.equal(true);
      expect(h.queryError).to.equal(undefined);
      expect(h.claimed).to.deep.equal({ orderId: 'R1', status: 'succeeded', amount: cny(4965), authenticity: 'signed' });
      expect(h.payment).to.deep.include({ orderId: 'R1', status: 'succeeded', providerPaymentId: 'PP-R1' });
      expect(queries(w.script)).to.have.length(1);
      expect(queries(w.script)[0]?.request).to.deep.include({ orderId: 'R1', amount: cny(4965) });
      expect((await record(w, 'R1'))?.value.status).to.equal('succeeded');
    });

    it('keeps the record pending when the provider still has the order unpaid', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'R2', amount: cny(4965), description: 'Tea' });
      const before = await record(w, 'R2');
      w.script.query = (ref) => okAsync({ orderId: ref.orderId, status: 'pending', amount: cny(4965) });
      const h = (await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'R2', status: 'succeeded' })))._unsafeUnwrap();
      expect(h.claimed.status).to.equal('succeeded');
      expect(h.queried).to.equal(true);
      expect(h.payment.status).to.equal('pending');
      expect(await record(w, 'R2')).to.deep.equal(before);
      expect((await w.store.history('payment', 'R2'))._unsafeUnwrap().map((v) => v.status)).to.deep.equal(['pending']);
    });

    it('answers the record as it was, with the query error, when the query fails', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'R3', amount: cny(4965), description: 'Tea' });
      w.script.query = () => errAsync(PaymentErrors.timeout('provider did not answer'));
      const h = (await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'R3', status: 'succeeded' })))._unsafeUnwrap();
      expect(h.queried).to.equal(true);
      expect(h.queryError?.kind).to.equal('Timeout');
      expect(h.payment.status).to.equal('pending');
      expect((await record(w, 'R3'))?.value.status).to.equal('pending');
    });
  });

  context('when the payment is already settled', () => {
    it('does not query a paid payment, whatever the return claims', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'S1', amount: cny(100), description: 'Tea' });
      (await w.paykit.payments.query('S1'))._unsafeUnwrap(); // the default fake answers succeeded
      const calls = queries(w.script).length;
      const h = (await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'S1', status: 'failed' })))._unsafeUnwrap();
      expect(h).to.deep.include({ queried: false });
      expect(h.payment.status).to.equal('succeeded');
      expect(queries(w.script)).to.have.length(calls);
    });

    it('queries a failed payment when the return claims a new attempt succeeded, and not when it claims the failure', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'S2', amount: cny(100), description: 'Tea' });
      w.script.query = (ref) => okAsync({ orderId: ref.orderId, status: 'failed', amount: cny(100) });
      (await w.paykit.payments.query('S2'))._unsafeUnwrap();
      const calls = queries(w.script).length;
      expect((await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'S2', status: 'failed' })))._unsafeUnwrap().queried).to.equal(false);
      expect(queries(w.script)).to.have.length(calls);
      w.script.query = (ref) => okAsync({ orderId: ref.orderId, status: 'succeeded', amount: cny(100) });
      const h = (await w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'S2', status: 'succeeded' })))._unsafeUnwrap();
      expect(h.queried).to.equal(true);
      expect(h.payment.status).to.equal('succeeded');
    });
  });

  context('when the return cannot be shown', () => {
    it('refuses a return that does not verify, without querying or writing', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'F1', amount: cny(100), description: 'Tea' });
      const before = await record(w, 'F1');
      const e = await failure(w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'F1', status: 'succeeded' }, 'forged-key')));
      expect(e.kind).to.equal('Signature');
      expect(queries(w.script)).to.have.length(0);
      expect(await record(w, 'F1')).to.deep.equal(before);
      expect(w.logger.lines.map((l) => l.message)).to.include('payer return refused');
    });

    it('answers NotFound for an order paykit has no record of, and records nothing', async () => {
      const w = await world();
      const e = await failure(w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'F2', status: 'succeeded', amount: cny(100) })));
      expect(e.kind).to.equal('NotFound');
      expect(e.message).to.contain('F2');
      expect(queries(w.script)).to.have.length(0);
      expect(await record(w, 'F2')).to.equal(undefined);
    });

    it('refuses a claim for another amount than the order\'s (Conflict), without querying', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'F3', amount: cny(4965), description: 'Tea' });
      const e = await failure(w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'F3', status: 'succeeded', amount: cny(1) })));
      expect(e.kind).to.equal('Conflict');
      expect(e.message).to.contain('4965');
      expect(queries(w.script)).to.have.length(0);
    });

    it('refuses a return that came to another instance than the order\'s', async () => {
      const w = await world();
      await w.paykit.payments.create({ orderId: 'F4', amount: cny(100), description: 'Tea' });
      const e = await failure(w.paykit.payments.handleReturn('other', fakeReturn({ orderId: 'F4', status: 'succeeded' })));
      expect(e.kind).to.equal('Conflict');
      expect(e.message).to.contain('instance main');
      expect(queries(w.script)).to.have.length(0);
    });

    it('answers Unsupported for a plugin that does not verify returns', async () => {
      const w = await world(false);
      await w.paykit.payments.create({ orderId: 'F5', amount: cny(100), description: 'Tea' });
      const e = await failure(w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'F5', status: 'succeeded' })));
      expect(e.kind).to.equal('Unsupported');
      expect(queries(w.script)).to.have.length(0);
    });

    it('answers InvalidRequest for a request without its raw body bytes', async () => {
      const w = await world();
      const e = await failure(w.paykit.payments.handleReturn('main', { method: 'POST', url: '/return', headers: {}, body: '{"orderId":"X"}' } as never));
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.message).to.contain('Uint8Array');
      expect(w.script.calls.filter((c) => c.op === 'payments.verifyReturn')).to.have.length(0);
    });

    it('answers an Internal error, never a throw, when the plugin throws', async () => {
      const w = await world();
      w.script.verifyReturn = () => { throw new Error('plugin bug'); };
      const e = await failure(w.paykit.payments.handleReturn('main', fakeReturn({ orderId: 'F6', status: 'succeeded' })));
      expect(e.kind).to.equal('Internal');
      expect(queries(w.script)).to.have.length(0);
    });
  });
});
