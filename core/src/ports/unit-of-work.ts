import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { isCorrection } from '../domain/transitions.js';
import { PaymentErrors } from '../errors/constructors.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, mapOk, orElseOf, type PayResultAsync } from '../errors/result.js';
import { statusOf, versionConflict } from './memory-store.js';
import type { Money } from '../money/money.js';
import { outcomeUnknown, type Tracked } from '../protocol/tracking.js';
import type { EventDraft, EventQuery, EventRecordKind, PaykitEvent } from './event-log.js';
import type {
  ChangeCause, ChangeSet, CommitOutcome, IdentifiedRecord, NotificationEntry, NotificationRecord, RecordKind, RecordVersion, RecordWrite, Store, Versioned,
} from './store.js';

/** A record whose status a committed unit of work changed (or that it created). */
export interface CommittedTransition {
  /** Collection. */
  readonly kind: RecordKind;
  /** Record id. */
  readonly id: string;
  /** Status before (`null` for a record this work created, or one without a status). */
  readonly from: string | null;
  /** Status after. */
  readonly to: string | null;
  /** The version written. */
  readonly version: number;
  /** Whether it overturned a status paykit had recorded before (see `isCorrection`). */
  readonly correction: boolean;
}

/** One record moving into or out of an unknown outcome (see `outcomeUnknown`), as a commit found it. */
export interface UncertainChange {
  /** `raised`: the outcome became unknown; `settled`: it no longer is (a final answer, or `needs_attention`). */
  readonly change: 'raised' | 'settled';
  /** Record kind. */
  readonly kind: RecordKind;
  /** The money operation whose outcome it is. */
  readonly operation: string;
  /** The record's status after the change. */
  readonly status: string | null;
}

/** What a unit of work ended with. */
export type UnitOfWorkResult<T> =
  | {
    readonly outcome: 'committed'; readonly value: T; readonly transitions: readonly CommittedTransition[];
    /** Records whose money operation's outcome became unknown or stopped being so (absent when none did). */
    readonly uncertain?: readonly UncertainChange[];
  }
  | { readonly outcome: 'duplicate' };

/** Options of {@link inUnitOfWork}. */
export interface UnitOfWorkOptions {
  /** The notification the work applies: recorded in the same commit, and a redelivery is dropped. */
  readonly notification?: NotificationEntry;
  /** What makes the change: kept with every version written, and with each event. */
  readonly cause?: ChangeCause;
  /** When it happens (paykit's clock): the events' `occurredAt`. The system time when absent. */
  readonly now?: Date;
  /**
   * How many times to run the work when another writer moved a record first (default 8). Claims on
   * a busy parent (many refunds of one payment at once) pass more: a claim that loses a race is
   * redone on fresh reads, never refused for it.
   */
  readonly attempts?: number;
}

/** A short random pause after the `n`-th lost race, so that writers of one record stop colliding in step. */
function backoff(n: number): Promise<void> {
  if (n <= 1) return Promise.resolve();
  const ms = Math.floor(Math.random() * Math.min(50, 2 ** Math.min(n, 6)));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` against a view of the store that reads through and buffers every write, then commits
 * the writes (and the notification, if any) in one {@link Store.commit}. When another writer moved a
 * record in between, the work runs again on fresh reads. Nothing is written when the work fails.
 * The result lists the status transitions the commit made; a move out of a status paykit recorded
 * on its own reading is marked a correction in the history.
 *
 * @example
 * ```ts
 * const r = await inUnitOfWork(store, (tx) => updateRecord(tx, 'payment', id, decide),
 *   { notification: { providerId: 'lianlian-web', eventKey, payload } });
 * if (r.isOk() && r.value.outcome === 'duplicate') { /* already applied: acknowledge *\/ }
 * ```
 */
export function inUnitOfWork<T>(store: Store, work: (tx: Store) => PayResultAsync<T>, options: UnitOfWorkOptions = {}): PayResultAsync<UnitOfWorkResult<T>> {
  if (!isObject(store)) return errAsync(badArgument('inUnitOfWork', 'store', 'a Store', store));
  if (typeof work !== 'function') return errAsync(badArgument('inUnitOfWork', 'work', 'a function of the unit of work (tx) => ResultAsync', work));
  if (!isObject(options)) return errAsync(badArgument('inUnitOfWork', 'options', 'UnitOfWorkOptions { notification?, cause?, now?, attempts? } or nothing', options));
  return guardAsync('inUnitOfWork', () => {
    const attempts = options.attempts ?? 8;
    const run = (attempt: number): PayResultAsync<UnitOfWorkResult<T>> => {
      const tx = new UnitOfWorkStore(store);
      const done = ResultAsync.fromSafePromise(backoff(attempt)).andThen(() => work(tx)).andThen((value) => {
        const { changes, transitions, uncertain } = tx.changes(options.notification, options.cause, options.now ?? new Date());
        return mapOk(store.commit(changes), (outcome: CommitOutcome): UnitOfWorkResult<T> => (outcome === 'committed'
          ? { outcome, value, transitions, ...(uncertain !== undefined ? { uncertain } : {}) } : { outcome }));
      });
      return orElseOf(done, (e) => (e.kind === 'Conflict' && e.retryable && attempt < attempts ? run(attempt + 1) : errAsync(e)));
    };
    return run(1);
  });
}

interface Buffered {
  readonly write: RecordWrite;
  readonly version: number;
}

/** A store view that reads through to a base store and buffers writes until {@link inUnitOfWork} commits them. */
class UnitOfWorkStore implements Store {
  readonly #base: Store;
  readonly #read = new Map<string, Versioned<unknown> | undefined>();
  readonly #written = new Map<string, Buffered>();

  constructor(base: Store) {
    this.#base = base;
  }

  changes(notification: NotificationEntry | undefined, cause: ChangeCause | undefined, now: Date): { changes: ChangeSet; transitions: CommittedTransition[]; uncertain?: UncertainChange[] } {
    const writes: RecordWrite[] = [];
    const transitions: CommittedTransition[] = [];
    const events: EventDraft[] = [];
    let uncertain: UncertainChange[] | undefined;
    for (const [key, b] of this.#written) {
      const before = this.#read.get(key)?.value;
      const change = uncertainChange(b.write.kind, before, b.write.value);
      if (change !== undefined) (uncertain ??= []).push(change);
      const from = before === undefined ? null : statusOf(before);
      const to = statusOf(b.write.value);
      const correction = isCorrection(b.write.kind, from, to);
      writes.push(correction ? { ...b.write, correction } : b.write);
      if (from === to) continue;
      transitions.push({ kind: b.write.kind, id: b.write.id, from, to, version: b.version, correction });
      const event = eventOf(b.write.kind, b.write.id, b.version, from, to, b.write.value, {
        ...(cause ?? { source: 'local' as const }), ...(notification ? { eventKey: notification.eventKey } : {}), ...(correction ? { correction } : {}),
      }, now);
      if (event) events.push(event);
    }
    return {
      changes: { writes, ...(notification ? { notification } : {}), ...(cause ? { cause } : {}), ...(events.length > 0 ? { events } : {}) },
      transitions,
      ...(uncertain !== undefined ? { uncertain } : {}),
    };
  }

  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    const key = `${kind}:${id}`;
    const w = this.#written.get(key);
    if (w) return okAsync({ value: w.write.value as T, version: w.version });
    if (this.#read.has(key)) return okAsync(this.#read.get(key) as Versioned<T> | undefined);
    return mapOk(this.#base.get<T>(kind, id), (v) => {
      this.#read.set(key, v);
      return v;
    });
  }

  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>> {
    return this.get<T>(kind, id).andThen((cur) => {
      if (cur) return errAsync(PaymentErrors.conflict(`${kind} ${id} already exists`));
      return okAsync(this.#buffer(kind, id, value));
    });
  }

  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>> {
    return this.get<T>(kind, id).andThen((cur) => {
      if (!cur) return errAsync(PaymentErrors.notFound(`${kind} ${id} does not exist`));
      if (cur.version !== expectedVersion) return errAsync(versionConflict(kind, id, `version ${cur.version}, expected ${expectedVersion}`));
      return okAsync(this.#buffer(kind, id, value));
    });
  }

  // Every write of one record in a unit of work becomes a single write, checked against the
  // version first read from the base store.
  #buffer<T>(kind: RecordKind, id: string, value: T): Versioned<T> {
    const key = `${kind}:${id}`;
    const base = this.#read.get(key)?.version ?? 0;
    this.#written.set(key, { write: { kind, id, expectedVersion: base, value }, version: base + 1 });
    return { value, version: base + 1 };
  }

  // A unit of work decides on records it names; scans belong outside it.
  list<T>(): PayResultAsync<readonly Versioned<T>[]> {
    return errAsync(PaymentErrors.internal('list inside a unit of work: scan before starting it'));
  }

  listPage<T>(): PayResultAsync<readonly IdentifiedRecord<T>[]> {
    return errAsync(PaymentErrors.internal('listPage inside a unit of work: scan before starting it'));
  }

  recordNotification(): PayResultAsync<NotificationRecord> {
    return errAsync(PaymentErrors.internal('recordNotification inside a unit of work: pass the notification to inUnitOfWork instead'));
  }

  commit(): PayResultAsync<CommitOutcome> {
    return errAsync(PaymentErrors.internal('commit inside a unit of work: inUnitOfWork commits when the work ends'));
  }

  history(kind: RecordKind, id: string): PayResultAsync<readonly RecordVersion[]> {
    return this.#base.history(kind, id);
  }

  listEvents(query?: EventQuery): PayResultAsync<readonly PaykitEvent[]> {
    return this.#base.listEvents(query);
  }

  pruneEvents(): PayResultAsync<number> {
    return errAsync(PaymentErrors.internal('pruneEvents inside a unit of work: prune outside it'));
  }

  pruneNotifications(): PayResultAsync<number> {
    return errAsync(PaymentErrors.internal('pruneNotifications inside a unit of work: prune outside it'));
  }
}

const EVENT_KINDS: readonly string[] = ['payment', 'refund', 'preauth', 'payout'];

/** Whether a write moves a money record into an unknown outcome or out of one (see {@link outcomeUnknown}). */
function uncertainChange(kind: RecordKind, before: unknown, after: unknown): UncertainChange | undefined {
  if (!EVENT_KINDS.includes(kind)) return undefined;
  const was = outcomeUnknown(before);
  if (was === outcomeUnknown(after)) return undefined;
  const from = (was ? before : after) as Tracked;
  return { change: was ? 'settled' : 'raised', kind, operation: from.inFlight?.operation ?? 'unknown', status: statusOf(after) };
}

/** The domain event of a money record's transition (undefined for other kinds). */
function eventOf(kind: RecordKind, id: string, version: number, from: string | null, to: string | null, value: unknown, cause: PaykitEvent['cause'], now: Date): EventDraft | undefined {
  if (!EVENT_KINDS.includes(kind) || to === null) return undefined;
  const v = value as {
    readonly instanceId?: string; readonly amount?: Money; readonly authorised?: Money; readonly refunded?: Money;
    readonly captured?: Money; readonly orderId?: string;
  };
  const amount = v.amount ?? v.authorised;
  if (amount === undefined) return undefined;
  const amounts = kind === 'payment' && v.refunded ? { refunded: v.refunded } : kind === 'preauth' && v.captured ? { captured: v.captured } : undefined;
  return {
    type: `${kind}.${to}`, record: { kind: kind as EventRecordKind, id, version }, from, to, instanceId: v.instanceId ?? '', amount,
    ...(amounts ? { amounts } : {}), ...((kind === 'refund' || kind === 'preauth') && v.orderId !== undefined ? { orderId: v.orderId } : {}),
    cause, occurredAt: now,
  };
}
