// A review of the payout path against "a payout the provider accepted was recorded failed, then
// paid twice": replies that arrive after a verified report or another process's resend, and
// confirm codes that must survive a query crossing the reply that carries them.
import { expect } from 'chai';
import { err, ok, ResultAsync } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type Paykit, type PaymentError, type PayoutReport, type PayResult, type PreAuthReport,
  type RecordKind, type RefundReport, type StoredPayment, type StoredPayout, type StoredPreAuth, type StoredRefund,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, type FakeScript } from './support/fake-plugin.js';

const KEY = 'k1';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;
const account = { type: 'private' as const, accountNumber: '6222020000000000001', accountName: 'Li Lei' };

interface World { paykit: Paykit; script: FakeScript; store: InMemoryStore; clock: FixedClock }

async function world(): Promise<World> {
  const script = defaultScript();
  const store = new InMemoryStore();
  const clock = new FixedClock(start);
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } } } }, { plugins: [fakePlugin('fake', ALL, script)], store, clock });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}

/** A provider reply the test releases when it wants (the call is "on the wire" until then). */
function held<T>(): { reply: ResultAsync<T, PaymentError>; answer: (r: PayResult<T>) => void } {
  let answer: (r: PayResult<T>) => void = () => undefined;
  const reply = new ResultAsync(new Promise<PayResult<T>>((resolve) => { answer = resolve; }));
  return { reply, answer };
}

async function stored<T>(w: World, kind: RecordKind, id: string): Promise<T | undefined> {
  return (await w.store.get<T>(kind, id))._unsafeUnwrap()?.value;
}
const calls = (w: World, op: string) => w.script.calls.filter((c) => c.op === op);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('payouts and refunds: a reply that comes after the provider\'s verified word', () => {
  it('does not fail a payout a verified notification already showed processing, when the submit\'s reply is a refusal', async () => {
    const w = await world();
    const wire = held<PayoutReport>();
    w.script.submit = () => wire.reply;
    const submitted = w.paykit.payouts.submit({ payoutId: 'PO-1', amount: cny(5000), account, description: 'x' });
    await sleep(10);
    // LianLian took the order after all: its verified notification arrives before the reply.
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payout', report: { providerOrderId: 'PO-1', status: 'processing', amount: cny(5000) } })))._unsafeUnwrap();
    wire.answer(err(PaymentErrors.providerRejected('refused (4005)', { providerId: 'fake', providerCode: '4005' })));
    await submitted;
    const p = await stored<StoredPayout>(w, 'payout', 'PO-1');
    expect(p?.status).to.equal('processing');
    // It stays where resolvePending looks, so it is settled by the provider's word, never retried under a new number.
    w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'succeeded' });
    w.clock.advance(11 * MINUTE);
    const report = (await w.paykit.resolvePending({ kinds: ['payouts'] }))._unsafeUnwrap();
    expect(report.entries.map((e) => [e.id, e.after])).to.deep.equal([['PO-1', 'succeeded']]);
  });

  it('does not fail a refund a verified report already showed processing, when the refund\'s reply is a refusal', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'A1', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId: 'A1', status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
    const wire = held<never>();
    w.script.refund = () => wire.reply;
    const refunded = w.paykit.refunds.create({ refundId: 'R1', orderId: 'A1', amount: cny(3000) });
    await sleep(10);
    w.script.refundQuery = (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'processing', amount: req.amount });
    (await w.paykit.refunds.query('R1'))._unsafeUnwrap();
    wire.answer(err(PaymentErrors.providerRejected('refused', { providerId: 'fake', providerCode: 'E9' })));
    await refunded;
    expect((await stored<StoredRefund>(w, 'refund', 'R1'))?.status).to.equal('processing');
    // Its amount stays reserved against the payment until the provider says how it ended.
    expect((await stored<StoredPayment>(w, 'payment', 'A1'))?.refundReserved).to.deep.equal(cny(3000));
  });

  it('does not mark unknown (nor drop the lease of) a resend another process has in flight, when the first send times out', async () => {
    const w = await world();
    const first = held<PayoutReport>();
    w.script.submit = () => first.reply;
    const submitted = w.paykit.payouts.submit({ payoutId: 'PO-2', amount: cny(5000), account, description: 'x' });
    await sleep(10);
    // The first send is still on the wire past its lease; a resolver finds no record and resends.
    w.clock.advance(6 * MINUTE);
    w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
    const second = held<PayoutReport>();
    w.script.submit = () => second.reply;
    const resolving = w.paykit.payouts.resolve('PO-2');
    await sleep(10);
    expect(calls(w, 'payouts.submit')).to.have.length(2);
    const resend = await stored<StoredPayout>(w, 'payout', 'PO-2');
    // Now the first send gives up.
    first.answer(err(PaymentErrors.timeout('no reply')));
    await submitted;
    const after = await stored<StoredPayout>(w, 'payout', 'PO-2');
    expect(after?.inFlight).to.deep.equal(resend?.inFlight);
    expect(after?.lease).to.deep.equal(resend?.lease);
    second.answer(ok({ providerOrderId: 'PO-2', status: 'accepted' }));
    await resolving;
    expect((await stored<StoredPayout>(w, 'payout', 'PO-2'))?.status).to.equal('accepted');
  });
});

describe('payouts: the confirm code is the provider\'s verified word and is never lost', () => {
  it('keeps the confirm code of the submit\'s held reply when a query showing the hold crossed it', async () => {
    const w = await world();
    const wire = held<PayoutReport>();
    w.script.submit = () => wire.reply;
    const submitted = w.paykit.payouts.submit({ payoutId: 'PO-3', amount: cny(5000), account, description: 'x' });
    await sleep(10);
    // A query answers first: held (a query carries no confirm code).
    w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review' });
    (await w.paykit.payouts.query('PO-3'))._unsafeUnwrap();
    wire.answer(ok({ providerOrderId: 'PO-3', status: 'held_for_review', confirmCode: '123456', reason: { providerCode: '4003', code: 'limit_exceeded', message: 'over the daily amount' } }));
    await submitted;
    const p = await stored<StoredPayout>(w, 'payout', 'PO-3');
    expect(p?.status).to.equal('held_for_review');
    expect(p?.confirmCode).to.equal('123456');
    const confirmed = (await w.paykit.payouts.confirm('PO-3'))._unsafeUnwrap();
    expect(confirmed.status).to.equal('processing');
    expect((calls(w, 'payouts.confirm')[0]?.request as { confirmCode: string }).confirmCode).to.equal('123456');
  });

  it('keeps the confirm code of a held reply whose recording failed, so the payout can be confirmed once resolved', async () => {
    const w = await world();
    w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: '654321' });
    const commit = w.store.commit.bind(w.store);
    let failed = false;
    w.store.commit = ((changes: Parameters<typeof commit>[0]) => {
      const holds = changes.writes.some((x) => x.kind === 'payout' && (x.value as StoredPayout).status === 'held_for_review');
      if (holds && !failed) {
        failed = true;
        return errAsync(PaymentErrors.internal('database went away'));
      }
      return commit(changes);
    }) as typeof w.store.commit;
    expect((await w.paykit.payouts.submit({ payoutId: 'PO-8', amount: cny(5000), account, description: 'x' }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    expect((await stored<StoredPayout>(w, 'payout', 'PO-8'))?.confirmCode).to.equal('654321');
    // The query shows the hold (a query never carries the code); the payout can then be confirmed.
    w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review' });
    w.clock.advance(11 * MINUTE);
    expect((await w.paykit.payouts.resolve('PO-8'))._unsafeUnwrap().status).to.equal('held_for_review');
    expect((await w.paykit.payouts.confirm('PO-8'))._unsafeUnwrap().status).to.equal('processing');
    expect(calls(w, 'payouts.submit')).to.have.length(1);
  });

  it('settles a confirm by its own reply when the provider holds the payout again, keeping the new code', async () => {
    const w = await world();
    w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: '111111' });
    (await w.paykit.payouts.submit({ payoutId: 'PO-4', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
    w.script.confirm = (c) => okAsync({ providerOrderId: c.request.providerOrderId, status: 'held_for_review', confirmCode: '222222' });
    (await w.paykit.payouts.confirm('PO-4'))._unsafeUnwrap();
    const p = await stored<StoredPayout>(w, 'payout', 'PO-4');
    expect(p?.inFlight).to.equal(undefined);
    expect(p?.confirmCode).to.equal('222222');
    w.script.confirm = (c) => okAsync({ providerOrderId: c.request.providerOrderId, status: 'processing' });
    expect((await w.paykit.payouts.confirm('PO-4'))._unsafeUnwrap().status).to.equal('processing');
  });
});

describe('payouts: a confirmed hold is not brought back by an older answer', () => {
  it('keeps a payout accepted after its confirm when a query sent before it still shows the hold', async () => {
    const w = await world();
    w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: '111111', reason: { providerCode: '4002', code: 'suspected_duplicate', message: 'same card, same amount today' } });
    (await w.paykit.payouts.submit({ payoutId: 'PO-9', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
    w.script.confirm = (c) => okAsync({ providerOrderId: c.request.providerOrderId, status: 'accepted' });
    (await w.paykit.payouts.confirm('PO-9', { acceptSuspectedDuplicate: true }))._unsafeUnwrap();
    w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review' });
    expect((await w.paykit.payouts.query('PO-9'))._unsafeUnwrap().status).to.equal('accepted');
    // So no second confirm goes out past the suspected-duplicate guard.
    expect((await w.paykit.payouts.confirm('PO-9'))._unsafeUnwrapErr().kind).to.equal('Conflict');
    expect(calls(w, 'payouts.confirm')).to.have.length(1);
  });
});

describe('payouts and refunds: what is checked and recorded is what is sent', () => {
  it('sends the beneficiary and amount given, even when the caller reuses its objects before the send', async () => {
    const w = await world();
    const acct = { ...account };
    const amount = cny(5000);
    const submitted = w.paykit.payouts.submit({ payoutId: 'PO-6', amount, account: acct, description: 'x' });
    // A loop filling the same objects for the next payout, without awaiting this one.
    acct.accountNumber = '6222020000000000999';
    amount.amount = 999999;
    (await submitted)._unsafeUnwrap();
    const sent = calls(w, 'payouts.submit')[0]?.request as { account: { accountNumber: string }; amount: { amount: number } };
    expect(sent.account.accountNumber).to.equal('6222020000000000001');
    expect(sent.amount.amount).to.equal(5000);
    const p = await stored<StoredPayout>(w, 'payout', 'PO-6');
    expect(p?.amount.amount).to.equal(5000);
    expect(p?.request?.account.accountNumber).to.equal('6222020000000000001');
  });

  it('refunds the amount given, even when the caller changes its object before the send', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'A7', amount: cny(10000), description: 'Tea' }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId: 'A7', status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
    const amount = cny(3000);
    const refunding = w.paykit.refunds.create({ refundId: 'R7', orderId: 'A7', amount });
    amount.amount = 10000;
    (await refunding)._unsafeUnwrap();
    expect((calls(w, 'refunds.refund')[0]?.request as { amount: { amount: number } }).amount.amount).to.equal(3000);
    expect((await w.paykit.payments.get('A7'))._unsafeUnwrap().refunded).to.deep.equal(cny(3000));
  });
});

describe('payouts: a send that outlived its lease leaves a resolver\'s lease alone', () => {
  it('keeps the lease of the resolver checking the payout when the first send finally times out', async () => {
    const w = await world();
    const first = held<PayoutReport>();
    w.script.submit = () => first.reply;
    const submitted = w.paykit.payouts.submit({ payoutId: 'PO-10', amount: cny(5000), account, description: 'x' });
    await sleep(10);
    w.clock.advance(6 * MINUTE);
    const query = held<PayoutReport>();
    w.script.payoutQuery = () => query.reply;
    const resolving = w.paykit.payouts.resolve('PO-10');
    await sleep(10);
    expect((await stored<StoredPayout>(w, 'payout', 'PO-10'))?.lease?.purpose).to.equal('check');
    first.answer(err(PaymentErrors.timeout('no reply')));
    await submitted;
    const during = await stored<StoredPayout>(w, 'payout', 'PO-10');
    expect(during?.lease?.purpose).to.equal('check');
    // A second resolver meanwhile finds it busy and asks nothing.
    expect((await w.paykit.payouts.resolve('PO-10'))._unsafeUnwrapErr().kind).to.equal('Conflict');
    expect(calls(w, 'payouts.query')).to.have.length(1);
    query.answer(ok({ providerOrderId: 'PO-10', status: 'processing' }));
    expect((await resolving)._unsafeUnwrap().status).to.equal('processing');
  });
});

describe('payouts and refunds: inputs with more than the fields paykit reads', () => {
  it('accepts an input object carrying methods (an entity spread in) and sends only its copy', async () => {
    const w = await world();
    const input = { payoutId: 'PO-11', amount: cny(5000), account: { ...account }, description: 'x', toString: () => 'entity' };
    expect((await w.paykit.payouts.submit(input))._unsafeUnwrap().status).to.equal('accepted');
  });
});

describe('payouts: only the provider\'s "no record" sends a payout again', () => {
  it('does not resend when paykit itself cannot find the order-number index while settling a verified answer', async () => {
    const w = await world();
    w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
    await w.paykit.payouts.submit({ payoutId: 'PO-5', amount: cny(5000), account, description: 'x' });
    const get = w.store.get.bind(w.store);
    w.store.get = ((kind: RecordKind, id: string) => (kind === 'card' && id === 'payout-order:PO-5' ? okAsync(undefined) : get(kind, id))) as typeof w.store.get;
    w.script.submit = defaultScript().submit;
    w.clock.advance(11 * MINUTE);
    const r = await w.paykit.payouts.resolve('PO-5');
    expect(r.isErr()).to.equal(true);
    expect(calls(w, 'payouts.submit')).to.have.length(1);
  });
});

describe('refunds and pre-authorisations: a send that outlived its lease', () => {
  async function paid(w: World, orderId: string, preauth = false): Promise<void> {
    (await w.paykit.payments.create({ orderId, amount: cny(10000), description: 'Tea', ...(preauth ? { preauth } : {}) }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId, status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
  }

  it('keeps the lease of the resolver checking a refund when the first send finally times out', async () => {
    const w = await world();
    await paid(w, 'A20');
    const first = held<RefundReport>();
    w.script.refund = () => first.reply;
    const refunding = w.paykit.refunds.create({ refundId: 'R20', orderId: 'A20', amount: cny(3000) });
    await sleep(10);
    w.clock.advance(11 * MINUTE);
    const query = held<RefundReport>();
    w.script.refundQuery = () => query.reply;
    const resolving = w.paykit.resolvePending({ kinds: ['refunds'] });
    await sleep(10);
    expect((await stored<StoredRefund>(w, 'refund', 'R20'))?.lease?.purpose).to.equal('check');
    first.answer(err(PaymentErrors.timeout('no reply')));
    expect((await refunding)._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
    expect((await stored<StoredRefund>(w, 'refund', 'R20'))?.lease?.purpose).to.equal('check');
    // A second scan meanwhile finds it busy and asks nothing.
    (await w.paykit.resolvePending({ kinds: ['refunds'] }))._unsafeUnwrap();
    expect(calls(w, 'refunds.query')).to.have.length(1);
    query.answer(ok({ refundId: 'R20', orderId: 'A20', status: 'succeeded', amount: cny(3000) }));
    (await resolving)._unsafeUnwrap();
    expect((await w.paykit.refunds.get('R20'))._unsafeUnwrap().status).to.equal('succeeded');
  });

  it('puts a pre-authorisation handed to a person back to authorised when its capture is then refused', async () => {
    const w = await world();
    await paid(w, 'A21', true);
    const capture = held<PreAuthReport>();
    w.script.capture = () => capture.reply;
    const capturing = w.paykit.preauth.capture({ orderId: 'A21', amount: cny(6000) });
    await sleep(10);
    w.clock.advance(11 * MINUTE);
    // The fake offers no pre-authorisation query: the scan hands it to a person.
    (await w.paykit.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
    expect((await w.paykit.preauth.get('A21'))._unsafeUnwrap().status).to.equal('needs_attention');
    capture.answer(err(PaymentErrors.providerRejected('capture refused', { providerId: 'fake', providerCode: 'E1', retryable: false })));
    expect((await capturing)._unsafeUnwrapErr().kind).to.equal('ProviderRejected');
    const after = await stored<StoredPreAuth>(w, 'preauth', 'A21');
    expect(after?.status).to.equal('authorised');
    expect(after?.inFlight).to.equal(undefined);
    expect(after?.attention).to.equal(undefined);
    // The refusal proved nothing happened: the hold can be captured again.
    w.script.capture = defaultScript().capture;
    expect((await w.paykit.preauth.capture({ orderId: 'A21', amount: cny(6000) }))._unsafeUnwrap().status).to.equal('captured');
  });

  it('leaves a pre-authorisation a notification settled while its capture was on the wire as the notification left it', async () => {
    const w = await world();
    await paid(w, 'A22', true);
    const capture = held<PreAuthReport>();
    w.script.capture = () => capture.reply;
    const capturing = w.paykit.preauth.capture({ orderId: 'A22', amount: cny(6000) });
    await sleep(10);
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'preauth', report: { orderId: 'A22', status: 'captured', captured: cny(6000) } })))._unsafeUnwrap();
    capture.answer(err(PaymentErrors.timeout('no reply')));
    await capturing;
    const after = await stored<StoredPreAuth>(w, 'preauth', 'A22');
    expect(after?.status).to.equal('captured');
    expect(after?.inFlight).to.equal(undefined);
  });
});

describe('a pre-authorisation reported refunded in full', () => {
  it('counts what was captured as refunded, not the authorised amount', async () => {
    const w = await world();
    (await w.paykit.payments.create({ orderId: 'A30', amount: cny(10000), description: 'Tea', preauth: true }))._unsafeUnwrap();
    (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId: 'A30', status: 'succeeded', amount: cny(10000) } })))._unsafeUnwrap();
    expect((await w.paykit.preauth.capture({ orderId: 'A30', amount: cny(6000) }))._unsafeUnwrap().status).to.equal('captured');
    w.script.query = (ref) => okAsync({ orderId: ref.orderId, status: 'refunded', amount: cny(10000) });
    const payment = (await w.paykit.payments.query('A30'))._unsafeUnwrap();
    expect(payment.status).to.equal('refunded');
    expect(payment.refunded).to.deep.equal(cny(6000));
    const event = (await w.paykit.events.list({ types: ['payment.refunded'] }))._unsafeUnwrap().at(-1);
    expect(event?.amounts?.refunded).to.deep.equal(cny(6000));
  });
});
