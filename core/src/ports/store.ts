import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResultAsync } from '../errors/result.js';

/** Record collections the store keeps. */
export type RecordKind = 'order' | 'payment' | 'refund' | 'preauth' | 'payout' | 'card';

/** A stored record with its version (for optimistic concurrency). */
export interface Versioned<T> {
  /** The record. */
  readonly value: T;
  /** Incremented on every update; starts at 1. */
  readonly version: number;
}

/** What recording a notification found. */
export type NotificationRecord = 'new' | 'duplicate';

/**
 * The store port: versioned records and a notification ledger. Implementations make `insert`
 * fail with `Conflict` when the id exists, and `update` fail with `Conflict` when the version moved
 * (someone else changed the record first): callers re-read and re-decide.
 */
export interface Store {
  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined>;
  /** Inserts a record at version 1; `Conflict` if it exists. */
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>>;
  /** Replaces a record if it is still at `expectedVersion`; `Conflict` otherwise. */
  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>>;
  /** Lists records of a kind (small collections: tests, pending-outcome scans). */
  list<T>(kind: RecordKind): PayResultAsync<readonly Versioned<T>[]>;
  /** Records a verified notification once per provider event key; says whether it was new. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord>;
}

/** An in-memory {@link Store} for unit tests and the demo. Not shared between processes. */
export class InMemoryStore implements Store {
  readonly #records = new Map<string, Versioned<unknown>>();
  readonly #notifications = new Map<string, string>();

  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    return okAsync(this.#records.get(`${kind}:${id}`) as Versioned<T> | undefined);
  }

  /** Inserts a record. */
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>> {
    const key = `${kind}:${id}`;
    if (this.#records.has(key)) return errAsync(PaymentErrors.conflict(`${kind} ${id} already exists`));
    const rec = { value, version: 1 };
    this.#records.set(key, rec);
    return okAsync(rec);
  }

  /** Updates a record at an expected version. */
  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>> {
    const key = `${kind}:${id}`;
    const cur = this.#records.get(key);
    if (!cur) return errAsync(PaymentErrors.notFound(`${kind} ${id} does not exist`));
    if (cur.version !== expectedVersion) return errAsync(PaymentErrors.conflict(`${kind} ${id} changed concurrently (version ${cur.version}, expected ${expectedVersion})`, { retryable: true }));
    const rec = { value, version: cur.version + 1 };
    this.#records.set(key, rec);
    return okAsync(rec);
  }

  /** Lists records of a kind. */
  list<T>(kind: RecordKind): PayResultAsync<readonly Versioned<T>[]> {
    const prefix = `${kind}:`;
    return okAsync([...this.#records.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v as Versioned<T>));
  }

  /** Records a notification once. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord> {
    const key = `${providerId}:${eventKey}`;
    if (this.#notifications.has(key)) return okAsync('duplicate');
    this.#notifications.set(key, payload);
    return okAsync('new');
  }
}
