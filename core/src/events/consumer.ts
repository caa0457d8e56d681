import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { badArgument, isObject, PROTOCOL_CONTEXT } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { PaykitEvent } from '../ports/event-log.js';
import type { Store } from '../ports/store.js';
import { commitValue, type ProtocolContext } from '../protocol/commit.js';
import { LEASE_OWNER, type Lease } from '../protocol/tracking.js';

/** A consumer's durable state: where it is in the outbox, who is handling it, what is failing. */
export interface ConsumerState {
  /** The consumer's name (what `subscribe` was given). */
  readonly name: string;
  /** The id of the last event it handled (or skipped, or parked); 0 before the first. */
  readonly cursor: number;
  /** The process handling it, until when. */
  readonly lease?: Lease;
  /** The event after the cursor that failed, how often, and when it is tried again. */
  readonly failing?: { readonly eventId: number; readonly attempts: number; readonly lastError: string; readonly nextAttemptAt: Date };
  /** Events handled since the consumer was created. */
  readonly handled: number;
  /** Events parked since the consumer was created. */
  readonly parked: number;
  /** Replays so far: a round that began before a replay stops at its next step instead of undoing it. */
  readonly rewinds?: number;
  /**
   * The last holder's lease ran out without being given back (its process crashed, was killed or
   * hung): the event it may have been handling counts one failed attempt when it is next delivered.
   */
  readonly interrupted?: { readonly owner: string; readonly leaseUntil: Date };
}

/** An event a consumer gave up on after its attempts: kept until replayed. */
export interface ParkedEvent {
  /** The consumer. */
  readonly consumer: string;
  /** The event. */
  readonly event: PaykitEvent;
  /** How many times the handler failed on it. */
  readonly attempts: number;
  /** The last failure. */
  readonly lastError: string;
  /** When it was parked. */
  readonly parkedAt: Date;
  /** `parked`, or `replayed` once a replay delivered it again. */
  readonly status: 'parked' | 'replayed';
}

/** What a consumer name may be: 1–64 letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit. */
export const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Checks a consumer name: 1–64 letters, digits, `.`, `_`, `:` or `-`. */
export function checkConsumerName(name: unknown): PayResultAsync<string> {
  return typeof name === 'string' && CONSUMER_NAME.test(name) ? okAsync(name)
    : errAsync(PaymentErrors.invalidRequest('consumer name must be 1-64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit', { path: 'consumer' }));
}

/** Reads a consumer's state, `undefined` before its first use. */
export function readConsumer(store: Store, name: string): PayResultAsync<ConsumerState | undefined> {
  if (!isObject(store)) return errAsync(badArgument('readConsumer', 'store', 'a Store', store));
  return guardAsync('readConsumer', () => store.get<ConsumerState>('consumer', name).map((v) => v?.value));
}

/**
 * Takes (or renews) the consumer's lease for `owner` (a delivery loop; this process by default),
 * creating the consumer at `start` when it is new. `undefined` when another holder has a live
 * lease: it is handling the consumer. A lease with more than half its time left is not written
 * again, so an idle consumer adds no commits. Taking over a lease that ran out without being given
 * back marks the consumer `interrupted`.
 */
export function leaseConsumer(ctx: ProtocolContext, name: string, leaseMs: number, start: () => PayResultAsync<number>, owner: string = LEASE_OWNER): PayResultAsync<ConsumerState | undefined> {
  if (!isObject(ctx)) return errAsync(badArgument('leaseConsumer', 'ctx', PROTOCOL_CONTEXT, ctx));
  if (!Number.isFinite(leaseMs)) return errAsync(badArgument('leaseConsumer', 'leaseMs', 'the lease length in milliseconds', leaseMs));
  if (typeof start !== 'function') return errAsync(badArgument('leaseConsumer', 'start', 'a function giving a new consumer its first cursor', start));
  return guardAsync('leaseConsumer', () => {
    const now = ctx.clock.now();
    const lease: Lease = { owner, until: new Date(now.getTime() + leaseMs) };
    return commitValue(ctx, (tx) => tx.get<ConsumerState>('consumer', name).andThen((cur) => {
      if (!cur) return start().andThen((cursor) => tx.insert<ConsumerState>('consumer', name, { name, cursor, lease, handled: 0, parked: 0 }).map((v) => v.value));
      const held = cur.value.lease;
      const left = held ? new Date(held.until).getTime() - now.getTime() : 0;
      if (held && held.owner !== owner && left > 0) return okAsync(undefined);
      if (held && held.owner === owner && left > leaseMs / 2) return okAsync(cur.value);
      const interrupted = held && held.owner !== owner ? { owner: held.owner, leaseUntil: held.until } : cur.value.interrupted;
      return tx.update<ConsumerState>('consumer', name, cur.version, { ...cur.value, lease, ...(interrupted ? { interrupted } : {}) }).map((v) => v.value);
    }), { attempts: 4 }).orElse((e) => (e.kind === 'Conflict' ? okAsync(undefined) : errAsync(e)));
  });
}

/** What handling (or not) the next event did to the consumer. */
export type Step =
  | { readonly kind: 'handled'; readonly event: PaykitEvent }
  | { readonly kind: 'skipped'; readonly event: PaykitEvent }
  | { readonly kind: 'failed'; readonly event: PaykitEvent; readonly error: string; readonly retryAt: Date }
  | { readonly kind: 'parked'; readonly event: PaykitEvent; readonly error: string };

/** Who records a step, and the consumer as that round last saw it. */
export interface StepHolder {
  /** The lease owner of the round. */
  readonly owner: string;
  /** The cursor the round last recorded (or read); the step is not recorded if it moved since. */
  readonly cursor: number;
  /** The consumer's replay count when the round began. */
  readonly rewinds?: number;
}

/**
 * Records a step, if `holder` still holds the lease and the cursor is where the round left it:
 * moves the cursor past a handled, skipped or parked event (parking it in the same commit), or
 * records a failure and when to try again. `false` when the lease was lost meanwhile (another
 * process took the consumer over) or a replay moved the cursor: the round stops there.
 */
export function recordStep(ctx: ProtocolContext, name: string, step: Step, leaseMs: number, holder?: StepHolder): PayResultAsync<boolean> {
  if (!isObject(ctx)) return errAsync(badArgument('recordStep', 'ctx', PROTOCOL_CONTEXT, ctx));
  if (!isObject(step)) return errAsync(badArgument('recordStep', 'step', 'the Step { kind, event, … } to record', step));
  if (!Number.isFinite(leaseMs)) return errAsync(badArgument('recordStep', 'leaseMs', 'the lease length in milliseconds', leaseMs));
  if (holder !== undefined && !isObject(holder)) return errAsync(badArgument('recordStep', 'holder', 'the round { owner, cursor, rewinds }', holder));
  return guardAsync('recordStep', () => {
    const now = ctx.clock.now();
    const owner = holder?.owner ?? LEASE_OWNER;
    return commitValue(ctx, (tx) => tx.get<ConsumerState>('consumer', name).andThen((cur) => {
      if (!cur || cur.value.lease?.owner !== owner) return okAsync(false);
      const state = cur.value;
      if (holder !== undefined && (state.cursor !== holder.cursor || (state.rewinds ?? 0) !== (holder.rewinds ?? 0))) return okAsync(false);
      if (step.event.id <= state.cursor) return okAsync(false);
      const lease: Lease = { owner, until: new Date(now.getTime() + leaseMs) };
      const { failing: _failing, interrupted: _interrupted, ...rest } = state;
      if (step.kind === 'failed') {
        const attempts = state.failing?.eventId === step.event.id ? state.failing.attempts + 1 : 1;
        return tx.update<ConsumerState>('consumer', name, cur.version, { ...rest, lease, failing: { eventId: step.event.id, attempts, lastError: step.error.slice(0, 500), nextAttemptAt: step.retryAt } }).map(() => true);
      }
      const next: ConsumerState = {
        ...rest, lease, cursor: step.event.id,
        handled: state.handled + (step.kind === 'handled' ? 1 : 0), parked: state.parked + (step.kind === 'parked' ? 1 : 0),
      };
      const moved = tx.update<ConsumerState>('consumer', name, cur.version, next);
      const id = `${name}:${step.event.id}`;
      // A parked event handled on replay is no longer parked, in the same commit as the cursor
      // (only a consumer that ever parked an event can be replaying one).
      if (step.kind === 'handled' && state.parked > 0) return moved.andThen(() => replayedIn(tx, id)).map(() => true);
      if (step.kind !== 'parked') return moved.map(() => true);
      const parked: ParkedEvent = {
        consumer: name, event: step.event, attempts: (state.failing?.eventId === step.event.id ? state.failing.attempts : 0) + 1,
        lastError: step.error.slice(0, 500), parkedAt: now, status: 'parked',
      };
      return moved.andThen(() => tx.get<ParkedEvent>('parked', id)).andThen((p) => (p ? tx.update('parked', id, p.version, parked) : tx.insert('parked', id, parked))).map(() => true);
    }), { attempts: 4 });
  });
}

/** Marks the parked event `id` replayed in a unit of work, if it is still parked. */
function replayedIn(tx: Store, id: string): PayResultAsync<void> {
  return tx.get<ParkedEvent>('parked', id).andThen((p) => (p && p.value.status === 'parked'
    ? tx.update('parked', id, p.version, { ...p.value, status: 'replayed' }).map(() => undefined) : okAsync(undefined)));
}

/** Marks a parked event replayed once a replay delivered it (recordStep does it with the step itself). */
export function markReplayed(ctx: ProtocolContext, name: string, eventId: number): PayResultAsync<void> {
  if (!isObject(ctx)) return errAsync(badArgument('markReplayed', 'ctx', PROTOCOL_CONTEXT, ctx));
  return guardAsync('markReplayed', () => commitValue(ctx, (tx) => replayedIn(tx, `${name}:${eventId}`), { attempts: 4 }).map(() => undefined));
}

/** Gives the lease back (on stop), so another process can take over at once. */
export function releaseConsumer(ctx: ProtocolContext, name: string, owner: string = LEASE_OWNER): PayResultAsync<void> {
  return commitValue(ctx, (tx) => tx.get<ConsumerState>('consumer', name).andThen((cur) => {
    if (!cur || cur.value.lease?.owner !== owner) return okAsync(undefined);
    const { lease: _lease, ...rest } = cur.value;
    return tx.update('consumer', name, cur.version, rest).map(() => undefined);
  }), { attempts: 4 }).map(() => undefined);
}

/**
 * Moves a consumer's cursor back so that every event from `from` on is delivered again (parked ones
 * included). The handler sees the same event ids again: its idempotency keys. A `from` past the
 * event after the cursor is refused: it would skip events the consumer has not had.
 */
export function rewindConsumer(ctx: ProtocolContext, name: string, from: number): PayResultAsync<ConsumerState> {
  return commitValue(ctx, (tx) => tx.get<ConsumerState>('consumer', name).andThen((cur) => {
    if (!cur) return errAsync(PaymentErrors.notFound(`no consumer "${name}" has subscribed yet`));
    if (from - 1 > cur.value.cursor) {
      return errAsync(PaymentErrors.invalidRequest(`replay moves a cursor back: consumer "${name}" is at event ${cur.value.cursor}, so from must be at most ${cur.value.cursor + 1}`, { path: 'events.replay.from' }));
    }
    const { failing: _f, ...rest } = cur.value;
    return tx.update<ConsumerState>('consumer', name, cur.version, { ...rest, cursor: Math.max(0, from - 1), rewinds: (cur.value.rewinds ?? 0) + 1 }).map((v) => v.value);
  }), { attempts: 16 });
}

