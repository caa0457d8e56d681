import { expect } from 'chai';
import { ok } from 'neverthrow';
import { inUnitOfWork, ledgerRowsOf, updateRecord, type LedgerKind, type PageQuery, type PayResult, type Store, type UpdateDecision } from '@paykit/core';

/** How the store suite gets a store: a fresh, empty one per test. */
export interface StoreUnderTest {
  /** A name for the suite title, e.g. `PGlite (data directory)`. */
  readonly name: string;
  /** Opens a fresh, empty store. */
  open(): Promise<Store>;
  /** Closes a store opened by `open` (default: nothing to do). */
  close?(store: Store): Promise<void>;
  /** For durable stores: closes the store and opens the same database again. */
  reopen?(store: Store): Promise<Store>;
}

interface Counter {
  readonly n: number;
  readonly status: string;
  readonly seen: readonly string[];
}

const unwrap = <T>(r: { isOk(): boolean; value?: T; error?: { message: string } }): T => {
  if (!r.isOk()) throw new Error(`expected Ok, got ${r.error?.message}`);
  return r.value as T;
};

/**
 * Declares the store contract every {@link Store} implementation passes (mocha `describe`/`it`):
 * versioned inserts and updates, atomic change sets, the once-per-event notification ledger,
 * history, status-filtered lists, values (dates, integers) coming back as written, and no lost or
 * doubled effect under concurrent units of work.
 *
 * @example
 * ```ts
 * describeStoreConformance({ name: 'in memory', open: async () => new InMemoryStore() });
 * ```
 */
export function describeStoreConformance(sut: StoreUnderTest): void {
  describe(`store contract: ${sut.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async () => {
      store = await sut.open();
    });
    afterEach(async () => {
      await sut.close?.(store);
    });

    context('when records are inserted and updated', () => {
      it('reads nothing for an unknown id, then version 1 after insert, 2 after update', async () => {
        expect(unwrap(await store.get('payment', 'p1'))).to.equal(undefined);
        expect(unwrap(await store.insert('payment', 'p1', { status: 'created', n: 1 })).version).to.equal(1);
        expect(unwrap(await store.update('payment', 'p1', 1, { status: 'pending', n: 2 })).version).to.equal(2);
        expect(unwrap(await store.get('payment', 'p1'))).to.deep.equal({ version: 2, value: { status: 'pending', n: 2 } });
      });

      it('refuses a second insert of the same id with a Conflict that is not retryable', async () => {
        unwrap(await store.insert('refund', 'r1', { status: 'pending' }));
        const again = await store.insert('refund', 'r1', { status: 'succeeded' });
        expect(again.isErr() && again.error.kind).to.equal('Conflict');
        expect(again.isErr() && again.error.retryable).to.equal(false);
        expect(unwrap(await store.get('refund', 'r1'))).to.deep.equal({ version: 1, value: { status: 'pending' } });
      });

      it('refuses an update at a stale version (retryable Conflict) and an update of a missing record (NotFound)', async () => {
        unwrap(await store.insert('payout', 'x', { status: 'created' }));
        unwrap(await store.update('payout', 'x', 1, { status: 'submitted' }));
        const stale = await store.update('payout', 'x', 1, { status: 'failed' });
        expect(stale.isErr() && stale.error.kind).to.equal('Conflict');
        expect(stale.isErr() && stale.error.retryable).to.equal(true);
        const missing = await store.update('payout', 'nope', 1, { status: 'failed' });
        expect(missing.isErr() && missing.error.kind).to.equal('NotFound');
        expect(unwrap(await store.get('payout', 'x'))?.value).to.deep.equal({ status: 'submitted' });
      });

      it('keeps the same id apart in different kinds', async () => {
        unwrap(await store.insert('payment', 'same', { status: 'created' }));
        unwrap(await store.insert('refund', 'same', { status: 'pending' }));
        expect(unwrap(await store.get('payment', 'same'))?.value).to.deep.equal({ status: 'created' });
      });
    });

    context('when values hold dates, large integers, unicode and nesting', () => {
      it('gives back exactly what was written', async () => {
        const value = {
          status: 'created', createdAt: new Date('2026-11-22T03:04:05.678Z'),
          amount: { amount: 9_007_199_254_740_991, currency: 'CNY' }, name: '商品 "quoted" \\ back', nested: [{ at: new Date(0) }, null, true],
        };
        unwrap(await store.insert('payment', 'd', value));
        const back = unwrap(await store.get<typeof value>('payment', 'd'))?.value;
        expect(back).to.deep.equal(value);
        expect(back?.createdAt).to.be.instanceOf(Date);
        expect((back?.nested[0] as { at: Date }).at.getTime()).to.equal(0);
      });
    });

    context('when a change set is committed', () => {
      it('applies every write or none: one stale write undoes the others', async () => {
        unwrap(await store.insert('payment', 'a', { status: 'created' }));
        unwrap(await store.insert('payment', 'b', { status: 'created' }));
        unwrap(await store.update('payment', 'b', 1, { status: 'pending' }));
        const r = await store.commit({ writes: [
          { kind: 'payment', id: 'a', expectedVersion: 1, value: { status: 'succeeded' } },
          { kind: 'refund', id: 'new', expectedVersion: 0, value: { status: 'pending' } },
          { kind: 'payment', id: 'b', expectedVersion: 1, value: { status: 'failed' } },
        ], notification: { providerId: 'p', eventKey: 'e1', payload: '{}' } });
        expect(r.isErr() && r.error.kind).to.equal('Conflict');
        expect(unwrap(await store.get('payment', 'a'))).to.deep.equal({ version: 1, value: { status: 'created' } });
        expect(unwrap(await store.get('refund', 'new'))).to.equal(undefined);
        // The notification was not recorded either: a redelivery will apply it.
        expect(unwrap(await store.recordNotification('p', 'e1', '{}'))).to.equal('new');
      });

      it('drops the whole change set when its notification is already recorded', async () => {
        unwrap(await store.insert('payment', 'a', { status: 'created' }));
        expect(unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'a', expectedVersion: 1, value: { status: 'succeeded' } }], notification: { providerId: 'p', eventKey: 'e', payload: '1' } }))).to.equal('committed');
        expect(unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'a', expectedVersion: 2, value: { status: 'failed' } }], notification: { providerId: 'p', eventKey: 'e', payload: '2' } }))).to.equal('duplicate');
        expect(unwrap(await store.get('payment', 'a'))).to.deep.equal({ version: 2, value: { status: 'succeeded' } });
      });

      it('records each notification once per provider and event key', async () => {
        expect(unwrap(await store.recordNotification('p', 'k', 'x'))).to.equal('new');
        expect(unwrap(await store.recordNotification('p', 'k', 'x'))).to.equal('duplicate');
        expect(unwrap(await store.recordNotification('q', 'k', 'x'))).to.equal('new');
      });
    });

    context('when history and lists are read', () => {
      it('keeps every version of a record, oldest first', async () => {
        unwrap(await store.insert('payment', 'h', { status: 'created' }));
        unwrap(await store.update('payment', 'h', 1, { status: 'pending' }));
        unwrap(await store.update('payment', 'h', 2, { status: 'succeeded' }));
        const h = unwrap(await store.history('payment', 'h'));
        expect(h.map((v) => [v.version, v.status, v.eventKey])).to.deep.equal([[1, 'created', null], [2, 'pending', null], [3, 'succeeded', null]]);
        unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'h', expectedVersion: 3, value: { status: 'refunded' } }], notification: { providerId: 'p', eventKey: 'refund-1', payload: '{}' } }));
        expect(unwrap(await store.history('payment', 'h')).at(-1)).to.deep.equal({ version: 4, status: 'refunded', eventKey: 'refund-1' });
        expect(unwrap(await store.history('payment', 'none'))).to.deep.equal([]);
      });

      it('lists a kind, or only the records in some statuses', async () => {
        unwrap(await store.insert('payout', 'u1', { status: 'unknown' }));
        unwrap(await store.insert('payout', 'u2', { status: 'succeeded' }));
        unwrap(await store.insert('payout', 'u3', { status: 'submitted' }));
        unwrap(await store.insert('payment', 'u4', { status: 'unknown' }));
        expect(unwrap(await store.list('payout')).length).to.equal(3);
        const pending = unwrap(await store.list<{ status: string }>('payout', { statuses: ['unknown', 'submitted'] }));
        expect(pending.map((v) => v.value.status).sort()).to.deep.equal(['submitted', 'unknown']);
      });
    });

    context('when a kind is walked page by page', () => {
      it('gives its records in id byte order, after the given id, in pages, filtered by status', async () => {
        for (const id of ['b2', 'a1', 'B9', 'é1', 'a10', 'c3']) unwrap(await store.insert('refund', id, { status: id === 'c3' ? 'failed' : 'pending' }));
        unwrap(await store.insert('payment', 'a0', { status: 'pending' }));
        const first = unwrap(await store.listPage<{ status: string }>('refund', { limit: 3 }));
        expect(first.map((r) => r.id)).to.deep.equal(['B9', 'a1', 'a10']);
        const rest = unwrap(await store.listPage<{ status: string }>('refund', { after: 'a10', limit: 10 }));
        expect(rest.map((r) => r.id)).to.deep.equal(['b2', 'c3', 'é1']);
        expect(rest[0]).to.deep.equal({ id: 'b2', version: 1, value: { status: 'pending' } });
        expect(unwrap(await store.listPage('refund', { after: 'a', limit: 10, statuses: ['failed'] })).map((r) => r.id)).to.deep.equal(['c3']);
      });

      it('gives the same pages when asked to read ahead, and a walk stopped early leaves nothing behind', async () => {
        const ids = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
        for (const id of ids) unwrap(await store.insert('refund', id, { status: id === 'k4' ? 'failed' : 'pending', n: id }));
        const walk = async (readAhead: boolean, statuses?: string[]): Promise<string[][]> => {
          const pages: string[][] = [];
          let after: string | undefined;
          for (;;) {
            const page = unwrap(await store.listPage<{ n: string }>('refund', { limit: 2, readAhead, ...(after !== undefined ? { after } : {}), ...(statuses ? { statuses } : {}) }));
            pages.push(page.map((r) => r.value.n));
            if (page.length < 2) return pages;
            after = page[page.length - 1]?.id;
          }
        };
        const expected = [['k1', 'k2'], ['k3', 'k4'], ['k5', 'k6'], ['k7']];
        expect(await walk(false)).to.deep.equal(expected);
        expect(await walk(true)).to.deep.equal(expected);
        expect(await walk(true, ['pending'])).to.deep.equal([['k1', 'k2'], ['k3', 'k5'], ['k6', 'k7'], []]);
        // A page read ahead of a walk that stopped is never given after a write: a caller reads its own writes.
        unwrap(await store.listPage('refund', { limit: 2, readAhead: true }));
        await new Promise((resolve) => setTimeout(resolve, 20));
        const k3 = unwrap(await store.get<{ status: string; n: string }>('refund', 'k3'));
        unwrap(await store.update('refund', 'k3', k3?.version ?? 1, { status: 'succeeded', n: 'k3 changed' }));
        const second = unwrap(await store.listPage<{ n: string }>('refund', { after: 'k2', limit: 2 }));
        expect(second.map((r) => r.value.n)).to.deep.equal(['k3 changed', 'k4']);
        unwrap(await store.insert('refund', 'k8', { status: 'pending', n: 'k8' }));
        expect((await walk(true)).flat()).to.deep.equal(['k1', 'k2', 'k3 changed', 'k4', 'k5', 'k6', 'k7', 'k8']);
      });

      it('gives each record exactly as get gives it: dates, nested money, text that looks like JSON', async () => {
        const value = {
          status: 'succeeded', orderId: 'p1', amount: { amount: 4965, currency: 'CNY' }, createdAt: new Date('2026-12-01T02:00:00.000Z'),
          history: [{ at: new Date('2026-12-01T02:00:01.000Z'), note: '{"$date":"2026-12-01T00:00:00.000Z"}' }], memo: '"quoted" 中文', count: 0, flag: false, none: null,
        };
        unwrap(await store.insert('payment', 'p1', value));
        const [listed] = unwrap(await store.listPage('payment', { limit: 10 }));
        const got = unwrap(await store.get('payment', 'p1'));
        expect(listed).to.deep.equal({ id: 'p1', version: 1, value });
        expect(listed?.value).to.deep.equal(got?.value);
        expect((listed?.value as typeof value).createdAt).to.be.instanceOf(Date);
        expect((listed?.value as typeof value).history[0]?.note).to.equal('{"$date":"2026-12-01T00:00:00.000Z"}');
      });

      it('gives each record\'s ledger fields as ledgerFieldsOf reads its value (listLedgerPage, or listPage read by ledgerFieldsOf)', async () => {
        const ledgerPage = (kind: LedgerKind, query: PageQuery) => (typeof store.listLedgerPage === 'function' ? store.listLedgerPage(kind, query)
          : store.listPage(kind, query).map((rows) => ledgerRowsOf(kind, rows)));
        const at = (iso: string): Date => new Date(iso);
        const payments: Record<string, unknown> = {
          // Paid, settled, refunded in part, with a field reconciliation does not read.
          p1: { orderId: 'p1', instanceId: 'shop', status: 'partially_refunded', amount: { amount: 4965, currency: 'CNY' }, refunded: { amount: 100, currency: 'CNY' },
            refundReserved: { amount: 100, currency: 'CNY' }, createdAt: at('2026-12-01T02:00:00.000Z'), paidAt: at('2026-12-01T02:03:04.005Z'), settleDate: '20261201', providerPaymentId: '2026120100001', memo: '中文 "quoted"' },
          // Pending: no provider id, no paid time, no settlement day.
          p2: { orderId: 'p2', instanceId: 'shop', status: 'pending', amount: { amount: 1, currency: 'USD' }, refunded: { amount: 0, currency: 'USD' }, createdAt: at('2026-11-30T16:00:00.000Z') },
          // Text a database may refuse to index (a NUL character), and an instance in another script.
          p3: { orderId: 'p3', instanceId: 'ébène', status: 'succeeded', amount: { amount: 9007199254740991, currency: 'JPY' }, refunded: { amount: 0, currency: 'JPY' },
            createdAt: at('2026-12-01T00:00:00.000Z'), paidAt: at('2026-12-01T00:00:01.000Z'), providerPaymentId: 'nul\u0000inside', note: 'a\u0000b' },
          // Not a payment's shape at all.
          p4: { status: 'created' },
          // Something shaped like a stored time that is not one, where a time goes.
          p5: { orderId: 'p5', instanceId: 'shop', status: 'succeeded', amount: { amount: 2, currency: 'CNY' }, paidAt: { $date: '2026-12-01T00:00:00.000Z', by: 'hand' }, createdAt: 'yesterday' },
        };
        const refunds: Record<string, unknown> = {
          r1: { refundId: 'r1', orderId: 'p1', instanceId: 'shop', status: 'succeeded', amount: { amount: 100, currency: 'CNY' }, requestedAt: at('2026-12-01T03:00:00.000Z'), providerRefundId: 'R9' },
          r2: { refundId: 'r2', orderId: 'p2', instanceId: 'shop', status: 'processing', amount: { amount: 1, currency: 'USD' }, requestedAt: at('2026-12-01T04:00:00.000Z'), settleDate: '20261201' },
        };
        const payouts: Record<string, unknown> = {
          o1: { providerOrderId: 'PO-1', instanceId: 'shop', status: 'succeeded', amount: { amount: 500, currency: 'CNY' }, settleDate: '20261201', providerPayoutId: '77',
            request: { providerOrderId: 'PO-1', createdAt: at('2026-12-01T05:00:00.000Z'), accountNumber: '6222020000000000000' } },
        };
        for (const [id, v] of Object.entries(payments)) unwrap(await store.insert('payment', id, v));
        for (const [id, v] of Object.entries(refunds)) unwrap(await store.insert('refund', id, v));
        for (const [id, v] of Object.entries(payouts)) unwrap(await store.insert('payout', id, v));
        unwrap(await store.update('payment', 'p2', 1, { ...(payments.p2 as object), status: 'succeeded', paidAt: at('2026-12-01T09:00:00.000Z'), providerPaymentId: 'X2' }));
        expect(unwrap(await ledgerPage('payment', { limit: 10 }))).to.deep.equal([
          { id: 'p1', version: 1, fields: ['shop', 'partially_refunded', 4965, 'CNY', 100, 'CNY', '20261201', '2026-12-01T02:03:04.005Z', '2026-12-01T02:00:00.000Z', 'p1', '2026120100001'] },
          { id: 'p2', version: 2, fields: ['shop', 'succeeded', 1, 'USD', 0, 'USD', null, '2026-12-01T09:00:00.000Z', '2026-11-30T16:00:00.000Z', 'p2', 'X2'] },
          { id: 'p3', version: 1, fields: ['ébène', 'succeeded', 9007199254740991, 'JPY', 0, 'JPY', null, '2026-12-01T00:00:01.000Z', '2026-12-01T00:00:00.000Z', 'p3', 'nul\u0000inside'] },
          { id: 'p4', version: 1, fields: [null, 'created', null, null, null, null, null, null, null, null, null] },
          { id: 'p5', version: 1, fields: ['shop', 'succeeded', 2, 'CNY', null, null, null, null, null, 'p5', null] },
        ]);
        expect(unwrap(await ledgerPage('payment', { after: 'p2', limit: 1, readAhead: true })).map((r) => r.id)).to.deep.equal(['p3']);
        // A refund has no settlement day or refunded sum of its own: its day is when it was requested.
        expect(unwrap(await ledgerPage('refund', { limit: 10 }))).to.deep.equal([
          { id: 'r1', version: 1, fields: ['shop', 'succeeded', 100, 'CNY', null, null, null, '2026-12-01T03:00:00.000Z', null, 'p1', 'R9'] },
          { id: 'r2', version: 1, fields: ['shop', 'processing', 1, 'USD', null, null, null, '2026-12-01T04:00:00.000Z', null, 'p2', null] },
        ]);
        expect(unwrap(await ledgerPage('payout', { limit: 10 }))).to.deep.equal([
          { id: 'o1', version: 1, fields: ['shop', 'succeeded', 500, 'CNY', null, null, '20261201', '2026-12-01T05:00:00.000Z', null, 'PO-1', '77'] },
        ]);
      });
    });

    context('when a change set says what caused it', () => {
      it('keeps the cause with every version it wrote, and marks a correction on its write only', async () => {
        unwrap(await store.insert('payout', 'c1', { status: 'failed' }));
        unwrap(await store.insert('payout', 'c2', { status: 'accepted' }));
        unwrap(await store.commit({
          writes: [
            { kind: 'payout', id: 'c1', expectedVersion: 1, value: { status: 'succeeded' }, correction: true },
            { kind: 'payout', id: 'c2', expectedVersion: 1, value: { status: 'processing' } },
          ],
          cause: { source: 'notification', operation: 'notifications.handle' },
          notification: { providerId: 'p', eventKey: 'po-1', payload: '{}' },
        }));
        expect(unwrap(await store.history('payout', 'c1')).at(-1)).to.deep.equal({
          version: 2, status: 'succeeded', eventKey: 'po-1', cause: { source: 'notification', operation: 'notifications.handle', correction: true },
        });
        expect(unwrap(await store.history('payout', 'c2')).at(-1)?.cause).to.deep.equal({ source: 'notification', operation: 'notifications.handle' });
        expect(unwrap(await store.history('payout', 'c1'))[0]).not.to.have.property('cause');
      });
    });

    context('when change sets carry events (the outbox)', () => {
      const event = (id: string, to: string, at = new Date(1_700_000_000_000)) => ({
        type: `payment.${to}`, record: { kind: 'payment' as const, id, version: 2 }, from: 'pending', to, instanceId: 'shop',
        amount: { amount: 4965, currency: 'CNY' as const }, cause: { source: 'notification' as const, eventKey: `k-${id}` }, occurredAt: at,
      });
      it('appends them with the commit, in order, with increasing ids, and gives them back as written', async () => {
        unwrap(await store.insert('payment', 'e1', { status: 'pending' }));
        unwrap(await store.insert('payment', 'e2', { status: 'pending' }));
        unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'e1', expectedVersion: 1, value: { status: 'succeeded' } }], events: [event('e1', 'succeeded')] }));
        unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'e2', expectedVersion: 1, value: { status: 'failed' } }], events: [event('e2', 'failed')] }));
        const all = unwrap(await store.listEvents());
        expect(all.map((e) => [e.type, e.record.id])).to.deep.equal([['payment.succeeded', 'e1'], ['payment.failed', 'e2']]);
        expect(all[1]!.id).to.be.greaterThan(all[0]!.id);
        const { id: _id, ...rest } = all[0]!;
        expect(rest).to.deep.equal(event('e1', 'succeeded'));
        expect(unwrap(await store.listEvents({ after: all[0]!.id })).map((e) => e.record.id)).to.deep.equal(['e2']);
        expect(unwrap(await store.listEvents({ types: ['payment.failed'] })).map((e) => e.record.id)).to.deep.equal(['e2']);
        expect(unwrap(await store.listEvents({ limit: 1 })).map((e) => e.record.id)).to.deep.equal(['e1']);
      });

      it('appends nothing for a change set that conflicts or repeats a notification', async () => {
        unwrap(await store.insert('payment', 'e3', { status: 'pending' }));
        const stale = await store.commit({ writes: [{ kind: 'payment', id: 'e3', expectedVersion: 7, value: { status: 'succeeded' } }], events: [event('e3', 'succeeded')] });
        expect(stale.isErr()).to.equal(true);
        const n = { providerId: 'p', eventKey: 'dup', payload: '{}' };
        unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'e3', expectedVersion: 1, value: { status: 'succeeded' } }], events: [event('e3', 'succeeded')], notification: n }));
        expect(unwrap(await store.commit({ writes: [{ kind: 'payment', id: 'e3', expectedVersion: 2, value: { status: 'refunded' } }], events: [event('e3', 'refunded')], notification: n }))).to.equal('duplicate');
        expect(unwrap(await store.listEvents()).map((e) => e.type)).to.deep.equal(['payment.succeeded']);
      });

      it('prunes events up to an id and older than a time, and notifications of a provider older than a time', async () => {
        unwrap(await store.commit({ writes: [], events: [event('p1', 'succeeded'), event('p2', 'succeeded'), event('p3', 'succeeded')] }));
        const [a, b] = unwrap(await store.listEvents());
        expect(unwrap(await store.pruneEvents(b!.id, new Date(Date.now() + 60_000)))).to.equal(2);
        expect(unwrap(await store.listEvents()).map((e) => e.record.id)).to.deep.equal(['p3']);
        expect(a!.id).to.be.lessThan(b!.id);
        unwrap(await store.recordNotification('lianlian-web', 'old', 'x'));
        unwrap(await store.recordNotification('allinpay', 'other', 'x'));
        expect(unwrap(await store.pruneNotifications('lianlian-web', new Date(Date.now() - 60_000)))).to.equal(0);
        expect(unwrap(await store.pruneNotifications('lianlian-web', new Date(Date.now() + 60_000)))).to.equal(1);
        expect(unwrap(await store.recordNotification('lianlian-web', 'old', 'x'))).to.equal('new');
        expect(unwrap(await store.recordNotification('allinpay', 'other', 'x'))).to.equal('duplicate');
      });
    });

    context('when units of work race on the same records', () => {
      it('loses no update: 20 concurrent increments give 20 and 21 versions', async () => {
        unwrap(await store.insert<Counter>('card', 'c', { n: 0, status: 'open', seen: [] }));
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => inUnitOfWork(store, (tx) =>
          updateRecord<Counter>(tx, 'card', 'c', (cur) => okDecision({ ...cur, n: cur.n + 1, seen: [...cur.seen, `w${i}`] }), 1), { attempts: 200 })));
        for (const r of results) expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
        const final = unwrap(await store.get<Counter>('card', 'c'));
        expect(final?.value.n).to.equal(20);
        expect(new Set(final?.value.seen).size).to.equal(20);
        expect(unwrap(await store.history('card', 'c')).length).to.equal(21);
      });

      it('applies one notification once when 10 deliveries of it race', async () => {
        unwrap(await store.insert<Counter>('payment', 'o', { n: 0, status: 'pending', seen: [] }));
        const results = await Promise.all(Array.from({ length: 10 }, () => inUnitOfWork(store, (tx) =>
          updateRecord<Counter>(tx, 'payment', 'o', (cur) => okDecision({ ...cur, n: cur.n + 1, status: 'succeeded' }), 1),
        { notification: { providerId: 'p', eventKey: 'paid-o', payload: '{}' }, attempts: 100 })));
        const outcomes = results.map((r) => unwrap(r).outcome);
        expect(outcomes.filter((o) => o === 'committed').length).to.equal(1);
        expect(outcomes.filter((o) => o === 'duplicate').length).to.equal(9);
        expect(unwrap(await store.get<Counter>('payment', 'o'))?.value.n).to.equal(1);
      });
    });

    if (sut.reopen) {
      const reopen = sut.reopen.bind(sut);
      context('when the store is closed and opened again', () => {
        it('still has every record, version, history entry and notification', async () => {
          unwrap(await store.insert('payment', 'keep', { status: 'created', at: new Date(1_700_000_000_000) }));
          unwrap(await store.update('payment', 'keep', 1, { status: 'succeeded', at: new Date(1_700_000_000_000) }));
          unwrap(await store.recordNotification('p', 'kept', 'x'));
          store = await reopen(store);
          expect(unwrap(await store.get('payment', 'keep'))).to.deep.equal({ version: 2, value: { status: 'succeeded', at: new Date(1_700_000_000_000) } });
          expect(unwrap(await store.history('payment', 'keep')).length).to.equal(2);
          expect(unwrap(await store.recordNotification('p', 'kept', 'x'))).to.equal('duplicate');
        });
      });
    }
  });
}

function okDecision<T>(value: T): PayResult<UpdateDecision<T>> {
  return ok({ write: true, value });
}
export { describeEventConformance } from './events-suite.js';
