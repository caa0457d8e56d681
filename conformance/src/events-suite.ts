import { expect } from 'chai';
import { err } from 'neverthrow';
import {
  EventOps, FixedClock, inUnitOfWork, MemoryLogger, PaymentErrors, prune, type ChangeSet, type CommitOutcome, type PaykitContext,
  type PaykitEvent, type PayResultAsync, type Store,
} from '@paykit/core';
import type { StoreUnderTest } from './store-suite.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

/** A store that fails the commits `failWhen` picks (a crash at that commit boundary). */
function failing(store: Store, failWhen: (changes: ChangeSet) => boolean): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'commit') return (value as (...a: unknown[]) => unknown).bind(target);
      return (changes: ChangeSet): PayResultAsync<CommitOutcome> => (failWhen(changes)
        ? (err(PaymentErrors.network('store: the process died during this commit', true)) as never)
        : target.commit(changes));
    },
  });
}

/** The event machinery of paykit on a store, as `paykit.events` builds it (as process `owner`, when given). */
function eventsOn(store: Store, clock = new FixedClock(new Date('2026-12-01T00:00:00Z')), owner?: string): EventOps {
  const ctx: PaykitContext = {
    store, clock, logger: new MemoryLogger(),
    service: () => err(PaymentErrors.unsupported('payments', 'the events suite serves no provider')),
  };
  return new EventOps(ctx, owner);
}

/** Commits a payment's transition as the facade does: the record and its event, one commit. */
async function pay(store: Store, orderId: string, to: 'pending' | 'succeeded' | 'failed'): Promise<void> {
  const r = await inUnitOfWork(store, (tx) => tx.get<{ status: string }>('payment', orderId).andThen((cur) => {
    const value = { orderId, instanceId: 'shop', amount: cny(4965), refunded: cny(0), status: to };
    return cur ? tx.update('payment', orderId, cur.version, value) : tx.insert('payment', orderId, value);
  }), { cause: { source: 'notification', operation: 'notifications.handle' }, now: new Date('2026-12-01T00:00:00Z') });
  if (r.isErr()) throw new Error(r.error.message);
}

/**
 * Declares the merchant-events contract for a store (mocha): every transition's event is in the
 * outbox after its commit and never without it; a consumer gets each event at least once, in order,
 * by id; a crash between the commit and the handler, or between the handler and the cursor, loses
 * nothing; a failing handler is retried, then parked, then replayed.
 *
 * @example
 * ```ts
 * describeEventConformance({ name: 'in memory', open: async () => new InMemoryStore() });
 * ```
 */
export function describeEventConformance(sut: StoreUnderTest): void {
  describe(`merchant events: ${sut.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async () => {
      store = await sut.open();
    });
    afterEach(async () => {
      await sut.close?.(store);
    });

    context('when a transition commits', () => {
      it('appends its event in the same commit, and none for a commit that fails', async () => {
        await pay(store, 'A1', 'pending');
        const broken = failing(store, () => true);
        await pay(broken, 'A1', 'succeeded').catch(() => undefined);
        const events = (await store.listEvents())._unsafeUnwrap();
        expect(events.map((e) => [e.type, e.record.id, e.from, e.to])).to.deep.equal([['payment.pending', 'A1', null, 'pending']]);
        expect((await store.get<{ status: string }>('payment', 'A1'))._unsafeUnwrap()?.value.status).to.equal('pending');
        await pay(store, 'A1', 'succeeded');
        const after = (await store.listEvents())._unsafeUnwrap();
        expect(after.map((e) => e.type)).to.deep.equal(['payment.pending', 'payment.succeeded']);
        expect(after[1]).to.deep.include({ from: 'pending', to: 'succeeded', instanceId: 'shop', amount: cny(4965), record: { kind: 'payment', id: 'A1', version: 2 } });
        expect(after[1]?.cause).to.deep.equal({ source: 'notification', operation: 'notifications.handle' });
      });
    });

    context('when a consumer subscribes', () => {
      it('hands it every event of its types in order, and moves its cursor past each', async () => {
        for (const id of ['B1', 'B2']) await pay(store, id, 'pending');
        await pay(store, 'B1', 'succeeded');
        await pay(store, 'B2', 'failed');
        const seen: string[] = [];
        const events = eventsOn(store);
        const round = (await events.deliver('fulfilment', (e) => { seen.push(`${e.type}:${e.record.id}`); }, { types: ['payment.succeeded', 'payment.failed'] }))._unsafeUnwrap();
        expect(seen).to.deep.equal(['payment.succeeded:B1', 'payment.failed:B2']);
        expect(round).to.deep.include({ handled: 2, skipped: 2, parked: 0, busy: false });
        const all = (await store.listEvents())._unsafeUnwrap();
        expect((await events.consumer('fulfilment'))._unsafeUnwrap().cursor).to.equal(all.at(-1)?.id);
        // A second consumer name has its own cursor and sees every event too.
        const other: number[] = [];
        (await events.deliver('ledger', (e) => { other.push(e.id); }))._unsafeUnwrap();
        expect(other).to.deep.equal(all.map((e) => e.id));
      });

      it('runs the handler after a restart when the process died between the commit and the handler', async () => {
        await pay(store, 'C1', 'succeeded');
        // The process that committed died before any handler ran: a new process subscribes.
        const seen: number[] = [];
        const restarted = eventsOn(store);
        (await restarted.deliver('fulfilment', (e) => { seen.push(e.id); }))._unsafeUnwrap();
        expect(seen).to.have.length(1);
      });

      it('runs the handler again, with the same event id, when the process died after the handler and before the cursor moved', async () => {
        await pay(store, 'D1', 'succeeded');
        const seen: number[] = [];
        // The commit that would move the cursor past the handled event dies.
        const dying = eventsOn(failing(store, (c) => c.writes.some((w) => w.kind === 'consumer' && (w.value as { cursor: number }).cursor > 0)));
        await dying.deliver('fulfilment', (e) => { seen.push(e.id); });
        const restarted = eventsOn(store, new FixedClock(new Date('2026-12-01T01:00:00Z')));
        (await restarted.deliver('fulfilment', (e) => { seen.push(e.id); }))._unsafeUnwrap();
        expect(seen).to.have.length(2);
        expect(seen[1]).to.equal(seen[0]);
        (await restarted.deliver('fulfilment', (e) => { seen.push(e.id); }))._unsafeUnwrap();
        expect(seen).to.have.length(2);
      });

      it('retries a failing handler with backoff, parks the event after its attempts, moves on, and replays it', async () => {
        await pay(store, 'E1', 'succeeded');
        await pay(store, 'E2', 'succeeded');
        const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
        const events = eventsOn(store, clock);
        const tries: string[] = [];
        let broken = true;
        const handler = (e: PaykitEvent) => {
          tries.push(e.record.id);
          if (broken && e.record.id === 'E1') throw new Error('warehouse is down');
        };
        const options = { maxAttempts: 3, backoffMs: 1000 };
        const first = (await events.deliver('fulfilment', handler, options))._unsafeUnwrap();
        expect(first.waiting?.retryAt).to.deep.equal(new Date('2026-12-01T00:00:01Z'));
        // Not before its retry time.
        expect((await events.deliver('fulfilment', handler, options))._unsafeUnwrap().handled).to.equal(0);
        expect(tries).to.deep.equal(['E1']);
        clock.advance(1000);
        expect((await events.deliver('fulfilment', handler, options))._unsafeUnwrap().waiting?.retryAt).to.deep.equal(new Date('2026-12-01T00:00:03Z'));
        clock.advance(2000);
        const third = (await events.deliver('fulfilment', handler, options))._unsafeUnwrap();
        expect(third).to.deep.include({ parked: 1, handled: 1 });
        expect(tries).to.deep.equal(['E1', 'E1', 'E1', 'E2']);
        const parked = (await events.parked('fulfilment'))._unsafeUnwrap();
        expect(parked.map((p) => [p.event.record.id, p.attempts, p.lastError])).to.deep.equal([['E1', 3, 'Error: warehouse is down']]);
        broken = false;
        (await events.replay('fulfilment', { from: parked[0]!.event.id }))._unsafeUnwrap();
        (await events.deliver('fulfilment', handler, options))._unsafeUnwrap();
        expect(tries).to.deep.equal(['E1', 'E1', 'E1', 'E2', 'E1', 'E2']);
        expect((await events.parked('fulfilment'))._unsafeUnwrap()).to.deep.equal([]);
      });

      it('keeps a replay made while a round is handling events: that round stops instead of moving the cursor past it', async () => {
        for (const id of ['G1', 'G2', 'G3']) await pay(store, id, 'succeeded');
        const ids = (await store.listEvents())._unsafeUnwrap().map((e) => e.id);
        const events = eventsOn(store);
        const operator = eventsOn(store);
        const seen: number[] = [];
        let replayed = false;
        (await events.deliver('fulfilment', async (e) => {
          seen.push(e.id);
          // While the third event is being handled, an operator replays from the second.
          if (e.id === ids[2] && !replayed) {
            replayed = true;
            (await operator.replay('fulfilment', { from: ids[1]! }))._unsafeUnwrap();
          }
        }))._unsafeUnwrap();
        expect((await events.consumer('fulfilment'))._unsafeUnwrap().cursor).to.equal(ids[0]);
        (await events.deliver('fulfilment', (e) => { seen.push(e.id); }))._unsafeUnwrap();
        expect(seen).to.deep.equal([ids[0], ids[1], ids[2], ids[1], ids[2]]);
      });

      it('refuses a replay that would move the cursor forward past events the consumer has not had', async () => {
        for (const id of ['H1', 'H2', 'H3']) await pay(store, id, 'succeeded');
        const ids = (await store.listEvents())._unsafeUnwrap().map((e) => e.id);
        const events = eventsOn(store);
        (await events.deliver('fulfilment', () => undefined, { batch: 1 }))._unsafeUnwrap();
        const refused = (await events.replay('fulfilment', { from: ids[2]! + 50 }))._unsafeUnwrapErr();
        expect(refused).to.include({ kind: 'InvalidRequest', path: 'events.replay.from' });
        expect(refused.message).to.include(`at most ${ids[0]! + 1}`);
        expect((await events.consumer('fulfilment'))._unsafeUnwrap().cursor).to.equal(ids[0]);
        // Replaying from the next event is no change; from the first goes back.
        expect((await events.replay('fulfilment', { from: ids[0]! + 1 }))._unsafeUnwrap().cursor).to.equal(ids[0]);
        expect((await events.replay('fulfilment', { from: ids[0]! }))._unsafeUnwrap().cursor).to.equal(ids[0]! - 1);
      });

      it('parks an event whose handler kills the process every time, after its attempts, instead of retrying it for ever', async () => {
        await pay(store, 'K1', 'succeeded');
        const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
        const options = { maxAttempts: 3, leaseMs: 1000 };
        let runs = 0;
        // Each process runs the handler and dies before it can record anything (the cursor's commit never happens).
        for (let life = 0; life < 3; life += 1) {
          let died = false;
          const dying = eventsOn(failing(store, (c) => died && c.writes.some((w) => w.kind === 'consumer')), clock, `host:${100 + life}:dies`);
          await dying.deliver('fulfilment', () => { runs += 1; died = true; }, options);
          clock.advance(2000);
        }
        expect(runs).to.equal(3);
        const state = (await eventsOn(store, clock).consumer('fulfilment'))._unsafeUnwrap();
        expect(state.failing?.attempts).to.equal(2);
        // The next process counts the third death and parks the event without running the handler again.
        const next = eventsOn(store, clock, 'host:200:next');
        const round = (await next.deliver('fulfilment', () => { runs += 1; }, options))._unsafeUnwrap();
        expect(round).to.deep.include({ parked: 1, handled: 0 });
        expect(runs).to.equal(3);
        const parked = (await next.parked('fulfilment'))._unsafeUnwrap();
        expect(parked.map((p) => [p.event.record.id, p.attempts])).to.deep.equal([['K1', 3]]);
        expect(parked[0]?.lastError).to.include('stopped before recording an outcome');
      });

      it('keeps parked events through a prune, so a replay can still deliver them', async () => {
        await pay(store, 'J1', 'succeeded');
        await pay(store, 'J2', 'succeeded');
        const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
        const events = eventsOn(store, clock);
        (await events.deliver('fulfilment', (e) => { if (e.record.id === 'J1') throw new Error('no stock'); }, { maxAttempts: 1 }))._unsafeUnwrap();
        const ids = (await store.listEvents())._unsafeUnwrap().map((e) => e.id);
        expect((await events.consumer('fulfilment'))._unsafeUnwrap().cursor).to.equal(ids[1]);
        clock.advance(100 * 86_400_000);
        const report = (await prune({ store, clock }, new Map(), { olderThan: 90 * 86_400_000 }))._unsafeUnwrap();
        expect(report.eventsUpTo).to.equal(ids[0]! - 1);
        expect((await store.listEvents())._unsafeUnwrap().map((e) => e.id)).to.deep.equal(ids);
        const seen: string[] = [];
        (await events.replay('fulfilment', { from: ids[0]! }))._unsafeUnwrap();
        (await events.deliver('fulfilment', (e) => { seen.push(e.record.id); }))._unsafeUnwrap();
        expect(seen).to.deep.equal(['J1', 'J2']);
      });

      it('lets one process at a time hold a consumer', async () => {
        await pay(store, 'F1', 'succeeded');
        const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
        const a = eventsOn(store, clock);
        const seen: string[] = [];
        let release: () => void = () => undefined;
        const slow = a.deliver('fulfilment', async () => {
          seen.push('a');
          await new Promise<void>((r) => { release = r; });
        }, { leaseMs: 60_000 });
        await new Promise((r) => setTimeout(r, 20));
        // A process with another lease owner: paykit's owner is per process, so simulate it by the record.
        const cur = (await store.get<{ lease?: { owner: string } }>('consumer', 'fulfilment'))._unsafeUnwrap();
        expect(cur?.value.lease?.owner).to.be.a('string');
        (await store.update('consumer', 'fulfilment', cur!.version, { ...cur!.value, lease: { owner: 'another-host:1:x', until: new Date('2026-12-01T00:01:00Z') } }))._unsafeUnwrap();
        const b = eventsOn(store, clock);
        expect((await b.deliver('fulfilment', () => { seen.push('b'); }))._unsafeUnwrap().busy).to.equal(true);
        release();
        await slow;
        expect(seen).to.deep.equal(['a']);
      });
    });
  });
}
