/**
 * Regression tests for the findings of the adversarial review of paykit's money operations (issue
 * 12). Each states the finding it pins; each failed on the code before the money protocol.
 */
import { expect } from 'chai';
import { errAsync as errA, ResultAsync } from 'neverthrow';
import {
  createPaykit, FixedClock, InMemoryStore, PaymentErrors, type ChangeSet, type CommitOutcome, type Logger, type Paykit,
  type PayResultAsync, type PreAuthReport, type Store, type StoredPayment, type StoredRefund,
} from '../src/index.js';
import { ALL, defaultScript, errAsync, fakeNotification, fakePlugin, okAsync, sleep, type FakeScript } from './support/fake-plugin.js';

const KEY = 'k1';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const start = new Date('2024-03-01T00:00:00Z');
const MINUTE = 60_000;
const account = { type: 'private' as const, accountNumber: '6222020000000000001', accountName: 'Li Lei' };

/** A store that fails chosen commits (a crash or a database error at that commit boundary). */
class FailingStore extends InMemoryStore {
  commits = 0;
  failWhen: (changes: ChangeSet, n: number) => boolean = () => false;
  override commit(changes: ChangeSet): PayResultAsync<CommitOutcome> {
    this.commits += 1;
    if (this.failWhen(changes, this.commits)) return errA(PaymentErrors.network('store: connection lost during commit', true));
    return super.commit(changes);
  }
}

interface World { paykit: Paykit; script: FakeScript; store: FailingStore; clock: FixedClock }

async function world(options: { logger?: Logger; store?: FailingStore } = {}): Promise<World> {
  const script = defaultScript();
  const store = options.store ?? new FailingStore();
  const clock = new FixedClock(start);
  const r = await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M1', apiKey: KEY } } } },
    { plugins: [fakePlugin('fake', ALL, script)], store, clock, ...(options.logger ? { logger: options.logger } : {}) });
  return { paykit: r._unsafeUnwrap(), script, store, clock };
}

async function paid(w: World, orderId: string, amount = 10000, preauth = false): Promise<void> {
  (await w.paykit.payments.create({ orderId, amount: cny(amount), description: 'Tea', ...(preauth ? { preauth } : {}) }))._unsafeUnwrap();
  (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId, status: 'succeeded', amount: cny(amount) } })))._unsafeUnwrap();
}

const calls = (w: World, op: string) => w.script.calls.filter((c) => c.op === op);
async function stored<T>(store: Store, kind: 'payment' | 'refund' | 'payout' | 'preauth', id: string): Promise<T | undefined> {
  return (await store.get<T>(kind, id))._unsafeUnwrap()?.value;
}

describe('the money protocol (findings of the adversarial review)', () => {
  context('finding 1: a refund and the payment it refunds are written in one commit', () => {
    it('never shows a refund succeeded while the payment does not count it, whichever commit fails', async () => {
      // Fail each commit of a refund in turn; after every failure the records must agree, and
      // resolvePending must bring them to the provider's state (refunded).
      for (let n = 1; n <= 4; n += 1) {
        const w = await world();
        await paid(w, `P${n}`);
        const base = w.store.commits;
        w.store.failWhen = (_c, i) => i === base + n;
        await w.paykit.refunds.create({ refundId: `R${n}`, orderId: `P${n}`, amount: cny(1000) });
        w.store.failWhen = () => false;
        const check = async (when: string) => {
          const refund = await stored<StoredRefund>(w.store, 'refund', `R${n}`);
          const payment = await stored<StoredPayment>(w.store, 'payment', `P${n}`);
          const counted = payment?.refunded.amount ?? -1;
          expect(counted, `${when}: refund ${refund?.status ?? 'absent'}, payment refunded ${counted} (commit ${n} failed)`).to.equal(refund?.status === 'succeeded' ? 1000 : 0);
        };
        await check('after the failed commit');
        w.clock.advance(20 * MINUTE);
        (await w.paykit.resolvePending())._unsafeUnwrap();
        await check('after resolvePending');
      }
    });
  });

  context('finding 2: an error after the payout call started is an unknown outcome, never a failure', () => {
    it('records the payout unknown and keeps its reservation when the plugin returns an Internal error after sending', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.internal('lianlian-payout.submit: unexpected exception', { cause: new Error('logger exploded') }));
      const e = (await w.paykit.payouts.submit({ payoutId: 'PO-2', amount: cny(5000), account, description: 'x' }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('OutcomeUnknown');
      expect((await w.paykit.payouts.get('PO-2'))._unsafeUnwrap().status).to.equal('unknown');
    });

    it('is not disturbed by a logger that throws: the accepted payout is recorded accepted', async () => {
      const throwing: Logger = { log: () => { throw new Error('disk full'); } };
      const w = await world({ logger: throwing });
      const p = (await w.paykit.payouts.submit({ payoutId: 'PO-2b', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
      expect(p.status).to.equal('accepted');
    });

    it('records a payout failed only on a refusal the provider stated (a provider code)', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.providerRejected('LianLian refused the payout: no permission (4005)', { providerCode: '4005' }));
      expect((await w.paykit.payouts.submit({ payoutId: 'PO-2c', amount: cny(5000), account, description: 'x' }))._unsafeUnwrapErr().kind).to.equal('ProviderRejected');
      expect((await w.paykit.payouts.get('PO-2c'))._unsafeUnwrap()).to.deep.include({ status: 'failed', reason: { message: 'LianLian refused the payout: no permission (4005)', providerCode: '4005', code: 'provider_error' } });
    });
  });

  context('finding 3: a failed payout the provider reports paid', () => {
    it('is recorded succeeded on the verified notification, acknowledged, and marked a correction in its history', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.providerRejected('refused', { providerCode: 'E1' }));
      await w.paykit.payouts.submit({ payoutId: 'PO-3', amount: cny(5000), account, description: 'x' });
      const r = await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payout', report: { providerOrderId: 'PO-3', status: 'succeeded', amount: cny(5000) } }));
      expect(r._unsafeUnwrap().reply.status).to.equal(200);
      expect((await w.paykit.payouts.get('PO-3'))._unsafeUnwrap().status).to.equal('succeeded');
      const history = (await w.store.history('payout', 'PO-3'))._unsafeUnwrap();
      expect(history.at(-1)).to.deep.include({ status: 'succeeded' });
      expect(history.at(-1)?.cause).to.deep.equal({ source: 'notification', operation: 'notifications.handle', correction: true });
    });

    it('refuses (does not acknowledge) a notification whose amount differs from the recorded payout', async () => {
      const w = await world();
      (await w.paykit.payouts.submit({ payoutId: 'PO-3b', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
      const r = await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payout', report: { providerOrderId: 'PO-3b', status: 'succeeded', amount: cny(50000) } }));
      expect(r._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect((await w.paykit.payouts.get('PO-3b'))._unsafeUnwrap().status).to.equal('accepted');
    });
  });

  context('finding 4: held payouts are rescanned', () => {
    it('records what the provider did with a held payout whose confirm code was lost', async () => {
      const w = await world();
      w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', reason: { providerCode: '4003', message: 'name and card do not match' } });
      (await w.paykit.payouts.submit({ payoutId: 'PO-4', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
      expect((await w.paykit.payouts.confirm('PO-4'))._unsafeUnwrapErr().message).to.match(/confirm code was never received/);
      w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'closed', reason: { providerCode: 'CLOSED', message: 'review not confirmed' } });
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending({ kinds: ['payouts'] }))._unsafeUnwrap();
      expect(report.entries).to.have.length(1);
      expect(report.entries[0]).to.deep.include({ id: 'PO-4', before: 'held_for_review', after: 'closed', outcome: 'settled' });
    });
  });

  context('finding 5: resolvers and resends', () => {
    it('sends an unknown payout the provider has no record of once, however many resolvers run at once', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
      await w.paykit.payouts.submit({ payoutId: 'PO-5', amount: cny(5000), account, description: 'x' });
      w.script.delayMs = 5;
      w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'accepted' });
      w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
      w.clock.advance(20 * MINUTE);
      const runs = await Promise.all([w.paykit.resolvePending(), w.paykit.resolvePending(), w.paykit.payouts.resolve('PO-5')]);
      expect(calls(w, 'payouts.submit')).to.have.length(2); // the first send, and one resend
      expect(runs.map((r) => (r.isOk() ? 'ok' : r.error.kind))).to.include('ok');
      expect((await w.paykit.payouts.get('PO-5'))._unsafeUnwrap().status).to.equal('accepted');
    });

    it('ages a record by its last attempt, not its creation', async () => {
      const w = await world();
      w.script.submit = () => errAsync(PaymentErrors.timeout('no reply'));
      await w.paykit.payouts.submit({ payoutId: 'PO-5b', amount: cny(5000), account, description: 'x' });
      w.script.payoutQuery = () => errAsync(PaymentErrors.timeout('query timed out'));
      w.clock.advance(60 * MINUTE);
      expect((await w.paykit.resolvePending())._unsafeUnwrap().totals.checked).to.equal(1);
      w.clock.advance(5 * MINUTE);
      // Created an hour ago, but checked five minutes ago: not due for another five.
      expect((await w.paykit.resolvePending())._unsafeUnwrap().totals.checked).to.equal(0);
      expect(calls(w, 'payouts.query')).to.have.length(1);
    });

    /** A payout whose every send answers "query first" and whose query finds nothing, resolved until it is past maxSends (3). */
    async function sentPastMaxSends(w: World, payoutId: string): Promise<void> {
      // An answer no table lists ("query first"): the plugin reports OutcomeUnknown every time.
      w.script.submit = () => errAsync(PaymentErrors.outcomeUnknown('LianLian answered 9999', { operation: 'payouts.resolve', reference: payoutId, hint: 'query' }));
      w.script.payoutQuery = () => errAsync(PaymentErrors.notFound('no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
      await w.paykit.payouts.submit({ payoutId, amount: cny(5000), account, description: 'x' });
      for (let i = 0; i < 6; i += 1) {
        w.clock.advance(20 * MINUTE);
        await w.paykit.resolvePending({ maxSends: 3 });
      }
    }

    it('stops resending after maxSends and marks the payout needs_attention with what to do', async () => {
      const w = await world();
      await sentPastMaxSends(w, 'PO-5c');
      expect(calls(w, 'payouts.submit')).to.have.length(3);
      const p = (await w.paykit.payouts.get('PO-5c'))._unsafeUnwrap();
      expect(p.status).to.equal('needs_attention');
      expect(p.attention?.reason).to.match(/sent 3 times/);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ id: 'PO-5c', outcome: 'needs_attention', operation: 'none' });
      expect(report.totals.needsAttention).to.equal(1);
    });

    it('keeps the needs_attention reason when a later query answers something the table ignores', async () => {
      const w = await world();
      await sentPastMaxSends(w, 'PO-5d');
      const before = (await w.paykit.payouts.get('PO-5d'))._unsafeUnwrap();
      expect(before.status).to.equal('needs_attention');
      // The operator asks by hand; the provider's answer is one the table ignores from needs_attention.
      w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'unknown' });
      await w.paykit.payouts.query('PO-5d');
      const after = (await w.paykit.payouts.get('PO-5d'))._unsafeUnwrap();
      expect(after.status).to.equal('needs_attention');
      expect(after.attention).to.deep.equal(before.attention);
    });
  });

  context('when a payout is queried while its confirm is being sent', () => {
    it('leaves the confirm in flight, so that a confirm whose reply is lost is never sent again blindly', async () => {
      const w = await world();
      w.script.submit = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review', confirmCode: 'C1', reason: { providerCode: '4003', message: 'name mismatch' } });
      (await w.paykit.payouts.submit({ payoutId: 'PO-C', amount: cny(5000), account, description: 'x' }))._unsafeUnwrap();
      w.script.confirm = () => ResultAsync.fromSafePromise(sleep(30)).andThen(() => errAsync(PaymentErrors.timeout('no reply')));
      w.script.payoutQuery = (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'held_for_review' });
      const confirming = w.paykit.payouts.confirm('PO-C');
      await sleep(5);
      (await w.paykit.payouts.query('PO-C'))._unsafeUnwrap();
      expect((await confirming)._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      expect((await w.paykit.payouts.confirm('PO-C'))._unsafeUnwrapErr().message).to.match(/of unknown outcome/);
      expect(calls(w, 'payouts.confirm')).to.have.length(1);
    });
  });

  context('finding 6: the payout id and its provider order number are claimed in one commit', () => {
    it('leaves the payout id usable when the claim fails', async () => {
      const w = await world();
      let failed = false;
      w.store.failWhen = (changes) => {
        if (failed || !changes.writes.some((x) => x.kind === 'payout')) return false;
        failed = true;
        return true;
      };
      const first = await w.paykit.payouts.submit({ payoutId: 'PO-6', amount: cny(5000), account, description: 'x' });
      expect(first.isErr()).to.equal(true);
      const again = await w.paykit.payouts.submit({ payoutId: 'PO-6', amount: cny(5000), account, description: 'x' });
      expect(again._unsafeUnwrap().status).to.equal('accepted');
      expect(calls(w, 'payouts.submit')).to.have.length(1);
    });
  });

  context('finding 7: concurrent partial refunds of one payment', () => {
    it('accepts all 50 when the payment has room for them, burning no refund number', async () => {
      const w = await world();
      await paid(w, 'P7', 10000);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => w.paykit.refunds.create({ refundId: `R7-${i}`, orderId: 'P7', amount: cny(100) })));
      expect(results.filter((r) => r.isErr()).map((r) => r._unsafeUnwrapErr().message)).to.deep.equal([]);
      const p = await stored<StoredPayment>(w.store, 'payment', 'P7');
      expect(p?.refunded).to.deep.equal(cny(5000));
      expect(p?.refundReserved).to.deep.equal(cny(5000));
      expect(calls(w, 'refunds.refund')).to.have.length(50);
    });

    it('refuses the ones beyond the paid amount without recording them', async () => {
      const w = await world();
      await paid(w, 'P7b', 1000);
      const results = await Promise.all(Array.from({ length: 15 }, (_, i) => w.paykit.refunds.create({ refundId: `R7b-${i}`, orderId: 'P7b', amount: cny(100) })));
      expect(results.filter((r) => r.isOk())).to.have.length(10);
      // Refused as exceeding what is left, or (once all was refunded) as not refundable any more.
      for (const r of results.filter((x) => x.isErr())) expect(r._unsafeUnwrapErr().message).to.match(/exceeds the remaining refundable|is refunded; only paid orders/);
      const refused = results.findIndex((r) => r.isErr());
      expect(await stored(w.store, 'refund', `R7b-${refused}`)).to.equal(undefined);
    });
  });

  context('finding 8: a refund the provider never received', () => {
    it('is failed by resolvePending on the provider\'s "no record", releasing its amount', async () => {
      const w = await world();
      await paid(w, 'P8', 10000);
      w.script.refund = () => errAsync(PaymentErrors.outcomeUnknown('example/refund answered HTTP 500', { operation: 'refunds.query', reference: 'R8', hint: 'query' }));
      expect((await w.paykit.refunds.create({ refundId: 'R8', orderId: 'P8', amount: cny(10000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      w.script.refundQuery = () => errAsync(PaymentErrors.notFound('no such refund', { providerId: 'fake', providerCode: 'NO_REFUND' }));
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending())._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ id: 'R8', before: 'pending', after: 'failed', outcome: 'settled' });
      expect((await stored<StoredPayment>(w.store, 'payment', 'P8'))?.refundReserved).to.deep.equal(cny(0));
      w.script.refund = defaultScript().refund;
      expect((await w.paykit.refunds.create({ refundId: 'R8-again', orderId: 'P8', amount: cny(10000) }))._unsafeUnwrap().status).to.equal('succeeded');
    });
  });

  context('finding 9: pre-authorisations', () => {
    it('sends one capture when 20 are asked at once', async () => {
      const w = await world();
      await paid(w, 'A9', 10000, true);
      w.script.delayMs = 5;
      const results = await Promise.all(Array.from({ length: 20 }, () => w.paykit.preauth.capture({ orderId: 'A9', amount: cny(6000) })));
      expect(calls(w, 'preauth.capture')).to.have.length(1);
      expect(results.filter((r) => r.isOk())).to.have.length(1);
      for (const r of results.filter((x) => x.isErr())) expect(r._unsafeUnwrapErr().kind).to.equal('Conflict');
    });

    it('never resends a capture whose reply was lost, and settles it through resolvePending', async () => {
      const w = await world();
      await paid(w, 'A9b', 10000, true);
      w.script.capture = () => errAsync(PaymentErrors.timeout('no reply'));
      expect((await w.paykit.preauth.capture({ orderId: 'A9b', amount: cny(6000) }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      const again = await w.paykit.preauth.capture({ orderId: 'A9b', amount: cny(6000) });
      expect(again._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect(calls(w, 'preauth.capture')).to.have.length(1);
      // Without a pre-auth query nothing can tell: a person must look.
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ kind: 'preauths', id: 'A9b', outcome: 'needs_attention' });
      expect(report.entries[0]?.attention?.action).to.match(/never send the capture again blindly/);
    });

    it('settles a lost capture by the provider\'s pre-auth query when it has one', async () => {
      const w = await world();
      w.script.preauthQuery = (req): PayResultAsync<PreAuthReport> => okAsync({ orderId: req.payment.orderId, status: 'captured', captured: cny(6000) });
      await paid(w, 'A9c', 10000, true);
      w.script.capture = () => errAsync(PaymentErrors.timeout('no reply'));
      await w.paykit.preauth.capture({ orderId: 'A9c', amount: cny(6000) });
      w.clock.advance(20 * MINUTE);
      const report = (await w.paykit.resolvePending({ kinds: ['preauths'] }))._unsafeUnwrap();
      expect(report.entries[0]).to.deep.include({ id: 'A9c', after: 'captured', outcome: 'settled' });
      expect((await w.paykit.preauth.get('A9c'))._unsafeUnwrap()).to.deep.include({ status: 'captured', captured: cny(6000) });
    });

    it('refunds only what was captured, and nothing of an uncaptured pre-authorisation', async () => {
      const w = await world();
      await paid(w, 'A9d', 10000, true);
      expect((await w.paykit.refunds.create({ refundId: 'RA9d-0', orderId: 'A9d', amount: cny(100) }))._unsafeUnwrapErr().kind).to.equal('Conflict');
      (await w.paykit.preauth.capture({ orderId: 'A9d', amount: cny(6000) }))._unsafeUnwrap();
      expect((await w.paykit.refunds.create({ refundId: 'RA9d-1', orderId: 'A9d', amount: cny(6001) }))._unsafeUnwrapErr().code).to.equal('invalid_amount');
      expect((await w.paykit.refunds.create({ refundId: 'RA9d-2', orderId: 'A9d', amount: cny(6000) }))._unsafeUnwrap().status).to.equal('succeeded');
      expect((await w.paykit.payments.get('A9d'))._unsafeUnwrap().status).to.equal('refunded');
      expect(calls(w, 'refunds.refund')).to.have.length(1);
    });

    it('sends no capture or void for an ordinary sale', async () => {
      const w = await world();
      await paid(w, 'S9', 10000);
      expect((await w.paykit.preauth.capture({ orderId: 'S9', amount: cny(100) }))._unsafeUnwrapErr().message).to.match(/ordinary sale/);
      expect((await w.paykit.preauth.void('S9'))._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect(w.script.calls.filter((c) => c.op.startsWith('preauth'))).to.deep.equal([]);
    });
  });

  context('finding 10: identical concurrent payout submits', () => {
    it('answers all 100 with the one stored payout and sends it once', async () => {
      const w = await world();
      w.script.delayMs = 2;
      const input = { payoutId: 'PO-10', amount: cny(5000), account, description: 'x' };
      const results = await Promise.all(Array.from({ length: 100 }, () => w.paykit.payouts.submit(input)));
      expect(results.filter((r) => r.isErr()).map((r) => r._unsafeUnwrapErr().message)).to.deep.equal([]);
      expect(calls(w, 'payouts.submit')).to.have.length(1);
      expect(new Set(results.map((r) => r._unsafeUnwrap().payoutId))).to.deep.equal(new Set(['PO-10']));
    });
  });

  context('finding 12: re-creating a payment keeps its order time', () => {
    it('asks the provider for a fresh form of the same order (same order time) after the first expired', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'O12', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
      w.clock.advance(40 * MINUTE);
      (await w.paykit.payments.create({ orderId: 'O12', amount: cny(4965), description: 'Tea', createdAt: new Date(start.getTime() + 40 * MINUTE) }))._unsafeUnwrap();
      const creates = calls(w, 'payments.create').map((c) => (c.request as { createdAt: Date }).createdAt);
      expect(creates).to.deep.equal([start, start]);
      (await w.paykit.payments.query('O12'))._unsafeUnwrap();
      expect((calls(w, 'payments.query')[0]?.request as { createdAt: Date }).createdAt).to.deep.equal(start);
    });

    it('reopens an order that failed or closed when a new attempt is made, so resolvePending finds a payment whose notification was lost', async () => {
      for (const ended of ['failed', 'closed'] as const) {
        const w = await world();
        const orderId = `O12-${ended}`;
        (await w.paykit.payments.create({ orderId, amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
        (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId, status: ended, amount: cny(4965) } })))._unsafeUnwrap();
        expect((await stored<StoredPayment>(w.store, 'payment', orderId))?.status).to.equal(ended);
        // The merchant gives the payer a new form for the same order.
        w.clock.advance(40 * MINUTE);
        const again = (await w.paykit.payments.create({ orderId, amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
        expect(again.payment.status).to.equal('pending');
        // The payer pays with it; the notification never arrives. The provider's query says paid.
        w.clock.advance(40 * MINUTE);
        const report = (await w.paykit.resolvePending())._unsafeUnwrap();
        expect(report.entries.map((e) => [e.id, e.after])).to.deep.equal([[orderId, 'succeeded']]);
        expect((await stored<StoredPayment>(w.store, 'payment', orderId))?.status).to.equal('succeeded');
      }
    });

    it('ages a reopened order from the new attempt: closeNotFoundAfter does not close it at once', async () => {
      const w = await world();
      (await w.paykit.payments.create({ orderId: 'O12-old', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
      (await w.paykit.notifications.handle('main', fakeNotification(KEY, { type: 'payment', report: { orderId: 'O12-old', status: 'closed', amount: cny(4965) } })))._unsafeUnwrap();
      w.clock.advance(3 * 24 * 60 * MINUTE);
      (await w.paykit.payments.create({ orderId: 'O12-old', amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
      w.script.query = () => errAsync(PaymentErrors.notFound('fake: no such order (8901)', { providerId: 'fake', providerCode: '8901' }));
      w.clock.advance(20 * MINUTE);
      (await w.paykit.resolvePending({ closeNotFoundAfter: 24 * 60 * MINUTE }))._unsafeUnwrap();
      expect((await stored<StoredPayment>(w.store, 'payment', 'O12-old'))?.status).to.equal('pending');
    });
  });
});

// (Finding 11, one writer per PGlite folder, is in adapters/store-sql/test.)
