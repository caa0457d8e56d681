// "Nothing uncertain is invisible to resolvePending": the gaps a review of the scan found, each
// written as the merchant meets it.
import { expect } from 'chai';
import { err, ResultAsync } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type CreatedPayment, type Paykit, type PayResult, type RecordKind, type StoredPayment, type StoredPreAuth,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, type FakeScript } from './support/fake-plugin.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; clock: FixedClock }

/** Two instances of one provider sharing a merchant key. */
async function world(): Promise<World> {
  const script = defaultScript();
  const store = new InMemoryStore();
  const clock = new FixedClock(start);
  const r = await createPaykit({
    instances: { web: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } }, payout: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } },
    routes: { payments: 'web', refunds: 'web', preauth: 'web', payouts: 'payout' },
  }, { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}

async function stored<T>(w: World, kind: RecordKind, id: string): Promise<T | undefined> {
  return (await w.store.get<T>(kind, id))._unsafeUnwrap()?.value;
}

async function paid(w: World, orderId: string, preauth = false): Promise<void> {
  (await w.paykit.payments.create({ orderId, amount: cny(10000), description: 'Tea', ...(preauth ? { preauth } : {}) }))._unsafeUnwrap();
  (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId, status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
}

/** A capture whose reply was lost, which the scan then hands to a person (the fake has no pre-auth query). */
async function captureNeedingAttention(w: World, orderId: string): Promise<void> {
  await paid(w, orderId, true);
  w.script.capture = () => errAsync(PaymentErrors.timeout('no reply'));
  expect((await w.paykit.preauth.capture({ orderId, amount: cny(6000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
  w.clock.advance(11 * MINUTE);
  (await w.paykit.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
  expect((await stored<StoredPreAuth>(w, 'preauth', orderId))?.status).to.equal('needs_attention');
}

describe('resolvePending sees every uncertain record', () => {
  context('when a new attempt at a failed order gets no answer', () => {
    it('reopens the order, so the scan asks about it and records the payment the provider took', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'O1', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId: 'O1', status: 'failed', amount: cny(4965) } })))._unsafeUnwrap();
      w.script.create = () => errAsync(PaymentErrors.timeout('no reply'));
      expect((await w.paykit.payments.create({ orderId: 'O1', amount: cny(4965), description: 'Tea' }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      const record = await stored<StoredPayment>(w, 'payment', 'O1');
      expect(record?.status).to.not.equal('failed');
      expect(record?.inFlight).to.deep.include({ operation: 'payments.create', state: 'unknown' });
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.operation, e.after])).to.deep.equal([['O1', 'payments.query', 'succeeded']]);
    });
  });

  context('when a pre-authorisation waits for a person and the provider notifies the hold', () => {
    it('keeps the capture of unknown outcome, so the scan still reports it', async () => {
      const w = await world();
      await captureNeedingAttention(w, 'PA1');
      (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'preauth', report: { orderId: 'PA1', status: 'authorised' } })))._unsafeUnwrap();
      const record = await stored<StoredPreAuth>(w, 'preauth', 'PA1');
      expect(record?.status).to.equal('needs_attention');
      expect(record?.inFlight?.operation).to.equal('preauth.capture');
      const report = (await w.paykit.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome])).to.deep.equal([['PA1', 'needs_attention']]);
    });
  });

  context('when records waiting for a person are older than a pending payment and a limit is set', () => {
    it('still asks about the pending payment: the limit counts provider calls, and the others are all reported', async () => {
      const w = await world();
      await captureNeedingAttention(w, 'PA2');
      await captureNeedingAttention(w, 'PA3');
      w.script.capture = (req) => okAsync({ orderId: req.payment.orderId, status: 'captured', ...(req.amount ? { captured: req.amount } : {}) });
      (await w.paykit.payments.create({ orderId: 'O2', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
      w.clock.advance(11 * MINUTE);
      const report = (await w.paykit.resolvePending({ limit: 1 }))._unsafeUnwrap();
      expect(report.entries.map((e) => [e.id, e.outcome])).to.have.deep.members([['PA2', 'needs_attention'], ['PA3', 'needs_attention'], ['O2', 'settled']]);
      expect(report.totals.remaining).to.equal(0);
    });
  });

  context('when a refund\'s payment record cannot be read', () => {
    it('counts each check without an answer and ends needs_attention, instead of failing on every scan', async () => {
      const w = await world();
      await paid(w, 'O3');
      w.script.refund = () => errAsync(PaymentErrors.timeout('no reply'));
      expect((await w.paykit.refunds.create({ refundId: 'R3', orderId: 'O3', amount: cny(100) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      const get = w.store.get.bind(w.store);
      w.store.get = ((kind: RecordKind, id: string) => (kind === 'payment' && id === 'O3' ? okAsync(undefined) : get(kind, id))) as typeof w.store.get;
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        w.clock.advance(11 * MINUTE);
        outcomes.push(...(await w.paykit.resolvePending({ kinds: ['refunds'], maxChecks: 2 }))._unsafeUnwrap().entries.map((e) => e.outcome));
      }
      expect(outcomes).to.deep.equal(['failed', 'needs_attention', 'needs_attention']);
    });
  });
});

describe('resolvePending when the provider\'s query no longer finds a refund it answered', () => {
  for (const [label, answer] of [
    ['processing, with its refund number', { status: 'processing' as const, providerRefundId: 'PR-1' }],
    ['processing', { status: 'processing' as const }],
  ] as const) {
    it(`keeps the refund reserved (${label}) and hands it to a person instead of failing it`, async () => {
      const w = await world();
      await paid(w, 'O7');
      w.script.refund = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, amount: req.amount, ...answer });
      expect((await w.paykit.refunds.create({ refundId: 'R7', orderId: 'O7', amount: cny(6000) }))._unsafeUnwrap().status).to.equal('processing');
      w.script.refundQuery = () => errAsync(PaymentErrors.notFound('no such refund', { providerId: 'fake' }));
      for (let i = 0; i < 3; i += 1) {
        w.clock.advance(11 * MINUTE);
        (await w.paykit.resolvePending({ kinds: ['refunds'], maxChecks: 2 }))._unsafeUnwrap();
      }
      const refund = (await w.paykit.refunds.get('R7'))._unsafeUnwrap();
      expect(refund.status).to.equal('needs_attention');
      // Its amount stays held: a second refund of more than what is left is refused.
      expect((await w.paykit.refunds.create({ refundId: 'R7b', orderId: 'O7', amount: cny(4001) }))._unsafeUnwrapErr().kind).to.equal('Conflict');
    });
  }

  it('still fails a refund the provider never answered once its query has no record of it', async () => {
    const w = await world();
    await paid(w, 'O8');
    w.script.refund = () => errAsync(PaymentErrors.timeout('no reply'));
    expect((await w.paykit.refunds.create({ refundId: 'R8', orderId: 'O8', amount: cny(6000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    w.script.refundQuery = () => errAsync(PaymentErrors.notFound('no such refund', { providerId: 'fake' }));
    w.clock.advance(11 * MINUTE);
    (await w.paykit.resolvePending({ kinds: ['refunds'] }))._unsafeUnwrap();
    expect((await w.paykit.refunds.get('R8'))._unsafeUnwrap().status).to.equal('failed');
  });
});

describe('resolvePending when one kind of record cannot be listed', () => {
  it('still checks the other kinds and reports the kind it could not list; fails only when none can be listed', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'O5', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
    const list = w.store.list.bind(w.store);
    w.store.list = ((kind: RecordKind, query?: unknown) => (kind === 'payout'
      ? errAsync(PaymentErrors.internal('payout row P9 does not unseal with the configured recordKey'))
      : list(kind, query as never))) as typeof w.store.list;
    w.clock.advance(11 * MINUTE);
    const report = (await w.paykit.resolvePending())._unsafeUnwrap();
    expect(report.entries.map((e) => [e.id, e.after])).to.deep.equal([['O5', 'succeeded']]);
    expect(report.unlisted?.map((u) => [u.kind, u.error.kind])).to.deep.equal([['payouts', 'Internal']]);
    expect(report.unlisted?.[0]?.error.message).to.contain('does not unseal');
    const only = await w.paykit.resolvePending({ kinds: ['payouts'] });
    expect(only._unsafeUnwrapErr().kind).to.equal('Internal');
  });
});

describe('an order re-created on another instance', () => {
  it('belongs to the instance last asked, also when that create got no answer, so the scan asks the right provider', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'O6', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId: 'O6', status: 'failed', amount: cny(100) } })))._unsafeUnwrap();
    w.script.create = () => errAsync(PaymentErrors.timeout('no reply'));
    expect((await w.paykit.payments.create({ orderId: 'O6', amount: cny(100), description: 'Tea' }, { instance: 'payout' }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    expect((await stored<StoredPayment>(w, 'payment', 'O6'))?.instanceId).to.equal('payout');
    w.clock.advance(11 * MINUTE);
    const report = (await w.paykit.resolvePending())._unsafeUnwrap();
    expect(report.entries.map((e) => [e.id, e.instanceId, e.after])).to.deep.equal([['O6', 'payout', 'succeeded']]);
  });

  it('still applies a verified success from the first instance, whose cashier form the payer may still use', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'O4', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
    (await w.paykit.payments.create({ orderId: 'O4', amount: cny(100), description: 'Tea' }, { instance: 'payout' }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId: 'O4', status: 'succeeded', amount: cny(100) } })))._unsafeUnwrap();
    expect((await stored<StoredPayment>(w, 'payment', 'O4'))?.status).to.equal('succeeded');
  });

  it('belongs to the instance whose verified notification says it was paid, so its refunds go there', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'O11', amount: cny(100), description: 'Tea' }))._unsafeUnwrap();
    w.script.create = () => errAsync(PaymentErrors.timeout('no reply'));
    expect((await w.paykit.payments.create({ orderId: 'O11', amount: cny(100), description: 'Tea' }, { instance: 'payout' }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    expect((await stored<StoredPayment>(w, 'payment', 'O11'))?.instanceId).to.equal('payout');
    // The payer pays on the first instance's form.
    (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId: 'O11', status: 'succeeded', amount: cny(100) } })))._unsafeUnwrap();
    const paid = await stored<StoredPayment>(w, 'payment', 'O11');
    expect(paid?.status).to.equal('succeeded');
    expect(paid?.instanceId).to.equal('web');
    w.script.calls.length = 0;
    (await w.paykit.refunds.create({ refundId: 'R11', orderId: 'O11', amount: cny(100) }))._unsafeUnwrap();
    expect(w.script.calls.filter((c) => c.op === 'refunds.refund').map((c) => c.instanceId)).to.deep.equal(['web']);
  });
});

describe('resolvePending past the provider\'s query window', () => {
  it('leaves a record claimed since the scan listed it to its claim, instead of dropping the claim\'s lease', async () => {
    const script = defaultScript();
    const store = new InMemoryStore();
    const clock = new FixedClock(start);
    const plugin = { ...fakePlugin('fake', ALL, script), limits: { queryWindowMs: 60 * MINUTE } };
    const paykit = (await createPaykit({ instances: { web: { plugin: 'fake', options: { merchantId: 'M1', apiKey: 'k1' } } } }, { plugins: [plugin], store, clock }))._unsafeUnwrap();
    (await paykit.payments.create({ orderId: 'O9', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
    clock.advance(2 * 60 * MINUTE);
    // Another process claims the order (a lease on the wire) between the scan's listing and its check.
    const get = store.get.bind(store);
    let claimed = false;
    store.get = ((kind: RecordKind, id: string) => {
      if (kind === 'payment' && id === 'O9' && !claimed) {
        claimed = true;
        return get<StoredPayment>('payment', 'O9').andThen((rec) => store.update('payment', 'O9', rec?.version ?? 0, {
          ...(rec?.value as StoredPayment), lease: { owner: 'other-process', until: new Date(clock.now().getTime() + 5 * MINUTE), purpose: 'send' },
        })).andThen(() => get(kind, id));
      }
      return get(kind, id);
    }) as typeof store.get;
    const report = (await paykit.resolvePending())._unsafeUnwrap();
    expect(report.entries.map((e) => [e.id, e.outcome])).to.deep.equal([['O9', 'busy']]);
    const after = await (async () => (await get<StoredPayment>('payment', 'O9'))._unsafeUnwrap()?.value)();
    expect(after?.status).to.equal('pending');
    expect(after?.lease?.owner).to.equal('other-process');
  });
});

describe('a create of unknown outcome on an order paid meanwhile', () => {
  it('leaves the paid order as the verified notification left it, on the instance that took the money', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'O10', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
    let answer: (r: PayResult<CreatedPayment>) => void = () => undefined;
    w.script.create = () => new ResultAsync(new Promise<PayResult<CreatedPayment>>((resolve) => { answer = resolve; }));
    // A fresh form asked of the other instance (a failover) while the payer pays the first one.
    const again = w.paykit.payments.create({ orderId: 'O10', amount: cny(4965), description: 'Tea' }, { instance: 'payout' });
    await new Promise((r) => setTimeout(r, 10));
    (await w.paykit.notifications.handle('web', fakeNotification('k1', { type: 'payment', report: { orderId: 'O10', status: 'succeeded', amount: cny(4965) } })))._unsafeUnwrap();
    answer(err(PaymentErrors.timeout('no reply')));
    expect((await again)._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    const record = await stored<StoredPayment>(w, 'payment', 'O10');
    expect(record?.status).to.equal('succeeded');
    expect(record?.instanceId).to.equal('web');
    expect(record?.inFlight).to.equal(undefined);
  });
});
