import * as t from 'io-ts';
import { err, errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import { decodeWith, EventTypeCodec } from '../container/codecs.js';
import type { PaykitContext } from '../container/paykit.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guardAsync, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { EventQuery, PaykitEvent } from '../ports/event-log.js';
import { maskCardNumbersIn } from '../ports/secret.js';
import { safeLog } from '../protocol/commit.js';
import { LEASE_OWNER } from '../protocol/tracking.js';
import {
  checkConsumerName, CONSUMER_NAME, leaseConsumer, readConsumer, recordStep, releaseConsumer, rewindConsumer, type ConsumerState, type ParkedEvent,
  type Step, type StepHolder,
} from './consumer.js';
import { nextEvents } from './signal.js';

/**
 * A merchant's event handler. The event id is its idempotency key: the same event may be
 * delivered again (after a crash before the cursor moved, or a replay). It fails by throwing,
 * rejecting, or returning an `Err`.
 */
export type EventHandler = (event: PaykitEvent) => void | Promise<void> | PayResult<unknown> | PayResultAsync<unknown> | Promise<PayResult<unknown>>;

/** Options of {@link EventOps.subscribe}. */
export interface SubscribeOptions {
  /** Only these event types reach the handler (the others are passed over). Default: all. */
  readonly types?: readonly string[];
  /** Where a new consumer starts: `start` (every event still in the outbox, the default) or `now`. */
  readonly from?: 'start' | 'now';
  /** Tries of one event before it is parked and the consumer moves on (default 8). */
  readonly maxAttempts?: number;
  /** The first retry's delay in ms, doubled each time up to 5 minutes (default 1 000). */
  readonly backoffMs?: number;
  /** How often to look for events from other processes, in ms (default 500). */
  readonly pollIntervalMs?: number;
  /** How long this process holds the consumer without renewing it, in ms (default 30 000). */
  readonly leaseMs?: number;
  /** Events read per round (default 100). */
  readonly batch?: number;
  /**
   * How long one handler call may take before it counts as a failed attempt, in ms (default
   * 300 000: five minutes). A handler that never settles would otherwise hold the consumer, and
   * every later event, for ever. The call is not cancelled: it may still finish while the event is
   * retried, as any at-least-once delivery allows.
   */
  readonly handlerTimeoutMs?: number;
  /** Told about every handler failure (the subscription keeps going). */
  readonly onError?: (error: PaymentError, event: PaykitEvent) => void;
}

/** A running subscription. */
export interface Subscription {
  /** The consumer name. */
  readonly consumer: string;
  /** Stops after the handler call in progress (if any) and gives the consumer back. */
  stop(): Promise<void>;
}

/** What one delivery round did (see {@link EventOps.deliver}). */
export interface DeliveryRound {
  /** Events the handler took. */
  readonly handled: number;
  /** Events passed over (not of the subscribed types). */
  readonly skipped: number;
  /** Events parked after their last attempt. */
  readonly parked: number;
  /** A failure waiting for its retry, if any. */
  readonly waiting?: { readonly eventId: number; readonly retryAt: Date };
  /** True when another process holds the consumer: nothing was delivered here. */
  readonly busy: boolean;
}

const Count = (min: number, max: number) => new t.Type<number, number, unknown>('count', (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= min && u <= max ? t.success(u) : t.failure(u, c, `expected a whole number from ${min} to ${max}`)), t.identity);

const SubscribeOptionsCodec = t.partial({
  types: t.array(EventTypeCodec), from: t.keyof({ start: null, now: null }), maxAttempts: Count(1, 1000), backoffMs: Count(0, 3_600_000),
  pollIntervalMs: Count(1, 3_600_000), leaseMs: Count(100, 3_600_000), batch: Count(1, 10_000), handlerTimeoutMs: Count(1, 86_400_000), onError: t.Function,
});

const QueryCodec = t.partial({ after: Count(0, Number.MAX_SAFE_INTEGER), types: t.array(EventTypeCodec), limit: Count(1, 10_000) });

const MAX_BACKOFF_MS = 5 * 60_000;

/** What a failed attempt says when the process that made it stopped before recording an outcome. */
const INTERRUPTED = 'the process handling this event stopped before recording an outcome (crashed, killed, or blocked past its lease)';

/** The default of {@link SubscribeOptions.handlerTimeoutMs}. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 300_000;

const LATE: unique symbol = Symbol('late');

/**
 * A handler's error as it may be stored and shown (`parked`, `paykit events parked`): the merchant's
 * code may put a card number or a database URL with its password in an error message.
 */
function storable(message: string): string {
  return maskCardNumbersIn(message.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@'));
}

/** Runs the handler, turning a throw, a rejection, an `Err` or a call past `timeoutMs` into an error message. */
async function runHandler(handler: EventHandler, event: PaykitEvent, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => { timer = setTimeout(() => resolve(LATE), timeoutMs); });
  const call: Promise<unknown> = (async () => await handler(event))();
  try {
    const out = await Promise.race([call, late]);
    if (out === LATE) {
      call.catch(() => undefined);
      return `the handler did not settle within ${timeoutMs} ms (handlerTimeoutMs)`;
    }
    if (out !== null && typeof out === 'object' && 'isErr' in out && typeof out.isErr === 'function' && out.isErr()) {
      const e = (out as unknown as { error: unknown }).error;
      return storable(typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e));
    }
    return undefined;
  } catch (e) {
    return storable(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Merchant events: every committed transition of a payment, refund, pre-authorisation or payout,
 * from the outbox the store appends in the same commit as the transition. `subscribe` delivers
 * them at least once, in order, one process at a time per consumer name; `list` reads them.
 */
export class EventOps {
  readonly #ctx: PaykitContext;
  /** Subscriptions still running: `paykit.close()` stops them. */
  readonly #running = new Set<Subscription>();
  /** The name this instance's rounds hold consumer leases under: this process's, by default. */
  readonly #owner: string;
  /** Consumers with a round in progress here: one at a time, whatever calls (two subscriptions, a subscription and `deliver`). */
  readonly #inRound = new Set<string>();
  /**
   * @internal
   * @param owner the lease owner of this instance's rounds: this process (a paykit made again in
   * the same process after a crash of its work takes its consumers over at once); tests that play
   * several processes in one give each its own.
   */
  constructor(ctx: PaykitContext, owner: string = LEASE_OWNER) {
    this.#ctx = ctx;
    this.#owner = owner;
  }

  /** @internal Stops every running subscription (for `paykit.close()`). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((s) => s.stop()));
  }

  /**
   * Events in id order, for merchants who poll: `after` the last id you handled.
   *
   * @example
   * ```ts
   * const page = await paykit.events.list({ after: lastSeen, types: ['payment.succeeded'], limit: 100 });
   * ```
   */
  list(query: EventQuery = {}): PayResultAsync<readonly PaykitEvent[]> {
    return guardAsync('events.list', () => {
      const q = decodeWith(QueryCodec, query ?? {}, 'events.list');
      if (q.isErr()) return errAsync(q.error);
      return this.#ctx.store.listEvents(q.value);
    });
  }

  /**
   * Hands every event (of `options.types`) to `handler`, at least once and in order, under a
   * durable cursor named `consumer`: a process that dies before the cursor moved hands the event
   * over again after restart, with the same id. A failing handler is retried with backoff; after
   * `maxAttempts` the event is parked (see {@link EventOps.parked}) and the consumer moves on.
   * With several processes on one PostgreSQL database, one process at a time holds a consumer, so
   * a handler never runs twice at once for an event. Returns an `InvalidRequest` for a bad name or
   * bad options; otherwise keeps going until `stop()`.
   *
   * @example
   * ```ts
   * const sub = paykit.events.subscribe('fulfilment', async (event) => {
   *   await shipOrder(event.record.id, { idempotencyKey: String(event.id) });
   * }, { types: ['payment.succeeded'] });
   * if (sub.isOk()) process.once('SIGTERM', () => void sub.value.stop());
   * ```
   */
  subscribe(consumer: string, handler: EventHandler, options: SubscribeOptions = {}): PayResult<Subscription> {
    const checked = this.#checkSubscribe(consumer, handler, options);
    if (checked.isErr()) return checked.map(() => ({ consumer, stop: async () => undefined }));
    const abort = new AbortController();
    const o = checked.value;
    const loop = (async () => {
      while (!abort.signal.aborted) {
        const round = await this.#deliver(consumer, handler, o, abort.signal);
        if (abort.signal.aborted) break;
        const now = this.#ctx.clock.now().getTime();
        const poll = o.pollIntervalMs ?? 500;
        // Go on at once while there is work; else wait for a commit in this process, a poll, or the retry time.
        if (round.isOk() && round.value.handled + round.value.skipped + round.value.parked > 0 && round.value.waiting === undefined) continue;
        const wait = round.isOk() && round.value.waiting ? Math.max(0, Math.min(poll, round.value.waiting.retryAt.getTime() - now)) : poll;
        if (round.isErr()) safeLog(this.#ctx.logger, 'warn', 'event delivery round failed', { consumer, error: round.error.message });
        await nextEvents(this.#ctx.store, wait, abort.signal);
      }
      await releaseConsumer(this.#ctx, consumer, this.#owner);
    })();
    const subscription: Subscription = {
      consumer,
      stop: async () => {
        abort.abort();
        await loop;
        this.#running.delete(subscription);
      },
    };
    this.#running.add(subscription);
    return ok(subscription);
  }

  #checkSubscribe(consumer: string, handler: EventHandler, options: SubscribeOptions): PayResult<SubscribeOptions> {
    if (typeof consumer !== 'string' || !CONSUMER_NAME.test(consumer)) {
      return err(PaymentErrors.invalidRequest('consumer name must be 1-64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit', { path: 'events.subscribe.consumer' }));
    }
    if (typeof handler !== 'function') return err(PaymentErrors.invalidRequest('handler must be a function (event) => void | Promise<void>', { path: 'events.subscribe.handler' }));
    return decodeWith(SubscribeOptionsCodec, options ?? {}, 'events.subscribe.options') as PayResult<SubscribeOptions>;
  }

  /**
   * One delivery round for `consumer`, as `subscribe` runs them: takes the consumer's lease, hands
   * the events after its cursor to `handler` in order, and stops at the first failure (recorded
   * with its retry time) or the end of the batch, then gives the lease back. For cron jobs and
   * tests that deliver on demand. `busy` when another holder (or a round of this paykit) has it.
   */
  deliver(consumer: string, handler: EventHandler, options: SubscribeOptions = {}): PayResultAsync<DeliveryRound> {
    return guardAsync('events.deliver', () => {
      const checked = this.#checkSubscribe(consumer, handler, options);
      if (checked.isErr()) return errAsync(checked.error);
      // A round on demand gives the lease back when it ends: the next one (a later cron run, another
      // process) takes over at once, and does not take this one for a holder that died.
      return this.#deliver(consumer, handler, checked.value).andThen((round) => (round.busy ? okAsync(round)
        : releaseConsumer(this.#ctx, consumer, this.#owner).map(() => round)));
    });
  }

  /** One round, unless this instance already runs one for the consumer (then it is busy). */
  #deliver(consumer: string, handler: EventHandler, o: SubscribeOptions, signal?: AbortSignal): PayResultAsync<DeliveryRound> {
    if (this.#inRound.has(consumer)) return okAsync({ handled: 0, skipped: 0, parked: 0, busy: true });
    this.#inRound.add(consumer);
    return new ResultAsync((async () => {
      try {
        return await guardAsync('events.deliver', () => this.#round(consumer, handler, o, signal));
      } finally {
        this.#inRound.delete(consumer);
      }
    })());
  }

  #round(consumer: string, handler: EventHandler, o: SubscribeOptions, signal: AbortSignal | undefined): PayResultAsync<DeliveryRound> {
    const leaseMs = o.leaseMs ?? 30_000;
    const start = () => (o.from === 'now' ? this.#lastEventId() : okAsync(0));
    return leaseConsumer(this.#ctx, consumer, leaseMs, start, this.#owner).andThen((state) => {
      if (!state) return okAsync<DeliveryRound, PaymentError>({ handled: 0, skipped: 0, parked: 0, busy: true });
      return this.#ctx.store.listEvents({ after: state.cursor, limit: o.batch ?? 100 })
        .andThen((events) => guardAsync('events.deliver', () => this.#handle(consumer, handler, o, state, events, leaseMs, signal)));
    });
  }

  async #handle(
    consumer: string, handler: EventHandler, o: SubscribeOptions, state: ConsumerState, events: readonly PaykitEvent[], leaseMs: number, signal: AbortSignal | undefined,
  ): Promise<PayResult<DeliveryRound>> {
    let handled = 0;
    let skipped = 0;
    let parked = 0;
    const round = (waiting?: DeliveryRound['waiting']) => okAsync<DeliveryRound, PaymentError>({ handled, skipped, parked, busy: false, ...(waiting ? { waiting } : {}) });
    // Every step is recorded only if the cursor is still where this round left it (a replay, or
    // another holder after a lost lease, stops the round instead of being undone).
    let holder: StepHolder = { owner: this.#owner, cursor: state.cursor, rewinds: state.rewinds ?? 0 };
    const record = async (step: Step): Promise<PayResult<boolean>> => {
      const moved = await recordStep(this.#ctx, consumer, step, leaseMs, holder);
      if (moved.isOk() && moved.value && step.kind !== 'failed') holder = { ...holder, cursor: step.event.id };
      return moved;
    };
    // What a failed attempt does: the merchant's callback and a warning, then the event parked after
    // its last attempt or its retry time recorded (`lost`: the lease or the cursor moved meanwhile).
    const fail = async (event: PaykitEvent, error: string, attempts: number, retryAt: Date): Promise<PayResult<'parked' | 'waiting' | 'lost'>> => {
      try {
        o.onError?.(PaymentErrors.internal(`consumer ${consumer}: handler failed on event ${event.id} (attempt ${attempts}): ${error}`), event);
      } catch {
        // The merchant's error callback must not stop delivery.
      }
      safeLog(this.#ctx.logger, 'warn', 'event handler failed', { consumer, event: event.id, type: event.type, attempts, error });
      const last = attempts >= (o.maxAttempts ?? 8);
      const moved = await record(last ? { kind: 'parked', event, error } : { kind: 'failed', event, error, retryAt });
      if (moved.isOk() && moved.value && last) parked += 1;
      return moved.map((done) => (!done ? 'lost' : last ? 'parked' : 'waiting'));
    };
    // A lease taken over from a holder that stopped without giving it back: the first event it could
    // have been handling counts one attempt (recorded before the handler runs again), so an event
    // whose handler kills the process is parked after its attempts like one that throws.
    let interrupted = state.interrupted;
    for (const event of events) {
      if (signal?.aborted) return round();
      if (o.types !== undefined && !o.types.includes(event.type)) {
        const moved = await record({ kind: 'skipped', event });
        if (moved.isErr()) return moved.map(() => ({ handled, skipped, parked, busy: false }));
        if (!moved.value) return round();
        skipped += 1;
        continue;
      }
      const failing = state.failing?.eventId === event.id ? state.failing : undefined;
      let attempts = failing?.attempts ?? 0;
      const now = this.#ctx.clock.now();
      if (failing && new Date(failing.nextAttemptAt).getTime() > now.getTime()) return round({ eventId: event.id, retryAt: new Date(failing.nextAttemptAt) });
      if (interrupted !== undefined && new Date(event.occurredAt).getTime() <= new Date(interrupted.leaseUntil).getTime()) {
        attempts += 1;
        const noted = await fail(event, INTERRUPTED, attempts, now);
        if (noted.isErr()) return noted.map(() => ({ handled, skipped, parked, busy: false }));
        if (noted.value === 'lost') return round();
        if (noted.value === 'parked') continue;
        // The attempt is recorded: if this run dies too, the next holder counts the next one.
        state = { ...state, failing: { eventId: event.id, attempts, lastError: INTERRUPTED, nextAttemptAt: now } };
      }
      interrupted = undefined;
      // Renew the lease while the handler runs, so no other process takes the event meanwhile.
      const heartbeat = setInterval(() => void leaseConsumer(this.#ctx, consumer, leaseMs, () => okAsync(holder.cursor), this.#owner), Math.max(50, Math.floor(leaseMs / 3)));
      let error: string | undefined;
      try {
        error = await runHandler(handler, event, o.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS);
      } finally {
        clearInterval(heartbeat);
      }
      if (error === undefined) {
        const moved = await record({ kind: 'handled', event });
        if (moved.isErr()) return moved.map(() => ({ handled, skipped, parked, busy: false }));
        if (!moved.value) return round();
        handled += 1;
        continue;
      }
      attempts += 1;
      const retryAt = new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, (o.backoffMs ?? 1000) * 2 ** (attempts - 1)));
      const failed = await fail(event, error, attempts, retryAt);
      if (failed.isErr()) return failed.map(() => ({ handled, skipped, parked, busy: false }));
      if (failed.value === 'lost') return round();
      if (failed.value === 'waiting') return round({ eventId: event.id, retryAt });
    }
    return round();
  }

  #lastEventId(): PayResultAsync<number> {
    // The outbox has no "last id" query: walk it in large pages (done once, for a new consumer).
    const walk = (after: number): PayResultAsync<number> => this.#ctx.store.listEvents({ after, limit: 10_000 })
      .andThen((page) => (page.length < 10_000 ? okAsync(page.at(-1)?.id ?? after) : walk(page.at(-1)?.id ?? after)));
    return walk(0);
  }

  /** A consumer's state (cursor, lease, failure), `NotFound` before it first subscribed. */
  consumer(name: string): PayResultAsync<ConsumerState> {
    return guardAsync('events.consumer', () => checkConsumerName(name).andThen((n) => readConsumer(this.#ctx.store, n))
      .andThen((s) => (s ? okAsync(s) : errAsync(PaymentErrors.notFound(`no consumer "${name}" has subscribed yet`)))));
  }

  /** Every consumer's state. */
  consumers(): PayResultAsync<readonly ConsumerState[]> {
    return guardAsync('events.consumers', () => this.#ctx.store.list<ConsumerState>('consumer').map((rs) => rs.map((r) => r.value)));
  }

  /** Events parked by a consumer (or by every consumer), still waiting for a replay. */
  parked(consumer?: string): PayResultAsync<readonly ParkedEvent[]> {
    return guardAsync('events.parked', () => this.#ctx.store.list<ParkedEvent>('parked').map((rs) => rs.map((r) => r.value)
      .filter((p) => p.status === 'parked' && (consumer === undefined || p.consumer === consumer))
      .sort((a, b) => a.event.id - b.event.id)));
  }

  /**
   * Delivers every event from id `from` on to `consumer` again (parked ones included) at its next
   * round: moves its cursor back. Handlers see the same ids again.
   */
  replay(consumer: string, options: { readonly from: number }): PayResultAsync<ConsumerState> {
    return guardAsync('events.replay', () => checkConsumerName(consumer).andThen((n) => {
      const from = options?.from;
      if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) {
        return errAsync(PaymentErrors.invalidRequest('replay needs { from: <event id ≥ 1> }', { path: 'events.replay.from' }));
      }
      return rewindConsumer(this.#ctx, n, from);
    }));
  }
}
