import type { PayResultAsync } from '../errors/result.js';
import type { EventDraft, EventQuery, PaykitEvent } from './event-log.js';
import type { LedgerFields, LedgerKind, LedgerRow, ledgerFieldsOf } from './ledger-fields.js';

/**
 * Record collections the store keeps: the money records, provider ledgers (`card`), event
 * consumers' cursors (`consumer`), events parked by a consumer (`parked`), outgoing webhook
 * deliveries (`delivery`) and reconciliation runs (`reconciliation`).
 */
export type RecordKind = 'order' | 'payment' | 'refund' | 'preauth' | 'payout' | 'card' | 'consumer' | 'parked' | 'delivery' | 'reconciliation';

/** A stored record with its version (for optimistic concurrency). */
export interface Versioned<T> {
  /** The record. */
  readonly value: T;
  /** Incremented on every update; starts at 1. */
  readonly version: number;
}

/** What recording a notification found. */
export type NotificationRecord = 'new' | 'duplicate';

/** One record write of a {@link ChangeSet}. */
export interface RecordWrite {
  /** Collection. */
  readonly kind: RecordKind;
  /** Record id. */
  readonly id: string;
  /** The version the writer read; `0` means "create: the record must not exist yet". */
  readonly expectedVersion: number;
  /** The new value (stored at `expectedVersion + 1`). */
  readonly value: unknown;
  /**
   * The write overturns a status paykit recorded before on the provider's verified word (a payout
   * `failed` → `succeeded`): kept in the record's history, marked as a correction.
   */
  readonly correction?: boolean;
}

/** What made a change: kept with every version it wrote (the audit trail) and with its events. */
export interface ChangeCause {
  /**
   * - `notification`: a verified provider notification;
   * - `reply`: the provider's reply to a call paykit made (refund, payout, capture…);
   * - `query`: a provider query (`payments.query`, `refunds.query`…);
   * - `resolve`: `resolvePending` settling, leasing or giving up on a record;
   * - `claim`: paykit recording an operation before sending it;
   * - `local`: paykit deciding without the provider (a failure proven to happen before sending).
   */
  readonly source: 'notification' | 'reply' | 'query' | 'resolve' | 'claim' | 'local';
  /** The facade operation, e.g. `refunds.create`. */
  readonly operation?: string;
}

/** A verified provider notification, recorded once per provider event key. */
export interface NotificationEntry {
  /** The plugin id. */
  readonly providerId: string;
  /** The provider's event key (unique per event, the same on every redelivery). */
  readonly eventKey: string;
  /** What the notification said, for audit (the verified domain event as JSON). */
  readonly payload: string;
}

/** Writes that are applied together or not at all. */
export interface ChangeSet {
  /** Record writes, each checked against its expected version. */
  readonly writes: readonly RecordWrite[];
  /**
   * The notification these writes apply. When its event key is already recorded the whole change
   * set is dropped and the commit answers `duplicate`: a provider event takes effect once.
   */
  readonly notification?: NotificationEntry;
  /** What made the change (kept with every version it writes). */
  readonly cause?: ChangeCause;
  /** Domain events of the change's transitions: appended to the outbox in the same commit, given increasing ids. */
  readonly events?: readonly EventDraft[];
}

/** One entry of a record's history: a version, the status it had, and what wrote it. */
export interface RecordVersion {
  /** The version number (1 for the insert). */
  readonly version: number;
  /** The record's `status` field at that version, when it has one. */
  readonly status: string | null;
  /** The event key of the notification whose change set wrote it, when one did. */
  readonly eventKey: string | null;
  /** What made the change, when the writer said (with `correction` when it overturned a recorded status). */
  readonly cause?: ChangeCause & { readonly correction?: boolean };
}

/** What a commit did. */
export type CommitOutcome = 'committed' | 'duplicate';

/** Narrows {@link Store.list} to records whose `status` field is one of these. */
export interface ListFilter {
  /** Statuses to keep. */
  readonly statuses?: readonly string[];
}

/** One page of {@link Store.listPage}: records in id order, after a given id. */
export interface PageQuery extends ListFilter {
  /** Only records whose id sorts after this one (byte order); from the first when absent. */
  readonly after?: string;
  /** At most this many. */
  readonly limit: number;
  /**
   * A hint that the caller will ask for the page after this one (a walk of the whole kind): a store
   * may start reading it while this one is used. Results are the same with or without it.
   */
  readonly readAhead?: boolean;
}

/** A record with its id, as {@link Store.listPage} returns it. */
export interface IdentifiedRecord<T> extends Versioned<T> {
  /** The record's id. */
  readonly id: string;
}

/** What a store says about itself for a readiness check (see {@link Store.health}). */
export interface StoreHealth {
  /**
   * For a store with a schema: the migrations the database has applied, and those this code
   * expects. The schema is current when every expected one is applied.
   */
  readonly migrations?: { readonly applied: readonly number[]; readonly expected: readonly number[] };
}

/**
 * The store port: versioned records, their history, and a notification ledger.
 *
 * Every write goes through {@link Store.commit}: a change set is applied atomically, each write only
 * if its record is still at the version the writer read (`Conflict`, retryable, otherwise: re-read
 * and re-decide), together with the notification it applies, which is recorded once per provider
 * event. `insert`, `update` and `recordNotification` are one-write shorthands. Records hold plain
 * JSON values plus `Date`s; durable stores must give back what they were given.
 * A record's `status` field, when it has one, is what `list` filters on and `history` reports.
 */
export interface Store {
  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined>;
  /** Inserts a record at version 1; `Conflict` if it exists. */
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>>;
  /** Replaces a record if it is still at `expectedVersion`; `NotFound` if absent, `Conflict` if it moved. */
  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>>;
  /** Lists records of a kind, optionally only those in some statuses (pending-outcome scans). */
  list<T>(kind: RecordKind, filter?: ListFilter): PayResultAsync<readonly Versioned<T>[]>;
  /**
   * A page of records of a kind in id order (byte order of the id's UTF-8), after `query.after`:
   * walks a kind of any size in bounded memory (reconciliation reads the whole ledger this way).
   */
  listPage<T>(kind: RecordKind, query: PageQuery): PayResultAsync<readonly IdentifiedRecord<T>[]>;
  /**
   * Optional: the page `listPage` would give, each record as its
   * {@link LedgerFields} (exactly what {@link ledgerFieldsOf} gives for its value) rather than its
   * value. Reconciliation walks the ledger with it when a store has it: a store that keeps the
   * fields beside the record spares reading and parsing whole values.
   */
  listLedgerPage?(kind: LedgerKind, query: PageQuery): PayResultAsync<readonly LedgerRow[]>;
  /** Records a verified notification once per provider event key; says whether it was new. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord>;
  /** Applies a change set atomically (see {@link ChangeSet}). */
  commit(changes: ChangeSet): PayResultAsync<CommitOutcome>;
  /** Every version a record has had, oldest first: the audit trail of its transitions. */
  history(kind: RecordKind, id: string): PayResultAsync<readonly RecordVersion[]>;
  /** Events of the outbox in id order (see {@link EventQuery}). */
  listEvents(query?: EventQuery): PayResultAsync<readonly PaykitEvent[]>;
  /** Removes outbox events with an id up to `maxId` committed before `before`; answers how many went. */
  pruneEvents(maxId: number, before: Date): PayResultAsync<number>;
  /** Removes a provider's notification-ledger entries received before `before`; answers how many went. */
  pruneNotifications(providerId: string, before: Date): PayResultAsync<number>;
  /**
   * Optional: asks the database something cheap and says what it knows of its schema, for
   * `paykit.health()`. A store without it is probed with a read.
   */
  health?(): PayResultAsync<StoreHealth>;
}
